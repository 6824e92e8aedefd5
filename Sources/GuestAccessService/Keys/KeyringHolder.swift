public import GuestAccessCrypto
public import Logging
import Synchronization

/// The live keyring, swapped whole on reload so a request sees one keyring
/// from start to end and never a half-written one.
public final class KeyringHolder: Sendable {
    private let current: Mutex<Keyring>
    private let reloads = Atomic<Int>(0)
    private let refusals = Atomic<Int>(0)
    private let unknownKidsLogged = Mutex<Set<String>>([])
    /// Distinct unknown key ids logged at most (anyone can put a well-formed id in a token header).
    static let unknownKidsLogLimit = 16
    public let file: KeyringFile
    let logger: Logger
    let metrics: ServiceMetrics?

    /// Loads the keyring from `file`; a missing, malformed or too-open file is refused.
    public init(file: KeyringFile, logger: Logger, metrics: ServiceMetrics? = nil) throws(KeyringError) {
        self.file = file
        self.logger = logger
        self.metrics = metrics
        self.current = Mutex(try Keyring(document: file.load()))
    }

    /// The keyring in force now.
    public var keyring: Keyring { current.withLock { $0 } }

    /// Re-reads the file; a broken file is refused and the keyring in force kept.
    @discardableResult
    public func reload(trigger: String) -> Bool {
        do {
            let fresh = try Keyring(document: file.load())
            let changed = current.withLock { keyring -> Bool in
                let changed = keyring.keys.map(\.kid) != fresh.keys.map(\.kid)
                keyring = fresh
                return changed
            }
            reloads.add(1, ordering: .relaxed)
            metrics?.count(.keyringReloads, [(.result, "ok")])
            logger.info(
                "keyring reloaded",
                metadata: [
                    "trigger": "\(trigger)", "active_kid": "\(fresh.active.kid)", "keys": "\(fresh.keys.count)", "changed": "\(changed)",
                ]
            )
            return true
        } catch {
            refusals.add(1, ordering: .relaxed)
            metrics?.count(.keyringReloads, [(.result, "refused")])
            logger.error("keyring reload refused; keeping the keyring in force", metadata: ["trigger": "\(trigger)", "reason": "\(error)"])
            return false
        }
    }

    /// Counts a key id this keyring never held and logs each such id once
    /// (up to `unknownKidsLogLimit` ids), so a keyring rolled out to only
    /// part of a fleet shows on the replicas that lack it.
    public func noteUnknown(kid: String, logger: Logger) {
        metrics?.count(.unknownKeyIDs)
        let first = unknownKidsLogged.withLock { logged in
            guard logged.count < Self.unknownKidsLogLimit else { return false }
            return logged.insert(kid).inserted
        }
        if first {
            logger.warning(
                "a key id this replica's keyring never held was met: give every replica the key (keys add, copy keyring.json) before any replica activates it",
                metadata: ["kid": "\(kid)", "active_kid": "\(keyring.active.kid)"]
            )
        }
    }

    /// Reloads that succeeded and were refused since start.
    public var reloadCounts: (succeeded: Int, refused: Int) {
        (reloads.load(ordering: .relaxed), refusals.load(ordering: .relaxed))
    }
}
