import CardGenius
import Foundation
import Simulator

/// Deterministic synthetic user-spend records for `run --users N` and benchmarks.
enum SyntheticUsers {
    static func write(count: Int, cohort: String, to path: String, seed: UInt64 = 48) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        defer { try? handle.close() }
        var rng = SplitMix64(seed: seed)
        var buffer = Data()
        let monthly = SpendField.allCases.filter { $0.period == .monthly }
        let annual = SpendField.allCases.filter { $0.period == .annual }
        for i in 0..<count {
            var spends: [SpendField: Double] = [:]
            for f in monthly where rng.next() % 10 < 6 { spends[f] = Double([0, 500, 1000, 2000, 5000, 12000, 35000][Int(rng.next() % 7)]) }
            for f in annual where rng.next() % 10 < 4 { spends[f] = Double([5000, 25000, 60000, 100000][Int(rng.next() % 4)]) }
            let record = UserSpendRecord(userID: "user-\(i)", cohort: cohort, spends: SpendProfile(spends))
            buffer.append(contentsOf: record.canonicalJSON())
            buffer.append(0x0A)
            if buffer.count > 1 << 20 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
    }

}
