import Configuration
import Foundation
import Logging
import StrictJSON
import Testing

@testable import Settings

/// Loads `json` as a file named `config/real_config.json`.
private func parse(_ json: String) throws(SettingsError) -> ServiceSettings {
    try ServiceSettings.parse(json: Array(json.utf8), source: "config/real_config.json")
}

/// The error `body` throws, or a recorded issue if it does not throw.
private func error(_ body: () throws -> ServiceSettings) -> SettingsError? {
    do {
        _ = try body()
        Issue.record("expected a SettingsError")
        return nil
    } catch let error as SettingsError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

private func writeTemp(_ json: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("settings-\(UUID().uuidString).json").path
    try Data(json.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite struct PrecedenceTests {
    @Test func defaultsWhenNoFile() throws {
        let s = try ServiceSettings.load(file: nil, environment: [:], overrides: [:])
        #expect(s == ServiceSettings.defaults)
        #expect(s.kafka.bootstrapServers == "localhost:9092")
        #expect(s.kafka.inputTopic == "user-spends")
        #expect(s.kafka.outputTopic == "card-recommendations")
        #expect(s.kafka.dlqTopic == "user-spends.dlq")
        #expect(s.kafka.groupID == "cardgenius-recommenders")
        #expect(s.kafka.properties.isEmpty)
        #expect(s.api.url == "https://card-recommendation-api-v2.bankkaro.com/cg/api/pro")
        #expect(s.api.userAgent == "CardGenius-Batch-Runner/1.0")
        #expect(s.api.connectTimeoutSeconds == 30)
        #expect(s.api.requestTimeout == .seconds(30))
        #expect(s.api.retry.maxAttempts == 3)
        #expect(s.api.retry.baseDelay == .milliseconds(500))
        #expect(s.api.retry.maxDelayMilliseconds == 30_000)
        #expect(s.api.rateLimit.enabled)
        #expect(s.api.rateLimit.requestsPerSecond == 10)
        #expect(s.api.rateLimit.burst == 20)
        #expect(s.processing.maxWorkers == 20)
        #expect(s.processing.drainTimeoutSeconds == 30)
        #expect(s.processing.commitIntervalMilliseconds == 1000)
        #expect(s.metrics.port == 9464)
    }

    @Test func emptyObjectIsDefaults() throws {
        #expect(try parse("{}") == .defaults)
        #expect(try parse(" \n{ \"kafka\": {}, \"api\": { \"retry\": {} } }\n") == .defaults)
    }

    @Test func fileOverridesDefaults() throws {
        let path = try writeTemp(
            #"""
            { "kafka": { "bootstrap_servers": "k1:9092,k2:9092" },
              "processing": { "max_workers": 50, "drain_timeout_s": 2.5 },
              "api": { "rate_limit": { "enabled": false, "requests_per_second": 0 } } }
            """#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try ServiceSettings.load(file: path, environment: [:], overrides: [:])
        var expected = ServiceSettings.defaults
        expected.kafka.bootstrapServers = "k1:9092,k2:9092"
        expected.processing.maxWorkers = 50
        expected.processing.drainTimeoutSeconds = 2.5
        expected.api.rateLimit.enabled = false
        expected.api.rateLimit.requestsPerSecond = 0
        #expect(s == expected)
    }

    @Test func environmentOverridesFile() throws {
        let path = try writeTemp(#"{ "processing": { "max_workers": 50 }, "metrics": { "port": 1 } }"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try ServiceSettings.load(
            file: path,
            environment: [
                "CARDGENIUS_PROCESSING_MAX_WORKERS": "70",
                "CARDGENIUS_API_RATE_LIMIT_REQUESTS_PER_SECOND": "12.5",
                "CARDGENIUS_API_RATE_LIMIT_ENABLED": "yes",
                "CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS": "broker:9093",
                "CARDGENIUS_CONFIG": "whatever.json",
                "CARDGENIUS_BIN": "/usr/bin/cardgenius",
                "CARDGENIUS_LOG_LEVEL": "debug",
                "PATH": "/usr/bin",
            ],
            overrides: [:]
        )
        #expect(s.processing.maxWorkers == 70)
        #expect(s.metrics.port == 1)
        #expect(s.api.rateLimit.requestsPerSecond == 12.5)
        #expect(s.api.rateLimit.enabled)
        #expect(s.kafka.bootstrapServers == "broker:9093")
    }

    @Test func overridesBeatEnvironment() throws {
        let path = try writeTemp(#"{ "processing": { "max_workers": 50 } }"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try ServiceSettings.load(
            file: path,
            environment: ["CARDGENIUS_PROCESSING_MAX_WORKERS": "70", "CARDGENIUS_METRICS_PORT": "9000"],
            overrides: ["processing.max_workers": "90", "kafka.properties.client.id": "me"]
        )
        #expect(s.processing.maxWorkers == 90)
        #expect(s.metrics.port == 9000)
        #expect(s.kafka.properties == ["client.id": "me"])
    }

    @Test func propertiesMergeAcrossLayers() throws {
        let path = try writeTemp(#"{ "kafka": { "properties": { "security.protocol": "SASL_SSL", "linger.ms": 5 } } }"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try ServiceSettings.load(
            file: path,
            environment: ["CARDGENIUS_KAFKA_PROPERTIES": #"{"sasl.password": "hunter2", "linger.ms": 10}"#],
            overrides: ["kafka.properties": #"{"enable.idempotence": true}"#]
        )
        #expect(
            s.kafka.properties == [
                "security.protocol": "SASL_SSL", "linger.ms": "10", "sasl.password": "hunter2", "enable.idempotence": "true",
            ])
    }
}

@Suite struct FileErrorTests {
    @Test func unknownKeyWithSuggestion() {
        let e = error { try parse(#"{ "processing": { "max_wrokers": 3 } }"#) }
        #expect(e?.code == .unknownKey)
        #expect(e?.key == "processing.max_wrokers")
        #expect(e?.description == #"config/real_config.json: unknown key "processing.max_wrokers" (did you mean "processing.max_workers"?)"#)
    }

    @Test func unknownSectionAndMisplacedKey() {
        #expect(
            error { try parse(#"{ "kafak": {} }"#) }?.description
                == #"config/real_config.json: unknown key "kafak" (did you mean "kafka"?)"#)
        // A leaf written at the wrong level is found by its last component.
        #expect(
            error { try parse(#"{ "max_workers": 3 }"#) }?.description
                == #"config/real_config.json: unknown key "max_workers" (did you mean "processing.max_workers"?)"#)
        // Nothing close: no suggestion.
        #expect(
            error { try parse(#"{ "zzzzzzzzzzzzzzzzzzzzzz": 1 }"#) }?.description
                == #"config/real_config.json: unknown key "zzzzzzzzzzzzzzzzzzzzzz""#)
    }

    @Test func wrongType() {
        let e = error { try parse(#"{ "processing": { "max_workers": "twenty" } }"#) }
        #expect(e?.code == .wrongType)
        #expect(e?.description == #"config/real_config.json: "processing.max_workers" must be an integer, got string "twenty""#)
        #expect(
            error { try parse(#"{ "processing": { "max_workers": 2.5 } }"#) }?.description
                == #"config/real_config.json: "processing.max_workers" must be an integer, got number 2.5"#)
        #expect(
            error { try parse(#"{ "api": { "rate_limit": { "enabled": "true" } } }"#) }?.description
                == #"config/real_config.json: "api.rate_limit.enabled" must be a boolean, got string "true""#)
        #expect(
            error { try parse(#"{ "kafka": { "group_id": null } }"#) }?.description
                == #"config/real_config.json: "kafka.group_id" must be a string, got null"#)
        #expect(
            error { try parse(#"{ "api": 3 }"#) }?.description
                == #"config/real_config.json: "api" must be an object, got number 3"#)
        #expect(
            error { try parse(#"[]"#) }?.description
                == #"config/real_config.json: the top level must be a JSON object, got an array"#)
        #expect(
            error { try parse(#"{ "kafka": { "properties": { "sasl.password": null } } }"#) }?.description
                == #"config/real_config.json: "kafka.properties.sasl.password" must be a string, number or boolean, got null"#)
    }

    @Test func integralNumbersAreIntegers() throws {
        #expect(try parse(#"{ "processing": { "max_workers": 2e1 } }"#).processing.maxWorkers == 20)
        #expect(try parse(#"{ "processing": { "max_workers": 30.0 } }"#).processing.maxWorkers == 30)
    }

    @Test func maxWorkersOutOfRange() {
        let e = error { try parse(#"{ "processing": { "max_workers": 0 } }"#) }
        #expect(e?.code == .invalidValue)
        #expect(e?.key == "processing.max_workers")
        #expect(e?.description == #"config/real_config.json: "processing.max_workers" must be in 1...1000, got 0"#)
        #expect(
            error { try parse(#"{ "processing": { "max_workers": 1001 } }"#) }?.description
                == #"config/real_config.json: "processing.max_workers" must be in 1...1000, got 1001"#)
    }

    @Test func negativeRate() {
        let e = error { try parse(#"{ "api": { "rate_limit": { "requests_per_second": -5 } } }"#) }
        #expect(e?.code == .invalidValue)
        #expect(e?.description == #"config/real_config.json: "api.rate_limit.requests_per_second" must be >= 0, got -5"#)
        // Zero is only allowed when the limiter is disabled.
        let zero = error { try parse(#"{ "api": { "rate_limit": { "requests_per_second": 0 } } }"#) }
        #expect(
            zero?.description
                == #"config/real_config.json: "api.rate_limit.requests_per_second" must be > 0 when "api.rate_limit.enabled" is true, got 0"#)
        // 1e999 overflows to infinity.
        #expect(
            error { try parse(#"{ "api": { "rate_limit": { "requests_per_second": 1e999 } } }"#) }?.description
                == #"config/real_config.json: "api.rate_limit.requests_per_second" must be a finite number, got inf"#)
    }

    @Test func otherRanges() throws {
        #expect(
            error { try parse(#"{ "api": { "rate_limit": { "burst": 0 } } }"#) }?.description
                == #"config/real_config.json: "api.rate_limit.burst" must be >= 1, got 0"#)
        #expect(
            error { try parse(#"{ "api": { "retry": { "max_attempts": 101 } } }"#) }?.description
                == #"config/real_config.json: "api.retry.max_attempts" must be in 1...100, got 101"#)
        #expect(
            error { try parse(#"{ "api": { "retry": { "base_delay_ms": -1 } } }"#) }?.description
                == #"config/real_config.json: "api.retry.base_delay_ms" must be >= 0, got -1"#)
        #expect(
            error { try parse(#"{ "api": { "retry": { "base_delay_ms": 60000 } } }"#) }?.description
                == #"config/real_config.json: "api.retry.base_delay_ms" (60000) must be <= "api.retry.max_delay_ms" (30000)"#)
        #expect(
            error { try parse(#"{ "api": { "connect_timeout_s": 0 } }"#) }?.description
                == #"config/real_config.json: "api.connect_timeout_s" must be > 0, got 0"#)
        #expect(
            error { try parse(#"{ "processing": { "drain_timeout_s": -1.5 } }"#) }?.description
                == #"config/real_config.json: "processing.drain_timeout_s" must be > 0, got -1.5"#)
        #expect(
            error { try parse(#"{ "metrics": { "port": 70000 } }"#) }?.description
                == #"config/real_config.json: "metrics.port" must be in 0...65535, got 70000"#)
        #expect(try parse(#"{ "metrics": { "port": 0 } }"#).metrics.port == 0)
        #expect(
            error { try parse(#"{ "kafka": { "group_id": "" } }"#) }?.description
                == #"config/real_config.json: "kafka.group_id" must not be empty"#)
        #expect(error { try parse(#"{ "kafka": { "bootstrap_servers": "a:1,,b:2" } }"#) }?.code == .invalidValue)
    }

    @Test func badURL() {
        for url in ["not a url", "ftp://example.com/x", "https://", "https:///path", "example.com/api"] {
            let e = error { try parse(#"{ "api": { "url": "\#(url)" } }"#) }
            #expect(e?.code == .invalidValue, "\(url)")
            #expect(
                e?.description
                    == #"config/real_config.json: "api.url" must be an http:// or https:// URL with a host, got "\#(url)""#)
        }
        #expect((try? parse(#"{ "api": { "url": "http://127.0.0.1:8080/cg/api/pro" } }"#)) != nil)
    }

    @Test func topics() {
        let same = error { try parse(#"{ "kafka": { "output_topic": "user-spends" } }"#) }
        #expect(same?.code == .invalidValue)
        #expect(same?.key == "kafka.output_topic")
        #expect(
            same?.description
                == #"config/real_config.json: "kafka.output_topic" must differ from "kafka.input_topic" (both are "user-spends")"#)
        #expect(
            error { try parse(#"{ "kafka": { "dlq_topic": "card-recommendations" } }"#) }?.description
                == #"config/real_config.json: "kafka.dlq_topic" must differ from "kafka.output_topic" (both are "card-recommendations")"#)
        #expect(
            error { try parse(#"{ "kafka": { "input_topic": "user spends" } }"#) }?.description
                == #"config/real_config.json: "kafka.input_topic" must be a legal Kafka topic name (letters, digits, '.', '_', '-'), got "user spends""#)
        #expect(
            error { try parse(#"{ "kafka": { "input_topic": "" } }"#) }?.description
                == #"config/real_config.json: "kafka.input_topic" must not be empty"#)
        let long = String(repeating: "a", count: 250)
        #expect(
            error { try parse(#"{ "kafka": { "input_topic": "\#(long)" } }"#) }?.description
                == #"config/real_config.json: "kafka.input_topic" must be at most 249 characters, got 250"#)
    }

    @Test func invalidJSONHasLineAndColumn() {
        let e = error { try parse("{\n  \"kafka\": {\n    \"group_id\": \"x\",\n  }\n}") }
        #expect(e?.code == .invalidJSON)
        #expect(e?.description == "config/real_config.json: invalid JSON at line 4, column 3: unexpected '}', expected a string key")
        #expect(error { try parse("") }?.description == "config/real_config.json: invalid JSON at line 1, column 1: the document is empty")
        #expect(
            error { try parse(#"{"a": 1, "a": 2}"#) }?.description
                == #"config/real_config.json: invalid JSON at line 1, column 10: duplicate key "a""#)
        #expect(error { try parse(#"{"metrics": {"port": 01}}"#) }?.code == .invalidJSON)
        #expect(error { try parse(#"{"metrics": {"port": NaN}}"#) }?.code == .invalidJSON)
        #expect(error { try parse("{} {}") }?.code == .invalidJSON)
    }

    @Test func fileNotFound() {
        let e = error { try ServiceSettings.load(file: "/nonexistent/conf.json", environment: [:], overrides: [:]) }
        #expect(e?.code == .fileNotFound)
        #expect(e?.description == "/nonexistent/conf.json: configuration file not found")
    }

    @Test func errorsAreOneLine() {
        let e = error { try parse(#"{ "api": { "user_agent": "a\nb" } }"#) }
        #expect(e?.description.contains("\n") == false)
        #expect(e?.description == #"config/real_config.json: "api.user_agent" must not contain control characters, got "a\nb""#)
    }
}

@Suite struct EnvironmentAndOverrideErrorTests {
    @Test func badEnvironmentType() {
        let e = error {
            try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_PROCESSING_MAX_WORKERS": "twenty"], overrides: [:])
        }
        #expect(e?.code == .wrongType)
        #expect(
            e?.description
                == #"environment variable CARDGENIUS_PROCESSING_MAX_WORKERS: "processing.max_workers" must be an integer, got "twenty""#)
        #expect(
            error {
                try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_API_RATE_LIMIT_ENABLED": "maybe"], overrides: [:])
            }?.description == #"environment variable CARDGENIUS_API_RATE_LIMIT_ENABLED: "api.rate_limit.enabled" must be a boolean, got "maybe""#)
        #expect(
            error {
                try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_API_CONNECT_TIMEOUT_S": "0x10"], overrides: [:])
            }?.code == .wrongType)
        #expect(
            error {
                try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_API_CONNECT_TIMEOUT_S": "nan"], overrides: [:])
            }?.code == .wrongType)
        #expect(
            error {
                try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_KAFKA_PROPERTIES": "{oops"], overrides: [:])
            }?.code == .invalidJSON)
    }

    @Test func environmentValueOutOfRangeNamesTheVariable() {
        let e = error {
            try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_PROCESSING_MAX_WORKERS": "0"], overrides: [:])
        }
        #expect(
            e?.description
                == #"environment variable CARDGENIUS_PROCESSING_MAX_WORKERS: "processing.max_workers" must be in 1...1000, got 0"#)
        // A cross-key error is attributed to the layer that set the later value.
        let same = error {
            try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_KAFKA_DLQ_TOPIC": "user-spends"], overrides: [:])
        }
        #expect(same?.source == "environment variable CARDGENIUS_KAFKA_DLQ_TOPIC")
    }

    @Test func unknownEnvironmentVariable() {
        let e = error {
            try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_PROCESING_MAX_WORKERS": "3"], overrides: [:])
        }
        #expect(e?.code == .unknownEnvironmentVariable)
        #expect(e?.key == "CARDGENIUS_PROCESING_MAX_WORKERS")
        #expect(
            e?.description
                == "environment: unknown variable CARDGENIUS_PROCESING_MAX_WORKERS (did you mean CARDGENIUS_PROCESSING_MAX_WORKERS?); unset it or use one of the names in docs/configuration.md"
        )
        // Per-property variables are not supported: the JSON variable is the way.
        #expect(
            error {
                try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_KAFKA_PROPERTIES_SASL_PASSWORD": "x"], overrides: [:])
            }?.code == .unknownEnvironmentVariable)
    }

    @Test func unknownOverride() {
        let e = error { try ServiceSettings.load(file: nil, environment: [:], overrides: ["processing.workers": "3"]) }
        #expect(e?.code == .unknownKey)
        #expect(e?.description == #"command line: unknown key "processing.workers" (did you mean "processing.max_workers"?)"#)
        #expect(
            error { try ServiceSettings.load(file: nil, environment: [:], overrides: ["metrics.port": "-1"]) }?.description
                == #"command line: "metrics.port" must be in 0...65535, got -1"#)
    }

    @Test func environmentVariableNames() {
        #expect(ServiceSettings.environmentVariableName(forKey: "kafka.bootstrap_servers") == "CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS")
        #expect(
            ServiceSettings.environmentVariableName(forKey: "api.rate_limit.requests_per_second")
                == "CARDGENIUS_API_RATE_LIMIT_REQUESTS_PER_SECOND")
        #expect(ServiceSettings.environmentVariableName(forKey: "nope") == nil)
        let names = ServiceSettings.knownKeys.compactMap(ServiceSettings.environmentVariableName(forKey:))
        #expect(Set(names).count == ServiceSettings.knownKeys.count)
    }
}

@Suite struct RenderingTests {
    @Test func propertiesAreStringified() throws {
        let s = try parse(
            #"""
            { "kafka": { "properties": { "linger.ms": 5, "batch.num.messages": 1e4, "enable.idempotence": true,
                                         "security.protocol": "SASL_SSL", "retry.backoff.ms": 2.5 } } }
            """#)
        #expect(
            s.kafka.properties == [
                "linger.ms": "5", "batch.num.messages": "1e4", "enable.idempotence": "true",
                "security.protocol": "SASL_SSL", "retry.backoff.ms": "2.5",
            ])
    }

    @Test func secretsAreRedacted() throws {
        let s = try parse(
            #"""
            { "kafka": { "properties": { "sasl.password": "hunter2", "ssl.key.password": "kp", "ssl.key.pem": "PEM",
              "sasl.jaas.config": "jaas", "sasl.oauthbearer.client.secret": "s", "MY_TOKEN": "t",
              "sasl.username": "alice", "security.protocol": "SASL_SSL" } } }
            """#)
        for text in [s.description, s.redactedDescription, s.jsonString(), "\(s)", String(reflecting: s), "\(s.kafka)"] {
            for secret in ["hunter2", "\"kp\"", "PEM", "jaas\"", "\"s\"", "\"t\""] {
                #expect(!text.contains(secret), "\(secret) leaked in \(text)")
            }
            #expect(text.contains("alice"))
            #expect(text.contains("SASL_SSL"))
            #expect(text.contains("***"))
        }
        var dumped = ""
        dump(s, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(s.redacted().kafka.properties["sasl.password"] == "***")
        #expect(s.redacted().kafka.properties["sasl.username"] == "alice")
        #expect(s.jsonString(redacted: false).contains("hunter2"))
        #expect(ServiceSettings.isSecretProperty("ssl.keystore.password"))
        #expect(!ServiceSettings.isSecretProperty("bootstrap.servers"))
    }

    @Test func jsonStringIsPrettySortedAndRoundTrips() throws {
        var s = ServiceSettings.defaults
        s.processing.maxWorkers = 64
        s.api.connectTimeoutSeconds = 2.5
        s.kafka.properties = ["b": "2", "a": "1"]
        let text = s.jsonString(redacted: false)
        #expect(text.hasPrefix("{\n  \"api\": {\n    \"connect_timeout_s\": 2.5,\n"))
        #expect(text.contains("\"properties\": {\n      \"a\": \"1\",\n      \"b\": \"2\"\n    }"))
        #expect(text.contains("\"requests_per_second\": 10\n"))
        #expect(try ServiceSettings.parse(json: Array(text.utf8), source: "rendered") == s)
        #expect(!s.description.contains("\n"))
        #expect(try ServiceSettings.parse(json: Array(s.description.utf8), source: "description") == s)
    }
}

@Suite struct ConfigurationLibraryTests {
    /// The file format works with swift-configuration's own file providers.
    @Test func fileProviderReadsTheFormat() async throws {
        let path = try writeTemp(#"{ "processing": { "max_workers": 50 }, "kafka": { "properties": { "sasl.password": "x" } } }"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let location = ConfigReader(provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(path), isSecret: false)]))
        let reader = ConfigReader(provider: try await FileProvider<SettingsFileSnapshot>(config: location))
        #expect(reader.int(forKey: "processing.max_workers") == 50)
        #expect(reader.string(forKey: ConfigKey(["kafka", "properties", "sasl.password"])) == "x")
        #expect(reader.string(forKey: "kafka.group_id") == nil)

        let bad = try writeTemp(#"{ "processing": { "max_workers": 0 } }"#)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let badLocation = ConfigReader(provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(bad), isSecret: false)]))
        await #expect(throws: (any Error).self) { _ = try await FileProvider<SettingsFileSnapshot>(config: badLocation) }
    }
}

@Suite struct ShippedFilesTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedConfigParsesToDefaults() throws {
        let path = Self.root.appendingPathComponent("config/real_config.json").path
        let s = try ServiceSettings.load(file: path, environment: [:], overrides: [:])
        // The shipped file is the defaults, verbatim; nothing differs intentionally.
        #expect(s == ServiceSettings.defaults)
        // And it spells out every key, so it doubles as a template.
        let json = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(Set(Self.leafPaths(ofDocument: json)) == Set(ServiceSettings.knownKeys))
    }

    @Test func schemaListsEveryKnownKey() throws {
        let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent("config/real_config.schema.json")))
        let schema = try JSONValue.parse(bytes)
        let keys = Self.leafPaths(ofSchema: schema).filter { $0 != "$schema" }
        #expect(Set(keys) == Set(ServiceSettings.knownKeys))
        #expect(keys.count == ServiceSettings.knownKeys.count)
        #expect(Self.member("$schema", of: schema) == .string("https://json-schema.org/draft/2020-12/schema"))
    }

    @Test func schemaDefaultsMatchDefaults() throws {
        let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent("config/real_config.schema.json")))
        let schema = try JSONValue.parse(bytes)
        for key in ServiceSettings.knownKeys {
            var node: JSONValue? = schema
            for part in key.split(separator: ".") {
                node = node.flatMap { Self.member("properties", of: $0) }.flatMap { Self.member(String(part), of: $0) }
            }
            let descriptor = try #require(SettingKey.named(key))
            #expect(node.flatMap { Self.member("default", of: $0) } == descriptor.jsonValue(in: .defaults, redacted: false), "\(key)")
            if case .string(let text)? = node.flatMap({ Self.member("description", of: $0) }) {
                #expect(!text.isEmpty)
            } else {
                Issue.record("\(key) has no description in the schema")
            }
        }
    }

    @Test func docsMentionEveryKeyAndVariable() throws {
        let docs = try String(contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for key in ServiceSettings.knownKeys {
            #expect(docs.contains("`\(key)`"), "\(key)")
            #expect(docs.contains("`\(ServiceSettings.environmentVariableName(forKey: key) ?? "?")`"), "\(key)")
        }
    }

    static func member(_ name: String, of value: JSONValue) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == name }?.value
    }

    /// Dotted paths of the leaves in a JSON Schema: a `properties` entry without nested `properties` is a leaf.
    static func leafPaths(ofSchema schema: JSONValue, prefix: String = "") -> [String] {
        guard case .object(let properties)? = member("properties", of: schema) else { return [] }
        return properties.flatMap { property -> [String] in
            let path = prefix + property.key
            return member("properties", of: property.value) == nil
                ? [path] : leafPaths(ofSchema: property.value, prefix: path + ".")
        }
    }

    /// Dotted paths of the leaves in a configuration document (`kafka.properties` is a leaf).
    static func leafPaths(ofDocument doc: JSONValue, prefix: String = "") -> [String] {
        guard case .object(let members) = doc else { return [] }
        return members.flatMap { m -> [String] in
            let path = prefix + m.key
            if case .object = m.value, path != "kafka.properties" { return leafPaths(ofDocument: m.value, prefix: path + ".") }
            return [path]
        }
    }
}

@Suite("Raw Kafka properties that would break the guarantees")
struct KafkaPropertyRulesTests {
    @Test(
        "each guarantee-breaking property is refused with one line naming the key",
        arguments: [
            ("enable.auto.commit", "true"), ("enable.auto.offset.store", "true"), ("acks", "1"),
            ("request.required.acks", "0"), ("enable.idempotence", "false"), ("isolation.level", "read_uncommitted"),
            ("partitioner", "random"), ("partitioner", " Random"), ("transactional.id", "cardgenius-1"),
            ("message.timeout.ms", "0"), ("delivery.timeout.ms", "0"),
            ("auto.offset.reset", "latest"), ("auto.offset.reset", "largest"), ("auto.offset.reset", "end"),
            ("auto.offset.reset", "error"),
        ])
    func refused(name: String, value: String) throws {
        do {
            _ = try ServiceSettings.load(
                file: nil, environment: ["CARDGENIUS_KAFKA_PROPERTIES": #"{"\#(name)":"\#(value)"}"#],
                overrides: [:])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.key == "kafka.properties.\(name)")
            #expect(error.description.contains("\"kafka.properties.\(name)\""), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("security, time-outs, rack and the safe values pass through")
    func allowed() throws {
        let props =
            #"{"security.protocol":"SASL_SSL","sasl.mechanism":"PLAIN","client.rack":"az1","socket.timeout.ms":"30000","acks":"all","enable.idempotence":"true","isolation.level":"read_committed","enable.auto.commit":"false","partitioner":"murmur2_random","message.timeout.ms":"300000","delivery.timeout.ms":"120000","auto.offset.reset":"earliest"}"#
        let s = try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_KAFKA_PROPERTIES": props], overrides: [:])
        #expect(s.kafka.properties["client.rack"] == "az1")
    }
}

@Suite struct SettingsWatcherTests {
    /// A file change arrives through swift-configuration's `ReloadingFileProvider` watch,
    /// checked like a start-up (under the same environment and flags); an invalid change
    /// arrives as the error naming the file and the key; SIGHUP reads the file at once.
    @Test func fileChangesArriveCheckedThroughTheProvidersWatch() async throws {
        let path = try writeTemp(#"{ "processing": { "max_workers": 8 } }"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let watcher = try await SettingsWatcher(
            file: path, environment: ["CARDGENIUS_API_RATE_LIMIT_BURST": "7"], overrides: ["metrics.port": .int(0)],
            logger: Logger(label: "test"))
        #expect(watcher.initial.processing.maxWorkers == 8)
        let running = Task { try await watcher.run() }
        defer { running.cancel() }
        var updates = watcher.updates.makeAsyncIterator()

        try Data(#"{ "processing": { "max_workers": 3 } }"#.utf8).write(to: URL(fileURLWithPath: path))
        let changed = await updates.next()
        #expect(changed?.trigger == .fileChanged)
        let settings = try #require(try changed?.settings.get())
        #expect(settings.processing.maxWorkers == 3)
        #expect(settings.api.rateLimit.burst == 7)
        #expect(settings.metrics.port == 0)

        try Data(#"{ "processing": { "max_workers": 0 } }"#.utf8).write(to: URL(fileURLWithPath: path))
        let refused = await updates.next()
        #expect(refused?.trigger == .fileChanged)
        guard case .failure(let error)? = refused?.settings else {
            Issue.record("an invalid file was accepted: \(String(describing: refused))")
            return
        }
        #expect(error.description == #"\#(path): "processing.max_workers" must be in 1...1000, got 0"#)
        #expect(watcher.reload().map(\.processing.maxWorkers) == .failure(error))
    }
}

@Suite struct SharedJSONPiecesTests {
    /// One escaper: the hot paths' bytes leave DEL and C1 controls as they are; messages
    /// escape them and cut long values, counting characters, not bytes.
    @Test func oneEscaperTwoUses() {
        var hot: [UInt8] = []
        JSONWriter.appendString("a\"\\\n\u{01}\u{7F}\u{85}é", to: &hot)
        #expect(hot == Array("\"a\\\"\\\\\\n\\u0001\u{7F}\u{85}é\"".utf8))
        #expect(JSONWriter.quoted("a\u{7F}\u{85}\u{A0}b\t") == "\"a\\u007f\\u0085\u{A0}b\\t\"")
        #expect(JSONWriter.quoted("éééé", limit: 3) == "\"ééé...\"")
        #expect(JSONWriter.quoted("abc", limit: 3) == "\"abc\"")
    }

    /// One did-you-mean: the closest candidate within `max(2, length / divisor)` edits.
    @Test func oneSuggestion() {
        let keys = ["processing.max_workers", "kafka", "metrics.port"]
        #expect(KeySuggestion.closest(to: "processing.max_wrokers", among: keys, divisor: 3) == "processing.max_workers")
        #expect(KeySuggestion.closest(to: "kafak", among: keys, divisor: 3) == "kafka")
        #expect(KeySuggestion.closest(to: "zzzzzzzzzzzz", among: keys, divisor: 3) == nil)
        #expect(KeySuggestion.closest(to: "user_d", among: ["user_id", "cohort"], divisor: 4) == "user_id")
    }

    /// One JSON value: what `JSONDecoder` reads, `JSONEncoder` writes back the same.
    @Test func codableRoundTrip() throws {
        let text = #"{"a":[1,2.5,true,null,"x"],"b":{"c":-7}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["a"] == .array([.number("1"), .number("2.5"), .bool(true), .null, .string("x")]))
        #expect(value["b"]?["c"]?.numberValue == -7)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == text)
    }
}
