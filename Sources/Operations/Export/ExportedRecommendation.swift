import Foundation
import StrictJSON

/// An output record (schema v1, docs/output-contract.md) as `export` reads it: the fields
/// its CSV rows need, as text.
package struct ExportedRecommendation: Sendable, Hashable {
    /// One entry of `savings`, rendered as CSV text (empty where the field is absent).
    package struct Card: Sendable, Hashable {
        package var id: String
        package var name: String
        package var totalSavingsYearly: String
        package var roi: String

        package init(id: String, name: String, totalSavingsYearly: String, roi: String) {
            self.id = id
            self.name = name
            self.totalSavingsYearly = totalSavingsYearly
            self.roi = roi
        }
    }

    package var userID: String
    /// The `cohort` field (`nil` when it is null).
    package var cohort: String?
    package var processedAt: String
    package var sourcePartition: String
    package var sourceOffset: String
    /// `savings`, best card first.
    package var cards: [Card]

    package init(
        userID: String, cohort: String?, processedAt: String, sourcePartition: String,
        sourceOffset: String, cards: [Card]
    ) {
        self.userID = userID
        self.cohort = cohort
        self.processedAt = processedAt
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.cards = cards
    }

    /// Parses an output record value.
    /// - Throws: ``ExportRecordError`` naming the field when it is not JSON or not schema v1.
    package init(value: [UInt8]?) throws(ExportRecordError) {
        guard let value, !value.isEmpty else { throw ExportRecordError(.notJSON, "the record has no value") }
        let fields: OutputRecordFields
        do {
            fields = try JSONDecoder().decode(OutputRecordFields.self, from: Data(value))
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            // Valid JSON, not an object. A bare scalar counts as not JSON, as it did with JSONSerialization.
            let array = value.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "[")
            throw ExportRecordError(.notJSON, array ? "the value is not a JSON object" : "the value is not valid JSON")
        } catch {
            throw ExportRecordError(.notJSON, "the value is not valid JSON")
        }
        guard let version = fields.schemaVersion, let number = Self.number(version) else {
            throw ExportRecordError(.unsupportedSchema, "schema_version: missing or not a number")
        }
        guard number == 1 else {
            throw ExportRecordError(.unsupportedSchema, "schema_version: \(Self.text(version)) is not supported (only 1)")
        }
        guard case .string(let user)? = fields.userID, !user.isEmpty else {
            throw ExportRecordError(.badField, "user_id: must be a non-empty string")
        }
        let cohort: String?
        switch fields.cohort {
        case nil, .null?: cohort = nil
        case .string(let s)?: cohort = s
        default: throw ExportRecordError(.badField, "cohort: must be a string or null")
        }
        guard let savings = fields.savings else {
            throw ExportRecordError(.badField, "savings: must be an array")
        }
        var cards: [Card] = []
        cards.reserveCapacity(savings.count)
        for (index, entry) in savings.enumerated() {
            guard let card = entry.card else {
                throw ExportRecordError(.badField, "savings[\(index)]: must be an object")
            }
            cards.append(
                Card(
                    id: Self.text(card.id), name: Self.text(card.cardName),
                    totalSavingsYearly: Self.text(card.totalSavingsYearly), roi: Self.text(card.roi)))
        }
        self.init(
            userID: user, cohort: cohort, processedAt: Self.text(fields.processedAt),
            sourcePartition: Self.text(fields.source?.partition), sourceOffset: Self.text(fields.source?.offset),
            cards: cards)
    }

    /// A number's value; booleans count as 1 and 0 (they were `NSNumber`s with `JSONSerialization`).
    private static func number(_ value: JSONValue) -> Double? {
        if case .bool(let flag) = value { return flag ? 1 : 0 }
        return value.numberValue
    }

    /// A JSON value as CSV text: strings as they are, whole numbers without a fraction,
    /// other numbers in their shortest form (booleans as 1 and 0), null and absent as empty,
    /// objects and arrays as JSON (keys sorted, slashes escaped).
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .number?, .bool?:
            guard let d = value.flatMap(number) else { return "" }
            if d.isFinite, d == d.rounded(), abs(d) < 9.007_199_254_740_992e15 { return String(Int64(d)) }
            return "\(d)"
        case .array?, .object?:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]  // slashes escaped ("\/"), as JSONSerialization wrote them
            guard let data = try? encoder.encode(value) else { return "" }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
