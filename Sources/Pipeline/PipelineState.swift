import CardGenius
import DequeModule
import Kafka

/// A record taken from Kafka and not yet complete.
struct WorkItem: Sendable {
    var record: KafkaRecord
    /// The generation of the partition's assignment the record belongs to.
    var generation: UInt64
    /// What one user's records are ordered by: the `user_id` of the record's value (the
    /// output contract orders by user), or the Kafka key when the value has none.
    var orderKey: [UInt8]
    /// The record's value as parsed when it was taken (nil: parse it when it starts).
    var parsed: Result<UserSpendRecord, RecordValidationError>?
}

/// The member's bookkeeping: which partitions it owns, the records it holds for each,
/// which keys are busy, and what may be committed. Pure state; its methods return the
/// actions for the caller to carry out outside the lock (swift-nio style).
struct PipelineState: Sendable {
    struct Partition: Sendable {
        let generation: UInt64
        var tracker: OffsetTracker
        /// Records ready to start, in offset order.
        var ready: Deque<WorkItem> = []
        /// Records waiting for an earlier record with the same key to complete.
        var blocked: [[UInt8]: Deque<WorkItem>] = [:]
        var blockedCount = 0
        /// Keys with a record ready or started and not complete: a key's next record waits
        /// in ``blocked`` until then, so one user's records run strictly in order.
        var busyKeys: Set<[UInt8]> = []
        var started = 0
        /// Started records in an API call or publishing their result (the work a
        /// revocation or a shutdown waits for; records backing off are given up).
        var busy = 0
        var paused = false
        var atEnd = false
        var revoking = false
        /// Set when the partition's final commit is about to be made (the revocation's or
        /// the shutdown's drain is over): no result of it may be handed to the producer any
        /// more, so none lands after that commit (or after the next owner's newer result).
        var sealed = false
        /// Results of this partition handed to the producer and awaiting their delivery report.
        var publishing = 0
        var lastCommit: KafkaPartitionOffset?
        /// When a record of this partition last completed (or the partition was assigned,
        /// or the member was last held by the API): what stall detection measures.
        var lastProgress: ContinuousClock.Instant
        /// Whether a record or the partition's end arrived since the assignment: only then
        /// has librdkafka's fetch surely started. A pause before that can make librdkafka
        /// 2.0.2 drop the fetch start as outdated, so the breaker's pause waits for it.
        var fetched = false
        /// When the partition last delivered, was assigned or was resumed: what the check
        /// for a partition librdkafka does not fetch measures.
        var lastFetch: ContinuousClock.Instant
        /// Fetch restarts since the partition last delivered: each doubles the wait for the
        /// next (a partition that ends in a transaction marker, or waits behind an open
        /// transaction, stays below its high watermark with a working fetch).
        var fetchRestarts = 0

        var buffered: Int { ready.count + blockedCount }

        /// The offset to commit now, with the completed offsets above it as metadata; nil
        /// before the partition has a position.
        func commitPoint(_ tp: KafkaTopicPartition) -> KafkaPartitionOffset? {
            let watermark = tracker.watermark
            guard watermark >= 0 else { return nil }
            return KafkaPartitionOffset(
                topicPartition: tp, offset: watermark,
                metadata: CommitMetadata.encode(watermark: watermark, ranges: tracker.completedRangesAboveWatermark))
        }
    }

    private(set) var partitions: [KafkaTopicPartition: Partition] = [:]
    private var nextGeneration: UInt64 = 1
    private var roundRobin: [KafkaTopicPartition] = []
    private var cursor = 0
    /// Records started and not complete (calling, backing off or publishing).
    private(set) var active = 0
    var stopping = false
    var breakerOpen = false
    /// The number of the last circuit-breaker transition applied.
    private(set) var breakerSequence: UInt64 = 0
    /// Whether the member has had its first assignment (possibly empty).
    private(set) var joined = false
    /// Between a revocation and the next assignment: owning nothing then says nothing
    /// about being done.
    private(set) var rebalancing = false
    let maxBuffered: Int

    init(maxBuffered: Int) { self.maxBuffered = max(1, maxBuffered) }

    var ownedPartitions: [KafkaTopicPartition] { Array(partitions.keys).sorted() }
    var bufferedTotal: Int { partitions.values.reduce(0) { $0 + $1.buffered } }

    // MARK: Assignment

    /// New partitions, starting at their committed offsets (and skipping what the commit
    /// metadata says was already done: `completed`, decoded by the caller outside the lock,
    /// see ``RecommendationPipeline/completedMarks(_:)``). They start resumed, as the Kafka
    /// layer leaves them, even while the circuit breaker is open: a pause right after the
    /// assignment can make librdkafka 2.0.2 drop the partition's fetch start, so the
    /// breaker's pause waits for the partition's first delivery (see ``take(_:)``).
    mutating func assign(
        _ offsets: [KafkaPartitionOffset], completed: [KafkaTopicPartition: [ClosedRange<Int64>]] = [:],
        now: ContinuousClock.Instant = .now
    ) {
        joined = true
        rebalancing = false
        for o in offsets {
            let committed = o.offset >= 0 ? o.offset : -1
            let skip = completed[o.topicPartition] ?? []
            var p = Partition(
                generation: nextGeneration, tracker: OffsetTracker(committed: committed, completedRanges: skip),
                lastProgress: now, lastFetch: now)
            // What is committed now is what this member would commit first: no commit until
            // it has something new to say (the previous owner's metadata is carried on).
            p.lastCommit = p.commitPoint(o.topicPartition)
            partitions[o.topicPartition] = p
            nextGeneration += 1
        }
        roundRobin = ownedPartitions
    }

    /// Stops starting records of `revoked`, dropping the ones not started.
    mutating func beginRevoke(_ revoked: [KafkaTopicPartition]) {
        rebalancing = true
        for tp in revoked where partitions[tp] != nil {
            partitions[tp]!.revoking = true
            partitions[tp]!.ready.removeAll()
            partitions[tp]!.blocked.removeAll()
            partitions[tp]!.blockedCount = 0
        }
    }

    /// Records of `revoked` in an API call or publishing.
    func busyCount(_ revoked: [KafkaTopicPartition]) -> Int {
        revoked.reduce(0) { $0 + (partitions[$1]?.busy ?? 0) }
    }

    /// Records of all partitions in an API call or publishing.
    var busyTotal: Int { partitions.values.reduce(0) { $0 + $1.busy } }

    /// Marks a record as in an API call. Returns false (and marks nothing) if its partition
    /// is being revoked or was revoked meanwhile: no new call starts then.
    mutating func beginBusy(_ item: WorkItem) -> Bool {
        guard isCurrent(item) else { return false }
        partitions[item.record.topicPartition]!.busy += 1
        return true
    }

    /// Marks a record as publishing its result. Allowed while its partition is still held
    /// by the same assignment, even while the revocation drains (the partition is not given
    /// up before the drain ends); never once the assignment is gone, so a call that
    /// outlived the drain cannot publish after the next owner's newer result for the key.
    mutating func beginPublish(_ item: WorkItem) -> Bool {
        guard holds(item) else { return false }
        partitions[item.record.topicPartition]!.busy += 1
        return true
    }

    /// Ends what ``beginBusy(_:)`` began.
    mutating func endBusy(_ item: WorkItem) {
        guard partitions[item.record.topicPartition]?.generation == item.generation else { return }
        partitions[item.record.topicPartition]!.busy -= 1
    }

    /// Seals `partitions` (all owned ones if nil): their final commit comes next, so no
    /// result of theirs may be handed to the producer from now on (see ``beginSend(_:)``).
    mutating func seal(_ only: [KafkaTopicPartition]?) {
        for tp in only ?? ownedPartitions where partitions[tp] != nil { partitions[tp]!.sealed = true }
    }

    /// Marks one attempt to hand a result to the producer. Refused (false) once the
    /// record's assignment is gone or its partition is sealed: the check and the count are
    /// under the same lock as ``seal(_:)``, so after a seal the only sends left are those
    /// counted by ``publishingCount(_:)``, which the seal's owner waits for.
    mutating func beginSend(_ item: WorkItem) -> Bool {
        guard holds(item) else { return false }
        partitions[item.record.topicPartition]!.publishing += 1
        return true
    }

    /// Ends what ``beginSend(_:)`` began (the delivery report came, or the wait was given up).
    mutating func endSend(_ item: WorkItem) {
        guard partitions[item.record.topicPartition]?.generation == item.generation else { return }
        partitions[item.record.topicPartition]!.publishing -= 1
    }

    /// Results of `partitions` (all if nil) handed to the producer and awaiting their report.
    func publishingCount(_ only: [KafkaTopicPartition]?) -> Int {
        (only ?? ownedPartitions).reduce(0) { $0 + (partitions[$1]?.publishing ?? 0) }
    }

    /// Forgets revoked partitions.
    mutating func finishRevoke(_ revoked: [KafkaTopicPartition]) {
        for tp in revoked { partitions[tp] = nil }
        roundRobin = ownedPartitions
    }

    // MARK: Intake

    /// What to do with a batch of records.
    struct IntakeResult {
        var accepted = 0
        var skipped = 0
        var pause: [KafkaTopicPartition] = []
        /// Offsets the consumer jumped over (compaction, transaction markers, or a fault):
        /// the watermark passes them, so they are worth a log line.
        var gaps: [(KafkaTopicPartition, Range<Int64>)] = []
    }

    /// Takes a batch: records of partitions not owned (stale), redeliveries, and offsets
    /// a previous owner completed are dropped; the rest wait for their key. `parsed` and
    /// `orderKeys` (one per record, found outside the lock: see
    /// ``InputValidation/orderKey(_:parsed:)``) carry each record's parsed value and say
    /// which records belong to one user; without them, the Kafka keys do.
    mutating func take(
        _ records: [KafkaRecord], parsed: [Result<UserSpendRecord, RecordValidationError>]? = nil,
        orderKeys: [[UInt8]]? = nil
    ) -> IntakeResult {
        var result = IntakeResult()
        guard !stopping else { return result }
        let now = ContinuousClock.now
        for (index, record) in records.enumerated() {
            let tp = record.topicPartition
            let (maxBuffered, breakerOpen) = (self.maxBuffered, self.breakerOpen)
            // Mutate in place: copying a Partition out of the dictionary would copy its
            // queues on every record (copy-on-write).
            withPartition(tp) { p in
                guard !p.revoking else { return }
                p.fetched = true
                p.lastFetch = now
                p.fetchRestarts = 0
                p.atEnd = false
                let expected = p.tracker.nextOffset
                guard p.tracker.take(record.offset) else { return }
                if expected >= 0 && record.offset > expected { result.gaps.append((tp, expected..<record.offset)) }
                if p.tracker.wasCompletedBefore(record.offset) {
                    p.tracker.complete(record.offset)
                    p.lastProgress = .now
                    result.skipped += 1
                    return
                }
                let key = orderKeys?[index] ?? record.key ?? []
                let item = WorkItem(record: record, generation: p.generation, orderKey: key, parsed: parsed?[index])
                result.accepted += 1
                if p.busyKeys.contains(key) {
                    p.blocked[key, default: []].append(item)
                    p.blockedCount += 1
                } else {
                    p.busyKeys.insert(key)
                    p.ready.append(item)
                }
                // The breaker's pause of a partition whose fetch had not started yet waits
                // for its first delivery (``assign(_:now:)``): it is applied here.
                if !p.paused && (p.buffered >= maxBuffered || breakerOpen) {
                    p.paused = true
                    result.pause.append(tp)
                }
            }
        }
        return result
    }

    /// Runs `body` on a partition's state in place, if the partition is owned.
    @discardableResult
    private mutating func withPartition<R>(_ tp: KafkaTopicPartition, _ body: (inout Partition) -> R) -> R? {
        guard let index = partitions.index(forKey: tp) else { return nil }
        return body(&partitions.values[index])
    }

    mutating func markEnd(_ tp: KafkaTopicPartition, offset: Int64) {
        withPartition(tp) { p in
            p.atEnd = p.tracker.nextOffset >= offset || p.tracker.nextOffset < 0
            p.fetched = true
            p.lastFetch = .now
        }
    }

    // MARK: Dispatch

    /// The next record to start, round-robin over partitions, or nil.
    mutating func next() -> (WorkItem?, resume: [KafkaTopicPartition]) {
        guard !stopping, !roundRobin.isEmpty else { return (nil, []) }
        let (maxBuffered, breakerOpen) = (self.maxBuffered, self.breakerOpen)
        for step in 0..<roundRobin.count {
            let tp = roundRobin[(cursor + step) % roundRobin.count]
            let taken = withPartition(tp) { p -> (WorkItem, Bool)? in
                guard !p.revoking, let item = p.ready.popFirst() else { return nil }
                p.started += 1
                let resume = p.paused && !breakerOpen && p.buffered <= maxBuffered / 2
                if resume {
                    p.paused = false
                    p.lastFetch = .now
                }
                return (item, resume)
            }
            guard let (item, resume) = taken ?? nil else { continue }
            active += 1
            cursor = (cursor + step + 1) % roundRobin.count
            return (item, resume ? [tp] : [])
        }
        return (nil, [])
    }

    /// Marks a started record complete (its result is durably in Kafka), releasing its
    /// key. Returns false if the record's partition was revoked meanwhile.
    @discardableResult
    mutating func complete(_ item: WorkItem) -> Bool {
        active -= 1
        return withPartition(item.record.topicPartition) { p -> Bool in
            guard p.generation == item.generation else { return false }
            p.tracker.complete(item.record.offset)
            p.lastProgress = .now
            p.started -= 1
            let key = item.orderKey
            if let nextItem = p.blocked[key]?.popFirst() {
                // The key stays busy: its next record is now ready.
                p.blockedCount -= 1
                if p.blocked[key]?.isEmpty == true { p.blocked[key] = nil }
                if !p.revoking { p.ready.append(nextItem) }
            } else {
                p.busyKeys.remove(key)
            }
            return true
        } ?? false
    }

    /// Gives up a started record without completing it (revoked or shutting down): it will
    /// be redone by whoever reads the partition next.
    mutating func abandon(_ item: WorkItem) {
        active -= 1
        let tp = item.record.topicPartition
        guard partitions[tp]?.generation == item.generation else { return }
        // The key stays busy: its later records must not overtake the abandoned one, which
        // the next owner of the partition redoes first.
        partitions[tp]!.started -= 1
    }

    /// Whether the record's partition is still held by the same assignment (possibly
    /// draining for a revocation) and not sealed for its final commit: its result may
    /// still be published.
    func holds(_ item: WorkItem) -> Bool {
        guard let p = partitions[item.record.topicPartition] else { return false }
        return p.generation == item.generation && !p.sealed
    }

    /// Whether the record's partition is still owned by the same assignment and not being
    /// revoked: new work for it may start.
    func isCurrent(_ item: WorkItem) -> Bool {
        guard let p = partitions[item.record.topicPartition] else { return false }
        return p.generation == item.generation && !p.revoking
    }

    // MARK: Commits

    /// Offsets (with metadata) that changed since the last commit, for `only` or all.
    func pendingCommits(only: [KafkaTopicPartition]? = nil) -> [KafkaPartitionOffset] {
        (only ?? ownedPartitions).compactMap { tp in
            guard let p = partitions[tp], let offset = p.commitPoint(tp) else { return nil }
            return offset == p.lastCommit ? nil : offset
        }
    }

    mutating func committed(_ offsets: [KafkaPartitionOffset]) {
        for o in offsets where partitions[o.topicPartition] != nil {
            partitions[o.topicPartition]!.lastCommit = o
        }
    }

    // MARK: Pausing

    /// Applies a circuit-breaker transition, unless a later one was applied already (the
    /// breaker reports transitions outside its lock, so they may arrive out of order).
    /// `open` pauses the partitions; `half-open` and `closed` resume them (in half-open, so
    /// that a probe has a record to call with whatever was revoked meanwhile). Returns the
    /// partitions whose pause state changed, or nil for a transition that came too late.
    mutating func applyBreaker(_ transition: CircuitBreaker.Transition) -> [KafkaTopicPartition]? {
        guard transition.sequence > breakerSequence else { return nil }
        breakerSequence = transition.sequence
        return setBreakerOpen(transition.state == .open)
    }

    /// Pauses every partition whose fetch has started (the API is down; the others are
    /// paused with their first delivery) or resumes the ones not over their buffer.
    /// Returns the partitions whose pause state changed.
    mutating func setBreakerOpen(_ open: Bool, now: ContinuousClock.Instant = .now) -> [KafkaTopicPartition] {
        breakerOpen = open
        var changed: [KafkaTopicPartition] = []
        for (tp, p) in partitions {
            if open && !p.paused && p.fetched {
                partitions[tp]!.paused = true
                changed.append(tp)
            }
            if !open && p.paused && p.buffered <= maxBuffered / 2 {
                partitions[tp]!.paused = false
                partitions[tp]!.lastFetch = now
                changed.append(tp)
            }
        }
        return changed
    }

    /// Pauses every owned partition (the member is stopping); returns them.
    mutating func pauseAll() -> [KafkaTopicPartition] {
        for tp in partitions.keys { partitions[tp]!.paused = true }
        return ownedPartitions
    }

    /// The pause state this member wants now for those of `partitions` it owns.
    func flow(_ partitions: [KafkaTopicPartition]) -> (pause: [KafkaTopicPartition], resume: [KafkaTopicPartition]) {
        var pause: [KafkaTopicPartition] = []
        var resume: [KafkaTopicPartition] = []
        for tp in partitions {
            guard let p = self.partitions[tp] else { continue }
            if p.paused { pause.append(tp) } else { resume.append(tp) }
        }
        return (pause, resume)
    }

    // MARK: Stalls

    /// Counts every owned partition as progressing now (while the member is held by the
    /// circuit breaker or a `Retry-After`, no progress is expected).
    mutating func touchAll(_ now: ContinuousClock.Instant = .now) {
        for tp in partitions.keys { partitions[tp]!.lastProgress = now }
    }

    /// Owned partitions (not being revoked) where nothing completed since `cutoff`.
    func idleSince(_ cutoff: ContinuousClock.Instant) -> [KafkaTopicPartition] {
        partitions.filter { !$0.value.revoking && $0.value.lastProgress < cutoff }.map(\.key).sorted()
    }

    // MARK: Fetching

    /// Owned partitions that should be fetching and are not: not paused by this member,
    /// not being revoked, not over their buffer, behind their high watermark (`highs`),
    /// and nothing delivered for `timeout` (doubled for each restart since the partition
    /// last delivered, up to 32 times) — with the offset librdkafka should fetch next (the
    /// one after the last delivered record, or the committed offset if none).
    func notFetching(
        for timeout: Duration, now: ContinuousClock.Instant = .now,
        highs: [KafkaTopicPartition: Int64]
    ) -> [KafkaPartitionOffset] {
        guard joined && !rebalancing && !stopping else { return [] }
        return partitions.compactMap { tp, p -> KafkaPartitionOffset? in
            guard !p.paused, !p.revoking, p.buffered < maxBuffered,
                now - p.lastFetch > timeout * (1 << min(p.fetchRestarts, 5)),
                let high = highs[tp], p.tracker.nextOffset < high
            else { return nil }
            return KafkaPartitionOffset(topicPartition: tp, offset: p.tracker.nextOffset >= 0 ? p.tracker.nextOffset : KafkaOffset.invalid)
        }.sorted { $0.topicPartition < $1.topicPartition }
    }

    /// The offset to fetch next for every owned partition (the one after the last
    /// delivered record, or ``KafkaOffset/invalid``: the committed offset).
    var fetchPositions: [KafkaPartitionOffset] {
        partitions.map { tp, p in
            KafkaPartitionOffset(topicPartition: tp, offset: p.tracker.nextOffset >= 0 ? p.tracker.nextOffset : KafkaOffset.invalid)
        }.sorted { $0.topicPartition < $1.topicPartition }
    }

    /// Counts every owned partition as fetching from now (after a fetch restart), and
    /// `restarted` as restarted once more.
    mutating func touchFetching(restarted: [KafkaTopicPartition] = [], _ now: ContinuousClock.Instant = .now) {
        for tp in partitions.keys { partitions[tp]!.lastFetch = now }
        for tp in restarted where partitions[tp] != nil { partitions[tp]!.fetchRestarts += 1 }
    }

    // MARK: Idle

    /// Nothing held or started, and every owned partition read to its end.
    var isIdleAtEnd: Bool {
        joined && !rebalancing && active == 0 && partitions.values.allSatisfy { $0.atEnd && $0.buffered == 0 && $0.started == 0 }
    }

    /// Records held (not started) plus started.
    var unfinished: Int { bufferedTotal + active }
}
