public import GuestAccessCrypto
public import Logging
import Synchronization

/// The live keyring, swapped whole on reload so a request sees one keyring
/// from start to end and never a half-written one.
public final class KeyringHolder: Sendable {
    private let current: Mutex<Keyring>
    private let reloads = Atomic<Int>(0)
    private let refusals = Atomic<Int>(0)
    private let unknownKidsLogged = Mutex<[UnknownKeySource: Set<String>]>([:])
    /// Distinct unknown key ids from access tokens logged at most between reloads: anyone can write a
    /// well-formed id into a token header. Ids from queued requests (written only by replicas) are all logged.
    static let unknownTokenKidsLogLimit = 16

    /// Where an unknown key id was met.
    public enum UnknownKeySource: String, Sendable {
        /// An access token's header: anyone can forge one, so it only hints at a missing key.
        case accessToken = "access_token"
        /// A queued code request, written by a replica: a key another replica signs with.
        case queuedRequest = "queued_request"
    }
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
            // A reload may be the fix: ids still missing are logged again.
            unknownKidsLogged.withLock { $0 = [:] }
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

    /// Counts a key id this keyring never held and logs each such id once per
    /// reload (from access tokens, at most `unknownTokenKidsLogLimit` ids), so a
    /// keyring rolled out to only part of a fleet shows on the replicas that lack it.
    public func noteUnknown(kid: String, source: UnknownKeySource, logger: Logger) {
        metrics?.count(.unknownKeyIDs, [(.source, source.rawValue)])
        let first = unknownKidsLogged.withLock { logged in
            if source == .accessToken && logged[source, default: []].count >= Self.unknownTokenKidsLogLimit { return false }
            return logged[source, default: []].insert(kid).inserted
        }
        if first {
            logger.warning(
                "a key id this replica's keyring never held was met: give every replica the key (keys add, copy keyring.json) before any replica activates it",
                metadata: ["kid": "\(kid)", "source": "\(source.rawValue)", "active_kid": "\(keyring.active.kid)"]
            )
        }
    }

    /// Reloads that succeeded and were refused since start.
    public var reloadCounts: (succeeded: Int, refused: Int) {
        (reloads.load(ordering: .relaxed), refusals.load(ordering: .relaxed))
    }
}
