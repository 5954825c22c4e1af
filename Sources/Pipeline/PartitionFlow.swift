import Kafka
import Logging
import Synchronization

/// Owns a member's ``PipelineState`` (behind a `Mutex`, shared by the pipeline's tasks,
/// its breaker callback and the partition-control queue) and brings librdkafka's pause
/// state of the member's partitions to what that state wants: every change of the state's wish is followed by ``apply(_:)``, which runs on
/// the consumer's serial partition-control queue (off the cooperative pool) and applies
/// the wish *as it is when it runs*, under the state's lock. So pauses and resumes decided
/// by different tasks can never land in the wrong order, and a change meant for an
/// assignment that is gone is never applied to the next one.
final class PartitionFlow: Sendable {
    /// The member's partitions, buffers and in-flight work.
    let state: Mutex<PipelineState>
    let consumer: KafkaConsumer
    let logger: Logger

    init(state: consuming PipelineState, consumer: KafkaConsumer, logger: Logger) {
        self.state = Mutex(state)
        self.consumer = consumer
        self.logger = logger
    }

    /// Applies the state's current wish for `partitions` (those not owned are left alone).
    func apply(_ partitions: [KafkaTopicPartition]) {
        guard !partitions.isEmpty else { return }
        consumer.controlPartitions { [self] control in
            state.withLock { s in
                let (pause, resume) = s.flow(partitions)
                do {
                    try control.pause(pause)
                    try control.resume(resume)
                } catch {
                    logger.warning("pausing/resuming \(partitions) failed: \(error)")
                }
            }
        }
    }
}
