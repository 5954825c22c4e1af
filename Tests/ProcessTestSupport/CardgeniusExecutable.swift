import Foundation

/// Where the `cardgenius` executable and the repository are, for tests that run it as a
/// separate process.
package enum CardgeniusExecutable {
    /// The `cardgenius` executable built next to the test bundle (or `$CARDGENIUS_BIN`).
    package static var path: String {
        if let path = ProcessInfo.processInfo.environment["CARDGENIUS_BIN"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("cardgenius").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repository + "/.build/debug/cardgenius"
    }

    /// The repository's root directory.
    package static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }
}
