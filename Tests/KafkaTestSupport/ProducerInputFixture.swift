import Foundation

/// An input file for `produce` mixing good and bad lines, the rejects it must yield, and a
/// reader of the rejects file. Shared by the CLI's and the application's producer suites.
package enum ProducerInputFixture {
    /// Good records (u1, u3, u8, u9), bad ones and blank lines.
    package static let mixedJSONL = """
        {"user_id":"u1","amazon_spends":1200,"fuel":300.5}
        {"user_id":"u2","fuel":

        {"user_id":"u3","cohort":"beta-arm","hotels_annual":50000}
        {"fuel":100}
        {"user_id":"u5","fuel":-5}
           \t
        {"user_id":"u6","fuel":"12k"}
        {"user_id":"u7","amazon_spend":10}
        {"user_id":"u8"}
        {"user_id":"u9","name":"Jane","dining_usage":4}

        """

    /// The bad lines of ``mixedJSONL`` and the field each one is blamed on.
    package static let mixedJSONLRejects: [Int: String] = [2: "(record)", 5: "user_id", 6: "fuel", 8: "fuel", 9: "amazon_spend"]

    /// A rejects file entry that is not `{"line": N, "field": "...", "reason": "..."}` with a
    /// reason, or a line reported twice.
    package struct MalformedRejects: Error, CustomStringConvertible {
        package let description: String
    }

    /// The rejects file as line → field, checking each entry's shape.
    package static func rejectsFile(_ path: String) throws -> [Int: String] {
        var out: [Int: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let n = o["line"] as? Int, let field = o["field"] as? String, let reason = o["reason"] as? String,
                !reason.isEmpty
            else { throw MalformedRejects(description: "not a rejects entry: \(line)") }
            guard out[n] == nil else { throw MalformedRejects(description: "line \(n) twice in the rejects file") }
            out[n] = field
        }
        return out
    }
}
