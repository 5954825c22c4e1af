/// A ``KafkaConsumer``'s events, in the order librdkafka delivered them, with
/// back-pressure: the poll thread hands over at most a few batches of records that the
/// application has not taken yet, then waits (it never drops one). So a read loop that
/// is held up (a slow commit during a rebalance, a slow metadata request) keeps memory
/// flat; librdkafka's own pre-fetch queue is bounded by `queued.max.messages.kbytes`.
///
/// Rebalances, errors and the other events are small and rare: they are never held
/// back, so a revocation reaches the application even while record batches wait.
public struct KafkaConsumerEvents: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerEvent

    let stream: AsyncStream<KafkaConsumerEvent>
    let credits: RDKafkaRecordCredits

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), credits: credits)
    }

    /// Takes the events one by one; taking a batch of records lets the poll thread hand
    /// over the next one.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<KafkaConsumerEvent>.Iterator
        let credits: RDKafkaRecordCredits

        public mutating func next() async -> KafkaConsumerEvent? {
            let event = await base.next()
            if case .records = event { credits.release() }
            return event
        }
    }
}
