import CardGenius
import Kafka

/// Checks an input record before CardGenius is called: the value must be a valid
/// user-spend record and the key, when present, must be its `user_id` (keys are what
/// keeps one user's records in order).
enum InputValidation {
    static func validate(_ record: KafkaRecord) -> Result<UserSpendRecord, RecordValidationError> {
        guard let value = record.value, !value.isEmpty else {
            return .failure(RecordValidationError(code: .empty, field: RecordValidationError.recordField,
                                                  reason: "the record has no value"))
        }
        let user: UserSpendRecord
        do {
            user = try UserSpendRecord.parse(json: value)
        } catch {
            return .failure(error)
        }
        if let key = record.key, !key.isEmpty, key != Array(user.userID.utf8) {
            return .failure(RecordValidationError(
                code: .invalidCharacter, field: "user_id",
                reason: "does not match the record key \"\(String(decoding: key.prefix(64), as: UTF8.self))\""))
        }
        return .success(user)
    }
}
