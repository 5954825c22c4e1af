import CardGenius
import Simulator
import SimulatorTestSupport
import Testing

@Suite("CardGeniusClient against the simulator")
struct CardGeniusClientTests {
    @Test("a 200 with success=true is a success with the savings bytes verbatim")
    func successKeepsSavingsVerbatim() async throws {
        try await withSimulator(fastConfiguration()) { _, port in
            let request = RecommendationRequest(spends: typicalSpends)
            let raw = try await rawPost(port: port, body: request.jsonBody())
            #expect(raw.status == 200)

            let outcome = try await withClient(port: port) { client in await client.recommend(request) }
            #expect(outcome.kind == .success)
            #expect(outcome.httpStatus == 200)
            #expect(outcome.failure == nil)
            #expect(!outcome.isOverloadSignal)
            let recommendation = try #require(outcome.recommendation)
            #expect(recommendation.cardCount == fastConfiguration().top)
            #expect(recommendation.message == "")
            // The savings array is exactly the slice of the body between `"savings":` and the final `}`.
            let marker = Array(#""savings":"#.utf8)
            let start = try #require(firstRange(of: marker, in: raw.body)).upperBound
            let expected = Array(raw.body[start..<(raw.body.count - 1)])
            #expect(recommendation.savingsJSON == expected)
            #expect(recommendation.savingsJSON.first == UInt8(ascii: "["))
            #expect(recommendation.savingsJSON.last == UInt8(ascii: "]"))
            #expect(outcome.latency > .zero)
        }
    }
}

@Suite("CardGeniusClient fault classification")
struct CardGeniusClientFaultTests {
    let request = RecommendationRequest(spends: typicalSpends)

    @Test("503 is retriable serviceUnavailable and an overload signal")
    func serviceUnavailable() async throws {
        var configuration = fastConfiguration()
        configuration.fail503 = 1
        try await withSimulator(configuration) { _, port in
            let outcome = try await withClient(port: port) { await $0.recommend(request) }
            #expect(outcome.kind == .retriable)
            #expect(outcome.failure?.code == .serviceUnavailable)
            #expect(outcome.httpStatus == 503)
            #expect(outcome.isOverloadSignal)
            #expect(outcome.recommendation == nil)
        }
    }

    @Test("an answer over the body cap is a permanent bodyTooLarge with the answer's status; one under it succeeds")
    func bodyCap() async throws {
        try await withSimulator(fastConfiguration()) { _, port in
            let raw = try await rawPost(port: port, body: request.jsonBody())
            let over = try await withClient(port: port, maxBodyBytes: raw.body.count - 1) { await $0.recommend(request) }
            #expect(over.kind == .permanent)
            #expect(over.failure?.code == .bodyTooLarge)
            #expect(over.httpStatus == 200)
            let exact = try await withClient(port: port, maxBodyBytes: raw.body.count) { await $0.recommend(request) }
            #expect(exact.kind == .success)
        }
    }

    @Test("429 is retriable rateLimited with Retry-After and X-RateLimit-Remaining parsed")
    func rateLimited() async throws {
        var configuration = fastConfiguration()
        configuration.rateLimit = 1
        configuration.burst = 1
        try await withSimulator(configuration) { _, port in
            let (first, second) = try await withClient(port: port) { client in
                (await client.recommend(request), await client.recommend(request))
            }
            #expect(first.kind == .success)
            #expect(first.rateLimitRemaining == 0)
            #expect(second.kind == .retriable)
            #expect(second.failure?.code == .rateLimited)
            #expect(second.httpStatus == 429)
            #expect(second.retryAfter == .seconds(1))
            #expect(second.rateLimitRemaining == 0)
            #expect(second.isOverloadSignal)
        }
    }

    @Test("a reset connection is retriable connectionFailed and an overload signal")
    func connectionReset() async throws {
        var configuration = fastConfiguration()
        configuration.failReset = 1
        try await withSimulator(configuration) { simulator, port in
            let outcome = try await withClient(port: port) { await $0.recommend(request) }
            #expect(outcome.kind == .retriable)
            #expect(outcome.failure?.code == .connectionFailed)
            #expect(outcome.httpStatus == nil)
            #expect(outcome.isOverloadSignal)
            #expect(simulator.statistics().resets >= 1)
        }
    }

    @Test("a hanging request times out after requestTimeout")
    func hangTimesOut() async throws {
        var configuration = fastConfiguration()
        configuration.failHang = 1
        configuration.hangSeconds = 10
        try await withSimulator(configuration) { simulator, port in
            let outcome = try await withClient(port: port, requestTimeout: .milliseconds(300)) {
                await $0.recommend(request)
            }
            #expect(outcome.kind == .retriable)
            #expect(outcome.failure?.code == .timeout)
            #expect(outcome.isOverloadSignal)
            #expect(outcome.latency >= .milliseconds(250))
            #expect(outcome.latency < .seconds(3))
            #expect(simulator.statistics().hangs == 1)
        }
    }

    @Test("a slow answer times out after requestTimeout")
    func slowAnswerTimesOut() async throws {
        try await withSimulator(fastConfiguration(latencyMilliseconds: 2_000)) { _, port in
            let outcome = try await withClient(port: port, requestTimeout: .milliseconds(200)) {
                await $0.recommend(request)
            }
            #expect(outcome.failure?.code == .timeout)
            #expect(outcome.kind == .retriable)
            #expect(outcome.latency < .seconds(1))
        }
    }

    @Test("a truncated 200 body is retriable truncatedBody")
    func truncatedBody() async throws {
        var configuration = fastConfiguration()
        configuration.failTruncate = 1
        try await withSimulator(configuration) { _, port in
            let outcome = try await withClient(port: port) { await $0.recommend(request) }
            #expect(outcome.kind == .retriable)
            #expect(outcome.failure?.code == .truncatedBody)
            #expect(outcome.httpStatus == 200)
            #expect(!outcome.isOverloadSignal)
        }
    }

    @Test("400 is permanent badRequest carrying the API's message")
    func badRequest() async throws {
        var configuration = fastConfiguration()
        configuration.fail400 = 1
        try await withSimulator(configuration) { _, port in
            let outcome = try await withClient(port: port) { await $0.recommend(request) }
            #expect(outcome.kind == .permanent)
            #expect(outcome.failure?.code == .badRequest)
            #expect(outcome.httpStatus == 400)
            #expect(outcome.failure?.message.contains("invalid spend profile") == true)
            #expect(!outcome.isOverloadSignal)
        }
    }

    @Test("an outage answers 503 until it ends")
    func outageWindow() async throws {
        var configuration = fastConfiguration()
        configuration.outageAfter = 0
        // Long enough that the first call lands in it on a loaded machine (the outage is
        // timed from the simulator's start); it has ended by `start` + 6 s.
        configuration.outageFor = 6
        try await withSimulator(configuration) { _, port in
            let start = ContinuousClock.now
            try await withClient(port: port) { client in
                let during = await client.recommend(request)
                #expect(during.failure?.code == .serviceUnavailable)
                #expect(during.isOverloadSignal)
                try await ContinuousClock().sleep(until: start.advanced(by: .milliseconds(6_200)))
                let after = await client.recommend(request)
                #expect(after.kind == .success)
            }
        }
    }

    @Test("connection refused is retriable connectionFailed and an overload signal")
    func connectionRefused() async throws {
        // Port 1 on the loopback interface has no listener.
        let outcome = try await withClient(port: 1) { await $0.recommend(request) }
        #expect(outcome.kind == .retriable)
        #expect(outcome.failure?.code == .connectionFailed)
        #expect(outcome.isOverloadSignal)
    }

    @Test("a DNS failure is retriable connectionFailed but not an overload signal")
    func dnsFailure() async throws {
        let client = CardGeniusClient(
            configuration: .init(url: "http://no-such-host.invalid/cg/api/pro", connectTimeout: .seconds(3), requestTimeout: .seconds(5)),
            logger: .init(label: "test")
        )
        let outcome = await client.recommend(request)
        try await client.shutdown()
        #expect(outcome.kind == .retriable)
        #expect(outcome.failure?.code == .connectionFailed)
        #expect(!outcome.isOverloadSignal)
    }

    @Test("https with an untrusted peer fails (TLS validation is on)")
    func tlsFailure() async throws {
        // A plain-HTTP simulator answering a TLS client hello: the handshake fails.
        try await withSimulator(fastConfiguration()) { _, port in
            let client = CardGeniusClient(
                configuration: .init(url: "https://127.0.0.1:\(port)/cg/api/pro", connectTimeout: .seconds(2), requestTimeout: .seconds(3)),
                logger: .init(label: "test")
            )
            let outcome = await client.recommend(request)
            try await client.shutdown()
            #expect(outcome.kind == .retriable)
            #expect(outcome.failure?.code == .tlsFailure, "\(outcome)")
            #expect(outcome.recommendation == nil)
        }
    }
}

@Suite("CardGeniusClient connection pool")
struct CardGeniusClientPoolTests {
    func peakConcurrency(maxConnections: Int, requests: Int) async throws -> (Int, [CallOutcome]) {
        // Long enough that every connection is open while the first answers are pending,
        // even on a busy machine.
        var configuration = fastConfiguration(latencyMilliseconds: 1_000)
        configuration.latencySigma = 0.01
        return try await withSimulator(configuration) { simulator, port in
            try await withClient(port: port, maxConnections: maxConnections) { client in
                let outcomes = await withTaskGroup(of: CallOutcome.self) { group in
                    for index in 0..<requests {
                        group.addTask {
                            await client.recommend(RecommendationRequest(spends: [.amazonSpends: Double(1_000 + index)]))
                        }
                    }
                    var outcomes: [CallOutcome] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                return (simulator.statistics().peakConcurrency, outcomes)
            }
        }
    }

    @Test("20 connections serve 20 concurrent requests (not capped at AsyncHTTPClient's default 8)")
    func twentyConnections() async throws {
        let (peak, outcomes) = try await peakConcurrency(maxConnections: 20, requests: 20)
        #expect(outcomes.allSatisfy { $0.kind == .success })
        #expect(peak == 20)
    }

    @Test("the pool size caps concurrency")
    func smallPoolCaps() async throws {
        let (peak, outcomes) = try await peakConcurrency(maxConnections: 4, requests: 8)
        #expect(outcomes.allSatisfy { $0.kind == .success })
        #expect(peak == 4)
    }
}
