import Foundation
import Prometheus
import Synchronization

/// The process's own CPU, memory and file descriptors, read from `/proc` when `/metrics`
/// is scraped, under Prometheus's standard `process_*` names, plus the CPU and memory the
/// process may use (its cgroup's limits, else the machine's), so alerts can say "CPU above
/// 80 %" and "memory above 90 %" without node_exporter.
///
/// On systems without `/proc` (macOS) the figures stay at zero.
final class ProcessMetrics: Sendable {
    private let cpuSeconds: Counter
    private let residentBytes: Gauge
    private let virtualBytes: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    private let memoryLimit: Gauge
    private let cpuLimit: Gauge
    /// The CPU seconds last published, so the counter advances by deltas.
    private let lastCPU = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        cpuSeconds = registry.makeCounter(name: "process_cpu_seconds_total", help: "User and system CPU time spent, in seconds.")
        residentBytes = registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.")
        virtualBytes = registry.makeGauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        openFDs = registry.makeGauge(name: "process_open_fds", help: "Open file descriptors.")
        maxFDs = registry.makeGauge(name: "process_max_fds", help: "The file descriptor limit.")
        startTime = registry.makeGauge(name: "process_start_time_seconds", help: "Start time of the process since the epoch, in seconds.")
        memoryLimit = registry.makeGauge(
            name: "cardgenius_memory_limit_bytes",
            help: "Memory the process may use: its cgroup's limit, else the machine's memory.")
        cpuLimit = registry.makeGauge(
            name: "cardgenius_cpu_limit_cores",
            help: "CPU cores the process may use: its cgroup's quota, else the machine's cores.")
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(to: Double(limit.rlim_cur)) }
        update()
    }

    /// Reads `/proc` and sets the figures; called before each scrape renders.
    func update() {
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let fields = Self.statFields(stat)
        {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let page = Double(sysconf(Int32(_SC_PAGESIZE)))
            let cpu = (fields.utime + fields.stime) / ticks
            let delta = lastCPU.withLock { last in
                defer { last = max(last, cpu) }
                return cpu - last
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
            virtualBytes.set(to: fields.vsize)
            residentBytes.set(to: fields.rss * page)
            if let uptime = Self.bootTime() { startTime.set(to: uptime + fields.starttime / ticks) }
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFDs.set(to: Double(fds.count))
        }
        memoryLimit.set(to: Self.memoryLimitBytes())
        cpuLimit.set(to: Self.cpuLimitCores())
    }

    /// The fields of `/proc/self/stat` that matter, counted after the `(comm)` field, which
    /// may itself contain spaces and parentheses.
    static func statFields(_ stat: String) -> (utime: Double, stime: Double, starttime: Double, vsize: Double, rss: Double)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); field N is rest[N - 3].
        func field(_ n: Int) -> Double? { rest.count > n - 3 ? Double(rest[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let start = field(22),
            let vsize = field(23), let rss = field(24)
        else { return nil }
        return (utime, stime, start, vsize, rss)
    }

    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// cgroup v2 `memory.max` (or v1 `memory.limit_in_bytes`) when set, else `MemTotal`.
    static func memoryLimitBytes() -> Double {
        let total = Double(ProcessInfo.processInfo.physicalMemory)
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0, value < total
            {
                return value
            }
        }
        return total
    }

    /// cgroup v2 `cpu.max` quota / period when set, else the active processor count.
    static func cpuLimitCores() -> Double {
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
            if parts.count == 2, let quota = Double(parts[0]), let period = Double(parts[1]), period > 0 {
                return min(cores, quota / period)
            }
        }
        return cores
    }
}
