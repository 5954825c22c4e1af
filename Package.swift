// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "cardgenius",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cardgenius", targets: ["CardGeniusCLI"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "CardGenius", targets: ["CardGenius"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        // Reloading: ReloadingFileProvider, which watches the configuration file (SettingsWatcher).
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "Reloading"]),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
    ],
    targets: [
        // The C layer: librdkafka 2.0.2 (Debian's librdkafka-dev), including the mock cluster.
        .systemLibrary(
            name: "CRDKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // A safe Swift API over librdkafka: producer, consumer group member, mock cluster.
        .target(
            name: "Kafka",
            dependencies: [
                "CRDKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The project's JSON pieces: the strict scanner over bytes shared by the input-record,
        // response and simulator-request parsers and the configuration file; the byte writer and
        // string escaper; the one JSON value type; the did-you-mean for misspelled keys.
        .target(name: "StrictJSON"),
        // Flow control as pure state machines over an injected clock: the token bucket (shared
        // by the pipeline and the simulator), the circuit breaker and the member's hold.
        .target(name: "FlowControl"),
        // Typed service configuration over swift-configuration: the schema, the file format,
        // the CARDGENIUS_* environment, flags, validation, redaction and the reload watcher.
        .target(
            name: "Settings",
            dependencies: [
                "StrictJSON",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The CardGenius API: spend records, request/response models, HTTP client, retry policy.
        .target(
            name: "CardGenius",
            dependencies: [
                "StrictJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A stand-in for the CardGenius API with its latency, rate limits and faults.
        .target(
            name: "Simulator",
            dependencies: [
                "CardGenius",
                "FlowControl",
                "StrictJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The recommendation pipeline: a consumer-group member under group-wide budgets.
        .target(
            name: "Pipeline",
            dependencies: [
                "Kafka",
                "CardGenius",
                "FlowControl",
                "Settings",
                "StrictJSON",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Operations on the topics and the group: offset resets (replay), lag and status,
        // export, dead-letter redrive, cohort reports.
        .target(
            name: "Operations",
            dependencies: [
                "Kafka",
                "CardGenius",
                "Pipeline",
                "Planning",
                "Settings",
                "StrictJSON",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Capacity planning: what a run will do to throughput, bandwidth and the CardGenius API.
        // Pure: no dependencies and no I/O (fetching a member's metrics is in Operations).
        .target(name: "Planning"),
        // The application: a member (pipeline, metrics endpoint, configuration reload as
        // Services in one ServiceGroup), the producer job, the whole `run` job, and the jobs
        // behind `tail`, `status` and `replay --watch`; the CLI maps arguments onto them.
        .target(
            name: "CardGeniusApp",
            dependencies: [
                "Kafka",
                "CardGenius",
                "Simulator",
                "Pipeline",
                "Settings",
                "Planning",
                "Operations",
                "StrictJSON",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The `cardgenius` command: arguments to settings, then the application's types.
        .executableTarget(
            name: "CardGeniusCLI",
            dependencies: [
                "CardGeniusApp",
                "Kafka",
                "CardGenius",
                "Simulator",
                "Settings",
                "Planning",
                "Operations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(
            name: "SettingsTests",
            dependencies: [
                "Settings", "StrictJSON",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test support shared by the CardGenius and Simulator suites (not shipped).
        .target(
            name: "SimulatorTestSupport",
            dependencies: [
                "CardGenius", "Simulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SimulatorTestSupport"
        ),
        .testTarget(
            name: "CardGeniusTests",
            dependencies: [
                "StrictJSON",
                "CardGenius", "Simulator", "SimulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "Simulator", "CardGenius", "SimulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Test support shared by the suites that run `cardgenius` as processes (not shipped):
        // locating the binary, child processes, free ports, HTTP GETs.
        .target(
            name: "ProcessTestSupport",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ProcessTestSupport"
        ),
        // Test support for the suites that publish and read topics (not shipped): record counts,
        // dead-letter and producer-input fixtures.
        .target(
            name: "KafkaTestSupport",
            dependencies: ["Kafka", "ProcessTestSupport"],
            path: "Tests/KafkaTestSupport"
        ),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Kafka", "CardGenius", "Simulator", "ProcessTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Kafka", "CardGenius", "ProcessTestSupport", "KafkaTestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning"]),
        .testTarget(name: "FlowControlTests", dependencies: ["FlowControl"]),
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "Operations", "Kafka", "Pipeline", "Planning",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "ApplicationTests",
            dependencies: [
                "CardGeniusApp", "Kafka", "CardGenius", "Operations", "Pipeline", "Settings", "ProcessTestSupport", "KafkaTestSupport",
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
    ]
)
