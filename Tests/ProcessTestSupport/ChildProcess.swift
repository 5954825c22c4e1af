import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A child process (swift-subprocess): `cardgenius` unless another executable is named
/// (promtool, Prometheus, Python), with stdout and stderr copied into files as they come. It
/// is SIGKILLed when released, so no test leaves a process behind.
package final class ChildProcess: Sendable {
    /// How the process ended.
    package enum Status: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        package var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "signal \(signal)"
            }
        }
    }

    /// The arguments after the executable.
    package let arguments: [String]
    /// The file capturing stdout.
    package let stdoutPath: String
    /// The file capturing stderr.
    package let stderrPath: String

    private let control: Control
    private let task: Task<Void, Never>

    /// Starts `executable arguments` (`cardgenius` by default). CARDGENIUS_* variables of the
    /// test's environment are not passed on; `environment` is added. A process that cannot be
    /// started ends as `exit 127` with the reason on its stderr.
    package init(
        _ arguments: [String], executable: String = CardgeniusExecutable.path, environment: [String: String] = [:],
        directory: String? = nil
    ) throws {
        let dir = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        self.arguments = arguments
        stdoutPath = dir.appendingPathComponent("cg-cli-\(id).out").path
        stderrPath = dir.appendingPathComponent("cg-cli-\(id).err").path
        let stdoutFile = try FileDescriptor.open(FilePath(stdoutPath), .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
        let stderrFile: FileDescriptor
        do {
            stderrFile = try FileDescriptor.open(FilePath(stderrPath), .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
        } catch {
            try? stdoutFile.close()
            throw error
        }

        var changes: [Environment.Key: String?] = [:]
        for key in ProcessInfo.processInfo.environment.keys where key.hasPrefix("CARDGENIUS_") {
            changes[Environment.Key(rawValue: key)!] = .some(nil)
        }
        for (key, value) in environment { changes[Environment.Key(rawValue: key)!] = value }
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(changes),
            workingDirectory: directory.map { FilePath($0) }
        )

        let control = Control()
        self.control = control
        task = Task {
            let status: Status
            do {
                let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
                    // Signals go through the execution only while it is valid: until both
                    // pipes end, that is until the process exits (it starts no children).
                    control.started(execution)
                    defer { control.ended() }
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await Self.copy(execution.standardOutput, to: stdoutFile) }
                        group.addTask { await Self.copy(execution.standardError, to: stderrFile) }
                    }
                }
                switch result.terminationStatus {
                case .exited(let code): status = .exited(code)
                case .signaled(let signal): status = .signalled(signal)
                }
            } catch {
                _ = try? stderrFile.writeAll("cannot run \(executable): \(error)\n".utf8)
                status = .exited(127)
            }
            try? stdoutFile.close()
            try? stderrFile.close()
            control.finished(status)
        }
    }

    /// Appends what `output` brings to `file`, as it comes.
    private static func copy(_ output: SubprocessOutputSequence, to file: FileDescriptor) async {
        do {
            for try await chunk in output {
                _ = try chunk.withUnsafeBytes { try file.writeAll($0) }
            }
        } catch {
            // The pipe broke or the file cannot be written: the output is cut short; the
            // process's status still tells how it ended.
        }
    }

    /// The process id (0 until it has started).
    package var pid: Int32 { control.pid }
    /// Whether it has not ended yet.
    package var isRunning: Bool { control.status == nil }

    /// Sends `sig` if the process still runs (at once, or as soon as it has started).
    package func signal(_ sig: Int32) { control.send(sig) }

    /// SIGKILL, if still running.
    package func kill() { signal(SIGKILL) }

    /// Waits for the process to end; nil on time-out (the process is left running).
    package func waitForExit(timeout: Duration) async -> Status? {
        let ended = await waitUntil(timeout: timeout, interval: .milliseconds(50)) { control.status != nil }
        return ended ? control.status : nil
    }

    /// Everything written to stdout so far.
    package var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to stderr so far.
    package var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Complete lines of stdout (a line still being written is left out).
    package var stdoutLines: [String] { Self.completeLines(stdout) }
    /// Complete lines of stderr.
    package var stderrLines: [String] { Self.completeLines(stderr) }

    private static func completeLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last "\n": empty, or a partial line
        return lines.filter { !$0.isEmpty }
    }

    deinit {
        // SIGKILL now; cancelling the run makes swift-subprocess kill and reap it too.
        control.send(SIGKILL)
        task.cancel()
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

/// The running process's execution, while it is valid, the signals asked for before it
/// started, and how it ended.
private final class Control: Sendable {
    typealias Running = Execution<NoInput, SequenceOutput, SequenceOutput>

    private struct State {
        var execution: Running?
        var pid: Int32 = 0
        var pending: [Int32] = []
        var ended = false
        var status: ChildProcess.Status?
    }

    private let state = Mutex(State())

    var status: ChildProcess.Status? { state.withLock { $0.status } }
    var pid: Int32 { state.withLock { $0.pid } }

    func started(_ execution: Running) {
        let pending = state.withLock { s -> [Int32] in
            s.execution = execution
            s.pid = execution.processIdentifier.value
            defer { s.pending = [] }
            return s.pending
        }
        for sig in pending { try? execution.send(signal: Signal(rawValue: sig)) }
    }

    func ended() {
        state.withLock {
            $0.execution = nil
            $0.ended = true
        }
    }

    func finished(_ status: ChildProcess.Status) {
        state.withLock {
            $0.status = status
            $0.ended = true
        }
    }

    func send(_ sig: Int32) {
        state.withLock { s in
            if let execution = s.execution {
                try? execution.send(signal: Signal(rawValue: sig))
            } else if !s.ended {
                s.pending.append(sig)
            }
        }
    }
}
