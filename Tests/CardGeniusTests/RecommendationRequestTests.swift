import CardGenius
import Foundation
import Testing

@Suite("RecommendationRequest")
struct RecommendationRequestTests {
    @Test("the body carries every field in schema order, missing ones as 0, then selected_card_id null")
    func everyField() throws {
        let body = RecommendationRequest(spends: [.amazonSpends: 5_000, .fuel: 1_500.5, .diningUsage: 4]).jsonBody()
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"amazon_spends":5000,"flipkart_spends":0,"#))
        #expect(text.contains(#""fuel":1500.5,"#))
        #expect(text.contains(#""dining_usage":4,"#))
        #expect(text.hasSuffix(#""dining_mov":0,"selected_card_id":null}"#))
        #expect(!text.contains(".0,"))

        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object.count == SpendField.allCases.count + 1)
        for field in SpendField.allCases {
            #expect(object[field.rawValue] is NSNumber, "\(field.rawValue)")
        }
        #expect(object["selected_card_id"] is NSNull)
        // Schema order.
        var position = text.startIndex
        for field in SpendField.allCases {
            let range = try #require(text.range(of: "\"\(field.rawValue)\":", range: position..<text.endIndex))
            position = range.upperBound
        }
    }

    @Test("numbers: integral without fraction, others round-trip, non-finite as 0")
    func numbers() throws {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (12, "12"), (1e15, "1000000000000000"), (0.25, "0.25"), (1500.75, "1500.75"),
            (.infinity, "0"), (.nan, "0"),
        ]
        for (value, expected) in cases {
            let text = String(decoding: RecommendationRequest(spends: [.rent: value]).jsonBody(), as: UTF8.self)
            #expect(text.contains(#""rent":\#(expected),"#), "\(value) -> \(text)")
        }
    }
}
