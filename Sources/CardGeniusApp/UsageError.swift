/// A problem with what the command was asked to do (a file it cannot write, an input with
/// nothing to process). The CLI reports it as ArgumentParser reports a `ValidationError`
/// (the message, then the usage text; exit status 64), as it did before the application
/// moved out of the CLI.
package struct UsageError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
