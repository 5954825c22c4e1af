import Kafka

/// A problem that stops start-up, reported as one line (`Error: <message>`, exit status 1),
/// without the usage text ArgumentParser adds to a `ValidationError`.
package struct StartupError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }

    /// What to say about `error` after a colon: a Kafka error's message without its code,
    /// anything else as it describes itself.
    package static func describe(_ error: any Error) -> String {
        if let error = error as? KafkaError { return error.message }
        return "\(error)"
    }
}
