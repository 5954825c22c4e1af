import StrictJSON

/// The body sent to `POST /cg/api/pro`.
///
/// Built by the pipeline from a validated record's spends. The JSON carries every
/// ``SpendField`` (a field absent from ``spends`` is sent as `0`) in schema order, followed by
/// `"selected_card_id": null`. Amounts are JSON numbers; integral amounts are written without
/// a fraction (`1500`, not `1500.0`).
public struct RecommendationRequest: Sendable, Hashable {
    /// Amount per spend field. Missing fields are sent as `0`.
    public var spends: [SpendField: Double]

    /// Creates a request from the given spends.
    public init(spends: [SpendField: Double]) {
        self.spends = spends
    }

    /// The UTF-8 JSON body, for example
    /// `{"amazon_spends":5000,"flipkart_spends":0,...,"selected_card_id":null}`.
    ///
    /// Non-finite amounts (which JSON cannot carry) are written as `0`; validating records is
    /// the caller's job.
    public func jsonBody() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(UInt8(ascii: "{"))
        for field in SpendField.allCases {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: field.rawValue.utf8)
            out.append(contentsOf: "\":".utf8)
            JSONWriter.appendNumber(self.spends[field] ?? 0, to: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: "\"selected_card_id\":null}".utf8)
        return out
    }
}
