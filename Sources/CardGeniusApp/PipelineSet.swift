import Pipeline
import ServiceLifecycle

/// `run`'s members as one `Service` that ends when every one of them has.
///
/// The members stop together (the collector asks each to once every record has a result),
/// and a `ServiceGroup` takes a service that ends while it shuts down another as a failure
/// (`serviceFinishedUnexpectedly`): with each member its own service, the first to end
/// started the group's shutdown and a second ending during the collector's failed the run.
/// A member that throws ends the others and the group with its error, as before.
struct PipelineSet: Service {
    let pipelines: [RecommendationPipeline]

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for pipeline in pipelines {
                group.addTask { try await pipeline.run() }
            }
        }
    }
}
