import Foundation
import Testing

extension CLITests {
    @Suite("config: errors stop start-up with one line naming the key")
    struct Config {
        /// A configuration problem is one stderr line, no crash, no stack trace, no usage text.
        static func expectOneLineError(
            _ result: Finished, naming name: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(result.status != .exited(0), "\(result)", sourceLocation: sourceLocation)
            if case .signalled = result.status { Issue.record("crashed: \(result)", sourceLocation: sourceLocation) }
            #expect(result.stderrLines.count == 1, "expected one line:\n\(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderrLines.first?.contains(name) == true, "\(result.stderr)", sourceLocation: sourceLocation)
            for crash in ["Fatal error", "Stack dump", "Backtrace", "Usage:"] {
                #expect(!result.stderr.contains(crash), "\(result.stderr)", sourceLocation: sourceLocation)
            }
            #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation)
        }

        static let badFiles: [(name: String, json: String, key: String)] = [
            ("unknown key", #"{"processing":{"max_wrokers":4}}"#, "processing.max_wrokers"),
            ("wrong type", #"{"processing":{"max_workers":"four"}}"#, "processing.max_workers"),
            ("zero workers", #"{"processing":{"max_workers":0}}"#, "processing.max_workers"),
            ("negative rate", #"{"api":{"rate_limit":{"requests_per_second":-5}}}"#, "api.rate_limit.requests_per_second"),
        ]

        @Test("config check rejects a bad file with one line naming the key", arguments: 0..<badFiles.count)
        func checkRejectsBadFile(index: Int) async throws {
            let bad = Self.badFiles[index]
            let scratch = try ScratchDirectory()
            let path = try scratch.write("bad.json", bad.json)
            let result = try await CLI.run(["config", "check", "--config", path])
            Self.expectOneLineError(result, naming: bad.key)
            #expect(result.stderr.contains(path), "names the file: \(result.stderr)")
        }

        @Test("config check accepts a good file")
        func checkAcceptsGoodFile() async throws {
            let scratch = try ScratchDirectory()
            let path = try scratch.write("good.json", #"{"processing":{"max_workers":4},"api":{"rate_limit":{"requests_per_second":2.5}}}"#)
            let result = try await CLI.run(["config", "check", "--config", path])
            #expect(result.status == .exited(0), "\(result)")
            #expect(result.stdout.contains("configuration ok"))
        }

        @Test("a bad CARDGENIUS_* variable: one line naming the variable")
        func badEnvironmentVariable() async throws {
            let result = try await CLI.run(["config", "check"], environment: ["CARDGENIUS_PROCESSING_MAX_WORKERS": "abc"])
            Self.expectOneLineError(result, naming: "CARDGENIUS_PROCESSING_MAX_WORKERS")
        }

        @Test("config show never prints a secret Kafka property")
        func showRedactsSecrets() async throws {
            let scratch = try ScratchDirectory()
            let secret = "hunter2-\(UUID().uuidString)"
            let path = try scratch.write(
                "secret.json",
                #"""
                {"kafka":{"properties":{"sasl.password":"\#(secret)","sasl.username":"alice","security.protocol":"SASL_SSL"}}}
                """#)
            let result = try await CLI.run(["config", "show", "--config", path])
            #expect(result.status == .exited(0), "\(result)")
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "the secret leaked:\n\(result)")
            let shown = try #require(jsonObject(result.stdout), "config show prints JSON: \(result.stdout)")
            let properties = (shown["kafka"] as? [String: Any])?["properties"] as? [String: Any]
            #expect(properties?["sasl.password"] as? String == "***")
            #expect(properties?["sasl.username"] as? String == "alice", "non-secrets are shown")

            // The same through the environment.
            let viaEnv = try await CLI.run(
                ["config", "show"],
                environment: ["CARDGENIUS_KAFKA_PROPERTIES": #"{"sasl.password":"\#(secret)"}"#])
            #expect(viaEnv.status == .exited(0), "\(viaEnv)")
            #expect(!viaEnv.stdout.contains(secret) && !viaEnv.stderr.contains(secret), "the secret leaked:\n\(viaEnv)")
        }

        @Test("consume refuses to start with a bad config: the same one line as config check")
        func consumeRefusesBadConfig() async throws {
            let scratch = try ScratchDirectory()
            let path = try scratch.write("bad.json", #"{"processing":{"max_workers":0}}"#)
            let check = try await CLI.run(["config", "check", "--config", path])
            // Nothing listens on port 9: a consumer that started anyway would hang, not exit.
            let consume = try await CLI.run(["consume", "--config", path, "--brokers", "127.0.0.1:9"], timeout: .seconds(30))
            Self.expectOneLineError(consume, naming: "processing.max_workers")
            #expect(consume.stderrLines == check.stderrLines)
            #expect(consume.status == check.status)
        }
    }
}
