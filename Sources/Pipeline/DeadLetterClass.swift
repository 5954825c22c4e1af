/// Why a record went to the dead-letter topic (the `error.class` header).
package enum DeadLetterClass: String, Sendable, CaseIterable {
    /// The input record failed validation; CardGenius was never called.
    case invalidRecord = "invalid-record"
    /// CardGenius answered that the request itself is wrong (a 4xx other than 429).
    case apiRejected = "api-rejected"
    /// Every attempt failed while the API was otherwise healthy.
    case retriesExhausted = "retries-exhausted"
    /// CardGenius answered, but the output topic refused the result for good (for example
    /// larger than the topic's `max.message.bytes`); the message carries the broker's reason.
    case outputRejected = "output-rejected"
}
