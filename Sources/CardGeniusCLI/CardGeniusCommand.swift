import ArgumentParser

/// `cardgenius`: user-spend records in, credit-card recommendations out, through Kafka.
@main
struct CardGeniusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cardgenius",
        abstract: "Turns user spend profiles into credit-card recommendations at scale, through Kafka.",
        discussion: """
            Quick start: `cardgenius run --users 300` runs the whole job on one machine (embedded Kafka \
            broker, CardGenius simulator, producer and consumer group).
            """,
        subcommands: [
            ConsumeCommand.self,
            RunCommand.self,
            ProduceCommand.self,
            DevBrokerCommand.self,
            SimulateAPICommand.self,
            TailCommand.self,
            StatusCommand.self,
            ReplayCommand.self,
            ReportCommand.self,
            ExportCommand.self,
            RedriveCommand.self,
            PlanCommand.self,
            ConfigCommand.self,
        ]
    )
}
