#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-normal answer latency with a given mean: `exp(mu + sigma * N(0,1))` with
/// `mu = ln(mean) - sigma^2 / 2`, then multiplied by `scale`.
struct LatencyModel: Sendable, Hashable {
    let meanMilliseconds: Double
    let sigma: Double
    let scale: Double

    /// True when every answer is immediate.
    var isZero: Bool { self.meanMilliseconds <= 0 || self.scale <= 0 }

    /// A latency sample in nanoseconds, drawn with `rng`.
    func sampleNanoseconds(using rng: inout SplitMix64) -> Int64 {
        guard !self.isZero else { return 0 }
        let mu = log(self.meanMilliseconds) - self.sigma * self.sigma / 2
        let milliseconds = exp(mu + self.sigma * rng.nextGaussian()) * self.scale
        // Cap at ten minutes so that a pathological draw cannot stall a test forever.
        return Int64(min(milliseconds, 600_000) * 1_000_000)
    }
}
