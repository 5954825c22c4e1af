import Kafka
import Logging

/// Brings librdkafka's pause state of a member's partitions to what ``PipelineState``
/// wants: every change of the state's wish is followed by ``apply(_:)``, which runs on
/// the consumer's serial partition-control queue (off the cooperative pool) and applies
/// the wish *as it is when it runs*, under the state's lock. So pauses and resumes decided
/// by different tasks can never land in the wrong order, and a change meant for an
/// assignment that is gone is never applied to the next one.
struct PartitionFlow: Sendable {
    let state: LockedValue<PipelineState>
    let consumer: KafkaConsumer
    let logger: Logger

    /// Applies the state's current wish for `partitions` (those not owned are left alone).
    func apply(_ partitions: [KafkaTopicPartition]) {
        guard !partitions.isEmpty else { return }
        let (state, logger) = (self.state, self.logger)
        consumer.controlPartitions { control in
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
