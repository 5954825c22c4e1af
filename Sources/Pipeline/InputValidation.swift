import CardGenius
import Kafka

/// Checks an input record before CardGenius is called: the value must be a valid
/// user-spend record and the key, when present, must be its `user_id` (keys are what
/// keeps one user's records in order).
///
/// The value is parsed once, when the record is taken from Kafka (outside the pipeline's
/// state lock: what comes from outside never runs under it), because its `user_id` is
/// also what orders the user's records (``orderKey(_:parsed:)``); the key check is made
/// when the record starts.
enum InputValidation {
    /// The record's value as a user-spend record.
    static func parse(_ record: KafkaRecord) -> Result<UserSpendRecord, RecordValidationError> {
        guard let value = record.value, !value.isEmpty else {
            return .failure(
                RecordValidationError(
                    code: .empty, field: RecordValidationError.recordField,
                    reason: "the record has no value"))
        }
        do {
            return .success(try UserSpendRecord.parse(json: value))
        } catch {
            return .failure(error)
        }
    }

    /// The record's value, parsed by ``parse(_:)``, checked against its key.
    static func validate(_ record: KafkaRecord, parsed: Result<UserSpendRecord, RecordValidationError>)
        -> Result<UserSpendRecord, RecordValidationError>
    {
        guard case .success(let user) = parsed else { return parsed }
        if let key = record.key, !key.isEmpty, key != Array(user.userID.utf8) {
            return .failure(
                RecordValidationError(
                    code: .invalidCharacter, field: "user_id",
                    reason: "does not match the record key \"\(String(decoding: key.prefix(64), as: UTF8.self))\""))
        }
        return .success(user)
    }

    /// What orders a record among its user's records: its `user_id`, as the output contract
    /// promises ("per user, in order"), even when its Kafka key is missing or differs (a
    /// record whose value cannot be parsed falls back to its key; it is dead-lettered).
    static func orderKey(_ record: KafkaRecord, parsed: Result<UserSpendRecord, RecordValidationError>) -> [UInt8] {
        if case .success(let user) = parsed { return Array(user.userID.utf8) }
        return record.key ?? []
    }
}
