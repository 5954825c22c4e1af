import Logging
import Testing

@testable import CardGenius

@Suite("Classification of HTTP answers")
struct ClassificationTests {
    static let client = CardGeniusClient(configuration: .init(url: "http://127.0.0.1:1/cg/api/pro"), logger: Logger(label: "test"))

    func classify(_ status: Int, _ body: String, retryAfter: Duration? = nil) -> CallOutcome {
        Array(body.utf8).withUnsafeBytes {
            Self.client.classify(status: status, body: $0, retryAfter: retryAfter, rateLimitRemaining: 3, latency: .milliseconds(5))
        }
    }

    @Test(
        "status codes map to kind, code and overload signal",
        arguments: [
            (429, CallOutcome.Kind.retriable, CallFailure.Code.rateLimited, true),
            (503, .retriable, .serviceUnavailable, true),
            (504, .retriable, .gatewayTimeout, true),
            (502, .retriable, .badGateway, false),
            (500, .retriable, .serverError, false),
            (599, .retriable, .serverError, false),
            (408, .retriable, .timeout, true),
            (400, .permanent, .badRequest, false),
            (422, .permanent, .badRequest, false),
            (404, .permanent, .badRequest, false),
            (301, .permanent, .unexpectedStatus, false),
        ]
    )
    func statuses(status: Int, kind: CallOutcome.Kind, code: CallFailure.Code, overload: Bool) {
        let outcome = classify(status, #"{"success":false,"message":"nope"}"#, retryAfter: .seconds(2))
        #expect(outcome.kind == kind)
        #expect(outcome.failure?.code == code)
        #expect(outcome.failure?.httpStatus == status)
        #expect(outcome.httpStatus == status)
        #expect(outcome.isOverloadSignal == overload)
        #expect(outcome.retryAfter == .seconds(2))
        #expect(outcome.rateLimitRemaining == 3)
        #expect(outcome.failure?.message.contains("nope") == true)
    }

    @Test("success=false: transient messages are retriable, others permanent")
    func apiReportedFailure() {
        let transient = classify(200, #"{"success":false,"message":"Something went wrong, please try again"}"#)
        #expect(transient.kind == .retriable)
        #expect(transient.failure?.code == .apiReportedFailure)
        let internalError = classify(200, #"{"success":false,"message":"Internal Server Error"}"#)
        #expect(internalError.kind == .retriable)
        let invalid = classify(200, #"{"success":false,"message":"amazon_spends: must be a number"}"#)
        #expect(invalid.kind == .permanent)
        #expect(invalid.failure?.code == .apiReportedFailure)
        #expect(invalid.failure?.message == "amazon_spends: must be a number")
    }

    @Test("2xx bodies: valid, malformed, truncated")
    func bodies() {
        let ok = classify(200, #"{"success":true,"message":"","savings":[{"id":1},{"id":2}]}"#)
        #expect(ok.kind == .success)
        #expect(ok.recommendation?.cardCount == 2)
        #expect(ok.rateLimitRemaining == 3)
        #expect(classify(200, "<html></html>").failure?.code == .malformedBody)
        #expect(classify(200, "<html></html>").kind == .retriable)
        #expect(classify(200, #"{"success":true,"savings":[{"id":1},{"#).failure?.code == .truncatedBody)
        #expect(classify(200, "").failure?.code == .truncatedBody)
    }

    @Test("transport errors")
    func errors() {
        let cancelled = CardGeniusClient.classify(error: CancellationError(), latency: .zero, duringBody: false)
        #expect(cancelled.failure?.code == .cancelled)
        #expect(!cancelled.isOverloadSignal)
        struct Odd: Error {}
        let odd = CardGeniusClient.classify(error: Odd(), latency: .zero, duringBody: false)
        #expect(odd.failure?.code == .transportError)
        #expect(odd.kind == .retriable)
    }
}
