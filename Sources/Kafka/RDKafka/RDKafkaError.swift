internal import CRDKafka

/// librdkafka's errors as ``KafkaError``s: the one place that reads `rd_kafka_resp_err_t`
/// and `rd_kafka_error_t`, and that knows which of librdkafka's codes retrying can fix.
enum RDKafkaError {
    /// Wraps a plain response code, classifying the codes that retrying can fix.
    static func from(_ err: rd_kafka_resp_err_t, _ operation: String) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(err))
        return KafkaError(
            code: KafkaError.Code(rawValue: err.rawValue),
            message: "\(operation): \(text)",
            isRetriable: retriableCodes.contains(err.rawValue),
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL
        )
    }

    /// Wraps and destroys an `rd_kafka_error_t`, which carries librdkafka's own verdicts.
    static func consume(_ error: OpaquePointer, _ operation: String) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        return KafkaError(
            code: KafkaError.Code(rawValue: code.rawValue),
            message: "\(operation): \(String(cString: rd_kafka_error_string(error)))",
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || retriableCodes.contains(code.rawValue),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// librdkafka's name of a response code, for example `_QUEUE_FULL`.
    static func name(_ rawValue: Int32) -> String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue)))
    }

    private static let retriableCodes = codes(
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS)

    /// Codes of a failed delivery that refuse the record itself (see
    /// ``KafkaError/DeliveryVerdict/recordRejected``).
    static let recordRejectedCodes = codes(
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
        RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_INVALID_MSG)

    /// Codes of a failed delivery that refuse every write to the topic (see
    /// ``KafkaError/DeliveryVerdict/topicRefused``).
    static let topicRefusedCodes = codes(
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
        RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
        RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
        RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED)

    private static func codes(_ errs: rd_kafka_resp_err_t...) -> Set<Int32> {
        Set(errs.map(\.rawValue))
    }
}
