extension ProducerJob {
    /// What the producer's loop keeps between batches, and what each outcome asks of it:
    /// counts in, actions out, no I/O (the loop does the writing and logging).
    ///
    /// The loop has no flow-control state of its own: each batch waits for all its delivery
    /// reports (`KafkaProducer.sendBatch`, which also retries a full local queue), and the
    /// progress line throttles itself. What is left is this bookkeeping: the counts, the
    /// rejects file opened on the first reject only, and a cap on the delivery-failure log
    /// lines (a broker that refuses everything must not write one line per record).
    struct Tally: Equatable {
        /// Delivery failures logged one line each; the rest are counted only.
        static let loggedFailures = 10

        private(set) var summary: Summary

        init(rejectsPath: String) { summary = Summary(rejectsPath: rejectsPath) }

        /// Records handled so far (published or rejected), for the progress line.
        var done: Int { summary.published + summary.rejected }

        /// What to do with a rejected record before writing it to the rejects file.
        enum RejectAction: Equatable { case openRejectsFile, write }

        /// What to do about a delivery failure.
        enum FailureAction: Equatable { case log, count }

        /// A record failed validation.
        mutating func rejected() -> RejectAction {
            summary.rejected += 1
            return summary.rejected == 1 ? .openRejectsFile : .write
        }

        /// The broker acknowledged a record.
        mutating func delivered() { summary.published += 1 }

        /// A record could not be delivered.
        mutating func undelivered() -> FailureAction {
            summary.undelivered += 1
            return summary.undelivered <= Self.loggedFailures ? .log : .count
        }
    }
}
