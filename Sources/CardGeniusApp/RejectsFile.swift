import CardGenius
import Foundation

/// The rejects file: one JSON object per rejected record, with its line, field and reason.
final class RejectsFile {
    private let handle: FileHandle
    let path: String

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw UsageError("cannot write the rejects file \(path)")
        }
        self.handle = handle
        self.path = path
    }

    func write(line: Int, error: RecordValidationError, raw: [UInt8]) throws {
        let reject = Reject(
            code: error.code.description, field: error.field, line: line, reason: error.reason,
            record: String(decoding: raw.prefix(100_000), as: UTF8.self))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(reject)
        data.append(0x0A)
        handle.write(data)
    }

    /// One line of the rejects file.
    private struct Reject: Encodable {
        var code: String
        var field: String
        var line: Int
        var reason: String
        var record: String
    }

    func close() throws { try handle.close() }
}
