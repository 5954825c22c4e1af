/// A fault the member cannot handle by itself: it commits what is complete, leaves the
/// group and ends with this error, so its supervisor restarts it and the alert fires.
package struct PipelineError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, as a stable code.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String

        /// The output or dead-letter topic refuses this member's writes for good
        /// (authorization, a topic that does not exist, a policy).
        package static let topicRefused = Code(rawValue: "topic-refused")
        /// The producer raised a fatal error (for example a fatal idempotence error).
        package static let producerFatal = Code(rawValue: "producer-fatal")
        /// The consumer raised a fatal error (for example a fenced static member).
        package static let consumerFatal = Code(rawValue: "consumer-fatal")

        package var description: String { rawValue }
    }

    /// What went wrong.
    package var code: Code
    /// One line for people: the topic and the broker's or librdkafka's reason.
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "member failed (\(code)): \(message)" }
}
