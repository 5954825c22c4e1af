import StrictJSON

/// The fields of an output record (schema v1) that `export` reads, decoded leniently with
/// `JSONDecoder`: every field may be absent or of any JSON type, so that
/// ``ExportedRecommendation/init(value:)`` can say which one is wrong. Other fields are
/// not decoded.
struct OutputRecordFields: Decodable {
    /// One entry of `savings`: nil when the entry is not an object.
    struct Entry: Decodable {
        var card: Card?

        init(from decoder: any Decoder) throws {
            card = try? Card(from: decoder)
        }
    }

    /// The fields of a `savings` entry that `export` writes.
    struct Card: Decodable {
        var id: JSONValue?
        var cardName: JSONValue?
        var totalSavingsYearly: JSONValue?
        var roi: JSONValue?

        enum CodingKeys: String, CodingKey {
            case id
            case cardName = "card_name"
            case totalSavingsYearly = "total_savings_yearly"
            case roi
        }
    }

    /// `source` {`partition`, `offset`}.
    struct Source: Decodable {
        var partition: JSONValue?
        var offset: JSONValue?
    }

    var schemaVersion: JSONValue?
    var userID: JSONValue?
    var cohort: JSONValue?
    var processedAt: JSONValue?
    /// nil when absent or not an object.
    var source: Source?
    /// nil when absent, null or not an array.
    var savings: [Entry]?

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case userID = "user_id"
        case cohort
        case processedAt = "processed_at"
        case source, savings
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decodeIfPresent(JSONValue.self, forKey: .schemaVersion)
        userID = try container.decodeIfPresent(JSONValue.self, forKey: .userID)
        cohort = try container.decodeIfPresent(JSONValue.self, forKey: .cohort)
        processedAt = try container.decodeIfPresent(JSONValue.self, forKey: .processedAt)
        source = (try? container.decodeIfPresent(Source.self, forKey: .source)) ?? nil
        savings = (try? container.decodeIfPresent([Entry].self, forKey: .savings)) ?? nil
    }
}
