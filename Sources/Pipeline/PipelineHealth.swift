import FlowControl
import Kafka

/// A member's health and readiness, as served by `GET /readyz`: a consistent copy taken
/// by ``RecommendationPipeline/health``.
///
/// A member is ready when it has joined the group and been given its assignment (possibly
/// empty, in a stable group), the broker answered within ``brokerSilenceLimit``, the
/// circuit breaker is closed (open or half-open means CardGenius is considered down: the
/// partitions are paused while open, and in half-open only one probe call is made), no
/// owned partition with lag has stalled, it is not holding its partitions at a zero share
/// of the budgets, CardGenius has not imposed a hold longer than a minute (``apiHold``),
/// and it is not stopping.
package struct PipelineHealth: Sendable, Equatable {
    /// How long the broker may stay silent before the member is not ready.
    package static let brokerSilenceLimit: Duration = .seconds(30)

    /// Whether the member has had an assignment and is not in the middle of a rebalance.
    package var joined: Bool
    /// Input partitions this member owns.
    package var assignedPartitions: Int
    /// The circuit breaker's state.
    package var circuit: CircuitBreaker.State
    /// Time since the broker last answered (a watermark or metadata query, a commit), or
    /// `nil` if it has not answered yet.
    package var brokerSilence: Duration?
    /// Whether the member is draining to stop.
    package var stopping: Bool
    /// Records of the owned partitions not yet complete (high watermark minus the commit
    /// point), or `nil` before the first measurement.
    package var lag: Int?
    /// The lag at the current throughput, in seconds; `nil` when unknown (no lag
    /// measured, or no record completed recently while there is lag).
    package var lagSeconds: Double?
    /// Records completed per second over the last half minute.
    package var throughput: Double
    /// Owned partitions with lag where nothing completed for ``stallTimeout`` while the
    /// member was not held by the circuit breaker or a `Retry-After`.
    package var stalledPartitions: [KafkaTopicPartition]
    /// How long a partition with lag may go without a completion.
    package var stallTimeout: Duration
    /// Why the member holds its partitions at a zero share of the budgets (starved, or the
    /// partition count unknown), if it does.
    package var budgetHold: String?
    /// A hold longer than a minute that CardGenius imposed with `Retry-After`, while it
    /// lasts (no call of the member starts); `nil` when none is in force.
    package var apiHold: APIHold?

    /// A long member-wide hold imposed by CardGenius' `Retry-After`: what is left of it, the
    /// wait the server asked for and the wait applied (``RetryAfter/longestHonoured`` at most).
    package typealias APIHold = LongHold

    /// Creates a health report.
    package init(
        joined: Bool, assignedPartitions: Int, circuit: CircuitBreaker.State, brokerSilence: Duration?,
        stopping: Bool, lag: Int?, lagSeconds: Double?, throughput: Double,
        stalledPartitions: [KafkaTopicPartition] = [], stallTimeout: Duration = .seconds(120),
        budgetHold: String? = nil, apiHold: APIHold? = nil
    ) {
        self.joined = joined
        self.assignedPartitions = assignedPartitions
        self.circuit = circuit
        self.brokerSilence = brokerSilence
        self.stopping = stopping
        self.lag = lag
        self.lagSeconds = lagSeconds
        self.throughput = throughput
        self.stalledPartitions = stalledPartitions
        self.stallTimeout = stallTimeout
        self.budgetHold = budgetHold
        self.apiHold = apiHold
    }

    /// Why the member is not ready; empty when it is.
    package var notReadyReasons: [String] {
        var reasons: [String] = []
        if stopping { reasons.append("stopping") }
        if !joined { reasons.append("not joined: waiting for an assignment") }
        switch brokerSilence {
        case nil: reasons.append("the broker has not answered yet")
        case let silence? where silence > Self.brokerSilenceLimit:
            reasons.append("the broker has not answered for \(silence.components.seconds) s")
        default: break
        }
        if circuit != .closed { reasons.append("circuit breaker \(circuit.rawValue): CardGenius is considered down") }
        if let hold = apiHold {
            reasons.append(
                "held by CardGenius' Retry-After: no API call for \(hold.remaining.components.seconds) s more "
                    + "(asked \(hold.asked.components.seconds) s, applied \(hold.applied.components.seconds) s)")
        }
        if !stalledPartitions.isEmpty {
            let names = stalledPartitions.map(\.description).joined(separator: ", ")
            reasons.append("stalled: partitions with lag completed nothing for \(stallTimeout.components.seconds) s: \(names)")
        }
        if let budgetHold { reasons.append(budgetHold) }
        return reasons
    }

    /// Whether the member is ready (``notReadyReasons`` is empty).
    package var isReady: Bool { notReadyReasons.isEmpty }
}
