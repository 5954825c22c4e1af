import Foundation

/// Where an export goes: a file written as `PATH.partial` and renamed to `PATH` once it is
/// complete and synced to disk, or standard output (`-`).
package final class ExportFile {
    /// The destination (`-` for standard output).
    package let path: String
    /// The file being written (`PATH.partial`), or `nil` for standard output.
    package let partialPath: String?
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var finished = false

    /// Creates (truncates) `PATH.partial`, or writes to standard output for `-`.
    /// - Throws: ``OperationError`` (`io`) naming the file.
    package init(path: String) throws {
        self.path = path
        if path == "-" {
            partialPath = nil
            handle = FileHandle.standardOutput
            return
        }
        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
            let handle = FileHandle(forWritingAtPath: partial)
        else {
            throw OperationError(.io, "--output \(path): cannot create \(partial): \(String(cString: strerror(errno)))")
        }
        self.partialPath = partial
        self.handle = handle
    }

    /// Appends `text` (buffered).
    package func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try drain() }
    }

    /// Appends `bytes` (buffered).
    package func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try drain() }
    }

    /// Writes the buffer out and syncs the file to disk (for standard output: writes it out;
    /// pipes and terminals cannot be synced).
    package func sync() throws {
        try drain()
        guard partialPath != nil else { return }
        do { try handle.synchronize() } catch {
            throw OperationError(.io, "--output \(path): cannot sync \(partialPath ?? path): \(error)")
        }
    }

    /// Syncs, closes and renames `PATH.partial` to `PATH` (atomically replacing it).
    package func finish() throws {
        guard !finished else { return }
        try sync()
        finished = true
        guard let partialPath else { return }
        try? handle.close()
        guard rename(partialPath, path) == 0 else {
            throw OperationError(.io, "--output \(path): cannot rename \(partialPath) to it: \(String(cString: strerror(errno)))")
        }
    }

    /// Closes and removes `PATH.partial` (after a failure).
    package func discard() {
        guard !finished else { return }
        finished = true
        guard let partialPath else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }

    private func drain() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw OperationError(.io, "--output \(path): write failed: \(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
