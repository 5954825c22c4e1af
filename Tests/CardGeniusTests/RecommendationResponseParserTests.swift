import CardGenius
import Testing

@Suite("RecommendationResponseParser")
struct RecommendationResponseParserTests {
    let parser = RecommendationResponseParser()

    /// A body whose cards contain escapes, brackets inside strings, nesting and unicode.
    static let trickySavings = #"""
        [ {"id":1,"card_name":"A \"quoted\" ] } card","nested":{"a":[1,2,{"b":null}],"c":"\\"},"u":"\u00e9\ud83d\ude00","n":-1.5e+3},
          {"id":2,"tags":"x,y","arr":[],"obj":{},"t":true,"f":false} ]
        """#
    static let trickyBody = #"{"success": true, "message": "ok \"fine\"", "savings": "# + trickySavings + "\n}\n"

    @Test("success: the savings bytes are a verbatim slice and the cards are counted")
    func verbatimSlice() throws {
        let body = Array(Self.trickyBody.utf8)
        let recommendation = try parser.recommendation(from: body)
        #expect(recommendation.savingsJSON == Array(Self.trickySavings.utf8))
        #expect(recommendation.cardCount == 2)
        #expect(recommendation.message == #"ok "fine""#)
    }

    @Test("members may come in any order and unknown members are skipped")
    func memberOrder() throws {
        let body = Array(#"{"extra":{"deep":[[["]"]]]},"savings":[{"id":7}],"message":"","success":true}"#.utf8)
        let recommendation = try parser.recommendation(from: body)
        #expect(recommendation.savingsJSON == Array(#"[{"id":7}]"#.utf8))
        #expect(recommendation.cardCount == 1)
    }

    @Test("an empty savings array is a success with no cards")
    func emptySavings() throws {
        let recommendation = try parser.recommendation(from: Array(#"{"success":true,"savings":[]}"#.utf8))
        #expect(recommendation.cardCount == 0)
        #expect(recommendation.savingsJSON == Array("[]".utf8))
    }

    @Test("success=false is apiReportedFailure with the API's message")
    func apiFailure() {
        #expect(throws: CallFailure(code: .apiReportedFailure, message: "Invalid input")) {
            try parser.recommendation(from: Array(#"{"success":false,"message":"Invalid input"}"#.utf8))
        }
    }

    @Test("every proper prefix of a valid body is reported as truncated", arguments: [trickyBody])
    func everyPrefixIsTruncated(body: String) {
        let bytes = Array(body.utf8)
        // The document is complete once the closing brace has been read; only whitespace follows.
        let lastBrace = bytes.lastIndex(of: UInt8(ascii: "}")) ?? bytes.count
        for cut in 0..<lastBrace {
            do {
                _ = try parser.recommendation(from: Array(bytes[0..<cut]))
                Issue.record("a body cut at \(cut) parsed")
            } catch {
                #expect(error.code == .truncatedBody, "cut at \(cut): \(error)")
            }
        }
    }

    @Test(
        "invalid documents are malformed",
        arguments: [
            #"[]"#, #""success""#, #"{"success":"yes","savings":[]}"#, #"{"savings":[]}"#,
            #"{"success":true}"#, #"{"success":true,"savings":{}}"#, #"{"success":true,"savings":[1]}"#,
            #"{"success":true,"savings":[{}],}"#, #"{"success":true,"savings":[{}]} x"#,
            #"{"success":true,"savings":[{"a":tru}]}"#, #"{"success":true,"savings":[{"a":01}]}"#,
            #"{"success":true,"savings":[{"a":"\x"}]}"#, #"{"success":true "savings":[]}"#,
            #"{success:true,"savings":[]}"#, "{\"success\":true,\"savings\":[{\"a\":\"\u{01}\"}]}",
            #"<html>502 Bad Gateway</html>"#,
        ]
    )
    func malformed(body: String) {
        do {
            _ = try parser.recommendation(from: Array(body.utf8))
            Issue.record("\(body) parsed")
        } catch {
            #expect(error.code == .malformedBody, "\(body): \(error)")
        }
    }

    @Test("an empty body is truncated")
    func emptyBody() {
        #expect(throws: CallFailure.self) { try parser.recommendation(from: []) }
        do { _ = try parser.recommendation(from: []) } catch { #expect(error.code == .truncatedBody) }
    }

    @Test("a 37 KB body parses well under half a millisecond (optimised builds)")
    func speed() throws {
        var savings = "["
        for index in 0..<18 {
            if index > 0 { savings += "," }
            savings += #"{"id":\#(index),"card_name":"Card \#(index) \"x\"","joining_fees":"499","roi":12345,"#
            savings += #""spending_breakdown":{"#
            savings += (0..<20).map { #""field_\#($0)":{"spend":5000,"savings":250.5,"maxCap":1000,"cashback_percentage":"5"}"# }
                .joined(separator: ",")
            savings += #"},"tags":"Shopping, Cashback","image":"https://cdn.example/cards/\#(index).webp"}"#
        }
        savings += "]"
        let body = Array(#"{"success":true,"message":"","savings":\#(savings)}"#.utf8)
        #expect(body.count > 30_000)
        let iterations = 300
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<iterations {
                let recommendation = try parser.recommendation(from: body)
                #expect(recommendation.cardCount == 18)
            }
        }
        let perBody = elapsed / iterations
        #if DEBUG
        // Unoptimised test builds are roughly 10x slower and tests run in parallel on a shared
        // machine: only guard against pathologies (quadratic scans) here.
        #expect(perBody < .milliseconds(50), "\(perBody) per \(body.count)-byte body")
        #else
        #expect(perBody < .microseconds(500), "\(perBody) per \(body.count)-byte body")
        #endif
    }
}
