import GuestAccessCrypto
public import GuestAccessService
public import ServiceLifecycle
import UnixSignals

/// Reloads the keyring on SIGHUP and whenever `keyring.json` changes
/// (polled by inode, size and mtime), until graceful shutdown.
public struct KeyringReloader: Service {
    let holder: KeyringHolder
    let pollInterval: Duration

    public init(holder: KeyringHolder, pollInterval: Duration = .seconds(1)) {
        self.holder = holder
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { holder.reload(trigger: "SIGHUP") }
                }
                group.addTask {
                    var last = holder.file.fingerprint()
                    while !Task.isCancelled {
                        try? await Task.sleep(for: pollInterval)
                        let now = holder.file.fingerprint()
                        if now != last {
                            last = now
                            holder.reload(trigger: "file change")
                        }
                    }
                }
                await group.waitForAll()
            }
        }
    }
}
