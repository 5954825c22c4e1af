import Foundation
import Logging
import ServiceLifecycle

/// Budgets from a mounted file, as a `Service`: every ``interval`` it reads the
/// configuration file and, when its content changed, reloads exactly as SIGHUP does
/// (``ConfigReloader/reload(trigger:)``: the same loader, validation and log lines).
///
/// Kubernetes updates a mounted `ConfigMap` by an atomic symlink swap (`..data` is
/// replaced by a link to a new timestamped directory) and nobody sends SIGHUP; editors
/// and `mv` replace the file by a new inode. Reading the path each time follows whatever
/// it points at now, so every way of changing the file is seen; comparing the content
/// (not the modification time or the inode) ignores swaps that change nothing. A file
/// that is briefly missing or unreadable mid-swap is skipped until the next poll; an
/// invalid one is logged once per content by the reloader and the budgets are kept.
struct ConfigFileWatcher: Service {
    /// The configuration file (`--config` or `$CARDGENIUS_CONFIG`), as given (symlinks followed on each read).
    let path: String
    /// How often the file is read.
    let interval: Duration
    let reloader: ConfigReloader
    let logger: Logger

    init(path: String, interval: Duration = .seconds(1), reloader: ConfigReloader, logger: Logger) {
        self.path = path
        self.interval = interval
        self.reloader = reloader
        self.logger = logger
    }

    func run() async {
        logger.debug("watching the configuration file for budget changes", metadata: ["path": "\(path)"])
        await cancelWhenGracefulShutdown { [path, interval, reloader] in
            var last = Self.fingerprint(path)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                guard let now = Self.fingerprint(path), now != last else { continue }
                last = now
                reloader.reload(trigger: "configuration file changed")
            }
        }
    }

    /// What identifies the file's content: its bytes, or `nil` while it cannot be read.
    static func fingerprint(_ path: String) -> Data? {
        FileManager.default.contents(atPath: path)
    }
}
