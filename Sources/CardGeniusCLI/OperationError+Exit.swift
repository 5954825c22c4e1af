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
