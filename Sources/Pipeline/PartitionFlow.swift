import Kafka
import Logging
import Synchronization

/// Owns a member's ``PipelineState`` (behind a `Mutex`, shared by the pipeline's tasks,
/// its breaker callback and the partition-control queue) and brings librdkafka's pause
/// state of the member's partitions to what that state wants: every change of the state's wish is followed by ``apply(_:)``, which runs on
/// the consumer's serial partition-control queue (off the cooperative pool) and applies
/// the wish *as it is when it runs*. So pauses and resumes decided by different tasks can
/// never land in the wrong order (the queue is serial and each run reads the wish anew).
/// The wish is read under the state's lock, librdkafka's pause/resume (which block until
/// every fetcher has taken the change) run after it is released: the pipeline's tasks
/// never wait on librdkafka for the lock. A change meant for an assignment that is gone is
/// never applied to the next one: a revocation is acknowledged only after ``settle()``,
/// so every run that read the old assignment's wish has finished before librdkafka
/// unassigns.
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
            let (pause, resume) = state.withLock { $0.flow(partitions) }
            do {
                try control.pause(pause)
                try control.resume(resume)
            } catch {
                logger.warning("pausing/resuming \(partitions) failed: \(error)")
            }
        }
    }

    /// Returns once every ``apply(_:)`` asked for so far has run (the partition-control
    /// queue is serial). Called after the state forgot revoked partitions and before the
    /// revocation is acknowledged: no pause or resume read from the old assignment lands
    /// after librdkafka's unassign (where it would touch the next assignment).
    func settle() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            consumer.controlPartitions { _ in done.resume() }
        }
    }
}
