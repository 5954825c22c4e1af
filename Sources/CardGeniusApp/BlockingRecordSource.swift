import CardGenius
import Dispatch

/// Reads batches of entries on a dedicated dispatch queue: file reads never block
/// Swift's cooperative pool.
final class BlockingRecordSource: @unchecked Sendable {
    private var reader: UserSpendRecordReader
    private let queue = DispatchQueue(label: "cardgenius.produce.reader")
    private(set) var position: (Int64, Int64?) = (0, nil)

    init(path: String, format: UserSpendRecordReader.Format?) throws {
        reader = try UserSpendRecordReader(path: path, format: format)
        position = (0, reader.totalBytes)
    }

    /// Up to `n` entries, or nil at the end of the input.
    func next(_ n: Int) async throws -> [UserSpendRecordReader.Entry]? {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    var batch: [UserSpendRecordReader.Entry] = []
                    while batch.count < n, let entry = try self.reader.next() { batch.append(entry) }
                    self.position = (self.reader.bytesRead, self.reader.totalBytes)
                    continuation.resume(returning: batch.isEmpty ? nil : batch)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
