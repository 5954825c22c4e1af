/// A fault the member cannot handle by itself: it commits what is complete, leaves the
/// group and ends with this error, so its supervisor restarts it and the alert fires.
public struct PipelineError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, as a stable code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        /// The output or dead-letter topic refuses this member's writes for good
        /// (authorization, a topic that does not exist, a policy).
        public static let topicRefused = Code(rawValue: "topic-refused")
        /// The producer raised a fatal error (for example a fatal idempotence error).
        public static let producerFatal = Code(rawValue: "producer-fatal")
        /// The consumer raised a fatal error (for example a fenced static member).
        public static let consumerFatal = Code(rawValue: "consumer-fatal")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// One line for people: the topic and the broker's or librdkafka's reason.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "member failed (\(code)): \(message)" }
}
