import StrictJSON

/// One input record: a user and their spends, as published to the input topic.
///
/// Records come from JSON (``parse(json:)``, one object per line or per Kafka
/// message) or CSV rows (``CSVHeader``). Both paths enforce the same rules:
///
/// - `user_id` (required): a string, not empty or blank, at most 256 UTF-8 bytes, no control characters.
/// - `cohort` (optional): a string of 1...64 characters without control characters; JSON `null` means absent.
/// - every ``SpendField`` (optional, absent = `0`): a finite number `>= 0`. Strings (even numeric),
///   booleans, `null`, `NaN`/`Infinity`, negatives, objects and arrays are rejected.
/// - metadata (optional, accepted and dropped): ``metadataKeys``. `name`, `email` and `source`
///   must be strings or `null`; `selected_card_id` must be `null` (a recommendation has no selected card).
/// - any other key is rejected, so that typos such as `amazon_spend` are caught.
public struct UserSpendRecord: Sendable, Equatable {
    /// `user_id`: the user's identifier, as given.
    public var userID: String
    /// `cohort`: an optional grouping label (experiment arm, segment, ...).
    public var cohort: String?
    /// The spend amounts.
    public var spends: SpendProfile

    /// Creates a record. No validation: use ``parse(json:)`` for untrusted input.
    public init(userID: String, cohort: String? = nil, spends: SpendProfile = SpendProfile()) {
        self.userID = userID
        self.cohort = cohort
        self.spends = spends
    }

    /// Keys (JSON) and columns (CSV) that are accepted but not kept.
    public static let metadataKeys: [String] = ["name", "email", "source", "selected_card_id"]

    /// The longest accepted `user_id`, in UTF-8 bytes.
    public static let maxUserIDBytes = 256
    /// The longest accepted `cohort`, in Unicode scalars.
    public static let maxCohortLength = 64

    /// Checks the `user_id` rules.
    static func validateUserID(_ id: String) throws(RecordValidationError) {
        let field = "user_id"
        if id.utf8.count > maxUserIDBytes {
            throw RecordValidationError(
                code: .tooLong, field: field,
                reason: "must be at most \(maxUserIDBytes) bytes, got \(id.utf8.count)"
            )
        }
        if id.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            throw RecordValidationError(code: .empty, field: field, reason: "must not be empty")
        }
        if id.unicodeScalars.contains(where: isControl) {
            throw RecordValidationError(
                code: .invalidCharacter, field: field,
                reason: "must not contain control characters, got \(RecordValidationError.quoted(id))"
            )
        }
    }

    /// Checks the `cohort` rules.
    static func validateCohort(_ cohort: String) throws(RecordValidationError) {
        let field = "cohort"
        let length = cohort.unicodeScalars.count
        if length > maxCohortLength {
            throw RecordValidationError(
                code: .tooLong, field: field,
                reason: "must be at most \(maxCohortLength) characters, got \(length)"
            )
        }
        if cohort.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            throw RecordValidationError(code: .empty, field: field, reason: "must not be empty when present")
        }
        if cohort.unicodeScalars.contains(where: isControl) {
            throw RecordValidationError(
                code: .invalidCharacter, field: field,
                reason: "must not contain control characters, got \(RecordValidationError.quoted(cohort))"
            )
        }
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }
}

/// Why an input record was rejected: the field at fault and the reason.
///
/// ``description`` is `"<field>: <reason>"`, for example
/// `fuel: must be a finite number >= 0, got string "12k"`. Whole-record problems
/// (invalid JSON, not an object, wrong CSV cell count) use the field `(record)`.
public struct RecordValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidJSON, notAnObject, missingField, duplicateField, unknownField, wrongType,
                negative, notFinite, empty, tooLong, invalidCharacter, wrongCellCount
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The record is not valid JSON (or the CSV row is not valid CSV).
        public static let invalidJSON = Code(.invalidJSON)
        /// The record is valid JSON but not an object.
        public static let notAnObject = Code(.notAnObject)
        /// A required field (`user_id`) or CSV column is absent.
        public static let missingField = Code(.missingField)
        /// A key or CSV column appears more than once.
        public static let duplicateField = Code(.duplicateField)
        /// A key or CSV column that is neither a spend field, `user_id`, `cohort` nor allowed metadata.
        public static let unknownField = Code(.unknownField)
        /// A value of the wrong type (a string where a number is expected, ...).
        public static let wrongType = Code(.wrongType)
        /// A negative spend amount.
        public static let negative = Code(.negative)
        /// `NaN`, `Infinity` or a number too large for a `Double`.
        public static let notFinite = Code(.notFinite)
        /// An empty or blank `user_id` / `cohort` / CSV column name.
        public static let empty = Code(.empty)
        /// A value (or a line) longer than allowed.
        public static let tooLong = Code(.tooLong)
        /// Control characters in `user_id` or `cohort`.
        public static let invalidCharacter = Code(.invalidCharacter)
        /// A CSV row with a different number of cells than the header.
        public static let wrongCellCount = Code(.wrongCellCount)

        public var description: String { base.rawValue }
    }

    /// The field used for problems with the record as a whole.
    public static let recordField = "(record)"

    /// The kind of problem.
    public var code: Code
    /// The JSON key or CSV column at fault, or `(record)`.
    public var field: String
    /// What is wrong, e.g. `must be a finite number >= 0, got string "12k"` or `is required`.
    public var reason: String

    /// Creates an error.
    public init(code: Code, field: String, reason: String) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    /// `"<field>: <reason>"`.
    public var description: String { "\(field): \(reason)" }

    /// `s` as a JSON string literal, cut to `limit` characters, for reasons.
    static func quoted(_ s: String, limit: Int = 40) -> String {
        JSONWriter.quoted(s, limit: limit)
    }

    /// The candidate closest to `word`, if close enough to be a typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        KeySuggestion.closest(to: word, among: candidates, divisor: 4)
    }
}
