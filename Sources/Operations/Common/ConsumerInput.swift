import AsyncAlgorithms
import Kafka

/// What an operation's read loop takes from a consumer: its events, a tick now and then so
/// that the loop notices time passing while no event arrives (a stop request, an idle end, a
/// broker gone silent), and the end of the events.
enum ConsumerInput: Sendable {
    case event(KafkaConsumerEvent)
    case tick
    case end
}

/// The consumer's events then `.end`, merged with a `.tick` every interval.
typealias ConsumerInputs = AsyncMerge2Sequence<
    AsyncChain2Sequence<AsyncMapSequence<KafkaConsumerEvents, ConsumerInput>, AsyncSyncSequence<[ConsumerInput]>>,
    AsyncMapSequence<AsyncTimerSequence<ContinuousClock>, ConsumerInput>
>

extension KafkaConsumer {
    /// The events merged with a tick every `interval`, `.end` once the events end (the ticks
    /// go on: the loop stops there). Leaving the loop cancels the merge's readers, which ends
    /// the events' stream: nothing then waits for this reader, neither ``close()`` nor a
    /// revocation.
    func inputs(tickingEvery interval: Duration) -> ConsumerInputs {
        merge(
            chain(events.map { ConsumerInput.event($0) }, [ConsumerInput.end].async),
            AsyncTimerSequence.repeating(every: interval, clock: .continuous).map { _ in ConsumerInput.tick }
        )
    }
}
