import Foundation
import Operations

extension OperationError {
    /// Prints the refusal as one `Error:` line on stderr and exits with status 2 (the
    /// operation declined to act; nothing was changed).
    func exitAsRefusal() -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

extension PipelineGroupGuard {
    /// Ends the process with the refusal (exit status 2) when `command` may not commit as
    /// `group`; returns when it may.
    func exitIfRefused(_ group: String, command: String) async throws {
        do {
            try await check(group, command: command)
        } catch let refusal as OperationError where refusal.isRefusal {
            refusal.exitAsRefusal()
        }
    }
}
