import Foundation

/// A `cardgenius` child process with stdout and stderr captured in files.
/// It is SIGKILLed when released, so no test leaves a process behind.
public final class ChildProcess: @unchecked Sendable {
    /// How the process ended.
    public enum Status: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        public var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "signal \(signal)"
            }
        }
    }

    /// The Foundation process.
    public let process = Process()
    /// The arguments after `cardgenius`.
    public let arguments: [String]
    /// The file capturing stdout.
    public let stdoutPath: String
    /// The file capturing stderr.
    public let stderrPath: String

    /// Starts `cardgenius arguments`. CARDGENIUS_* variables of the test's environment are
    /// not passed on; `environment` is added.
    public init(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        let dir = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        self.arguments = arguments
        stdoutPath = dir.appendingPathComponent("cg-cli-\(id).out").path
        stderrPath = dir.appendingPathComponent("cg-cli-\(id).err").path
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: CardgeniusExecutable.path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CARDGENIUS_") }
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether it has not ended yet.
    public var isRunning: Bool { process.isRunning }

    /// Sends `sig` if the process still runs.
    public func signal(_ sig: Int32) { if process.isRunning { _ = Foundation.kill(pid, sig) } }

    /// SIGKILL, if still running.
    public func kill() { signal(SIGKILL) }

    /// Waits for the process to end; nil on time-out (the process is left running).
    public func waitForExit(timeout: Duration) async -> Status? {
        let ended = await waitUntil(timeout: timeout, interval: .milliseconds(50)) { !process.isRunning }
        guard ended else { return nil }
        switch process.terminationReason {
        case .exit: return .exited(process.terminationStatus)
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }

    /// Everything written to stdout so far.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to stderr so far.
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Complete lines of stdout (a line still being written is left out).
    public var stdoutLines: [String] { Self.completeLines(stdout) }
    /// Complete lines of stderr.
    public var stderrLines: [String] { Self.completeLines(stderr) }

    private static func completeLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last "\n": empty, or a partial line
        return lines.filter { !$0.isEmpty }
    }

    deinit {
        if process.isRunning {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}
