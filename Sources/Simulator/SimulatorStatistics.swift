/// The simulator's counters, as served by `GET /stats`:
///
/// `{"requests":N,"by_status":{"200":N,"429":N},"resets":N,"hangs":N,"in_flight":N,
/// "peak_concurrency":N,"peak_rps":N,"started_at":UNIX_SECONDS}`
package struct SimulatorStatistics: Sendable, Hashable, Codable {
    /// API requests received (`POST /cg/api/pro`), whatever their fate.
    package var requests: Int
    /// Answers sent, by HTTP status.
    package var byStatus: [Int: Int]
    /// Connections reset without an answer (injected faults).
    package var resets: Int
    /// Requests that hung (injected faults).
    package var hangs: Int
    /// API requests being served right now.
    package var inFlight: Int
    /// Largest number of API requests served at the same time.
    package var peakConcurrency: Int
    /// Largest number of API requests that arrived within any one-second window.
    package var peakRPS: Int
    /// When the simulator started (or the counters were reset), in seconds since 1970.
    package var startedAt: Double

    /// Answers sent with `status`.
    package func count(status: Int) -> Int { self.byStatus[status] ?? 0 }

    enum CodingKeys: String, CodingKey {
        case requests
        case byStatus = "by_status"
        case resets
        case hangs
        case inFlight = "in_flight"
        case peakConcurrency = "peak_concurrency"
        case peakRPS = "peak_rps"
        case startedAt = "started_at"
    }

    package init(
        requests: Int = 0,
        byStatus: [Int: Int] = [:],
        resets: Int = 0,
        hangs: Int = 0,
        inFlight: Int = 0,
        peakConcurrency: Int = 0,
        peakRPS: Int = 0,
        startedAt: Double = 0
    ) {
        self.requests = requests
        self.byStatus = byStatus
        self.resets = resets
        self.hangs = hangs
        self.inFlight = inFlight
        self.peakConcurrency = peakConcurrency
        self.peakRPS = peakRPS
        self.startedAt = startedAt
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.requests = try container.decode(Int.self, forKey: .requests)
        let byStatus = try container.decode([String: Int].self, forKey: .byStatus)
        self.byStatus = Dictionary(
            byStatus.compactMap { key, value in Int(key).map { ($0, value) } },
            uniquingKeysWith: +
        )
        self.resets = try container.decode(Int.self, forKey: .resets)
        self.hangs = try container.decode(Int.self, forKey: .hangs)
        self.inFlight = try container.decode(Int.self, forKey: .inFlight)
        self.peakConcurrency = try container.decode(Int.self, forKey: .peakConcurrency)
        self.peakRPS = try container.decode(Int.self, forKey: .peakRPS)
        self.startedAt = try container.decode(Double.self, forKey: .startedAt)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.requests, forKey: .requests)
        try container.encode(
            Dictionary(uniqueKeysWithValues: self.byStatus.map { (String($0.key), $0.value) }),
            forKey: .byStatus
        )
        try container.encode(self.resets, forKey: .resets)
        try container.encode(self.hangs, forKey: .hangs)
        try container.encode(self.inFlight, forKey: .inFlight)
        try container.encode(self.peakConcurrency, forKey: .peakConcurrency)
        try container.encode(self.peakRPS, forKey: .peakRPS)
        try container.encode(self.startedAt, forKey: .startedAt)
    }

    /// The `/stats` JSON document (keys in a fixed order).
    package func jsonBytes() -> [UInt8] {
        let byStatus = self.byStatus.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
        let text = """
            {"requests":\(self.requests),"by_status":{\(byStatus.joined(separator: ","))},\
            "resets":\(self.resets),"hangs":\(self.hangs),"in_flight":\(self.inFlight),\
            "peak_concurrency":\(self.peakConcurrency),"peak_rps":\(self.peakRPS),\
            "started_at":\(self.startedAt)}
            """
        return Array(text.utf8)
    }
}
