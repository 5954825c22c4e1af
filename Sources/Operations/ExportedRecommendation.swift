import Foundation

/// An output record (schema v1, docs/output-contract.md) as `export` reads it: the fields
/// its CSV rows need, as text.
public struct ExportedRecommendation: Sendable, Hashable {
    /// One entry of `savings`, rendered as CSV text (empty where the field is absent).
    public struct Card: Sendable, Hashable {
        public var id: String
        public var name: String
        public var totalSavingsYearly: String
        public var roi: String

        public init(id: String, name: String, totalSavingsYearly: String, roi: String) {
            self.id = id
            self.name = name
            self.totalSavingsYearly = totalSavingsYearly
            self.roi = roi
        }
    }

    public var userID: String
    /// The `cohort` field (`nil` when it is null).
    public var cohort: String?
    public var processedAt: String
    public var sourcePartition: String
    public var sourceOffset: String
    /// `savings`, best card first.
    public var cards: [Card]

    public init(userID: String, cohort: String?, processedAt: String, sourcePartition: String,
                sourceOffset: String, cards: [Card]) {
        self.userID = userID
        self.cohort = cohort
        self.processedAt = processedAt
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.cards = cards
    }

    /// Parses an output record value.
    /// - Throws: ``ExportRecordError`` naming the field when it is not JSON or not schema v1.
    public init(value: [UInt8]?) throws(ExportRecordError) {
        guard let value, !value.isEmpty else { throw ExportRecordError(.notJSON, "the record has no value") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(value))
        } catch {
            throw ExportRecordError(.notJSON, "the value is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw ExportRecordError(.notJSON, "the value is not a JSON object")
        }
        guard let version = object["schema_version"] as? NSNumber, !(object["schema_version"] is String) else {
            throw ExportRecordError(.unsupportedSchema, "schema_version: missing or not a number")
        }
        guard version.doubleValue == 1 else {
            throw ExportRecordError(.unsupportedSchema, "schema_version: \(Self.text(version)) is not supported (only 1)")
        }
        guard let user = object["user_id"] as? String, !user.isEmpty else {
            throw ExportRecordError(.badField, "user_id: must be a non-empty string")
        }
        let cohort: String?
        switch object["cohort"] {
        case nil, is NSNull: cohort = nil
        case let s as String: cohort = s
        default: throw ExportRecordError(.badField, "cohort: must be a string or null")
        }
        guard let savings = object["savings"] as? [Any] else {
            throw ExportRecordError(.badField, "savings: must be an array")
        }
        var cards: [Card] = []
        cards.reserveCapacity(savings.count)
        for (index, entry) in savings.enumerated() {
            guard let card = entry as? [String: Any] else {
                throw ExportRecordError(.badField, "savings[\(index)]: must be an object")
            }
            cards.append(Card(id: Self.text(card["id"]), name: Self.text(card["card_name"]),
                              totalSavingsYearly: Self.text(card["total_savings_yearly"]), roi: Self.text(card["roi"])))
        }
        let source = object["source"] as? [String: Any]
        self.init(userID: user, cohort: cohort, processedAt: Self.text(object["processed_at"]),
                  sourcePartition: Self.text(source?["partition"]), sourceOffset: Self.text(source?["offset"]),
                  cards: cards)
    }

    /// A JSON value as CSV text: strings as they are, whole numbers without a fraction,
    /// other numbers in their shortest form, null and absent as empty, objects and arrays as JSON.
    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let s as String: return s
        case let n as NSNumber:
            let d = n.doubleValue
            if d.isFinite, d == d.rounded(), abs(d) < 9.007_199_254_740_992e15 { return String(Int64(d)) }
            return "\(d)"
        default:
            guard let v = value,
                  let data = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) else { return "" }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
