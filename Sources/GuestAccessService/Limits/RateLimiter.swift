import Foundation
import Synchronization

/// Token buckets per client, in memory, bounded in size. When the table is
/// full, a new client takes the place of the client whose bucket was least
/// recently used, in O(1): the old way (drop every refilled bucket, then
/// search for the oldest) scanned the whole table under the lock for every new
/// client once it was full, so a flood of fresh addresses slowed every request.
///
/// Evicting by recency alone may forget a bucket that was not yet refilled;
/// that costs little. A bucket left alone is full again within
/// burst / perSecond seconds (6 s by default policy) anyway, and every request
/// touches its client's bucket, throttled or not, so to have its own bucket
/// forgotten sooner an attacker must first send requests from `maxClients`
/// other keys — each with a full burst of its own — after its last one; one
/// more burst is nothing next to those.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets: Mutex<LRUTable<Bucket>>
    let burst: Double
    let perSecond: Double
    let maxClients: Int

    public init(burst: Int, perSecond: Int, maxClients: Int = 100_000) {
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
        self.maxClients = maxClients
        self.buckets = Mutex(LRUTable(capacity: maxClients))
    }

    /// Takes one token for `client`; nil when allowed, else seconds until a token is back.
    public func take(_ client: String, now: Double? = nil) -> Int? {
        let now = now ?? ContinuousClock.now.secondsSinceStart
        let fresh = Bucket(tokens: burst, updated: now)
        return buckets.withLock { table in
            table.update(client, orInsert: { fresh }) { bucket in
                bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
                bucket.updated = now
                guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
                bucket.tokens -= 1
                return nil
            }
        }
    }

    /// Clients with a bucket, for tests: never more than `maxClients`.
    var count: Int { buckets.withLock { $0.count } }

    /// Whether `client` still has a bucket, for tests; does not count as a use.
    func contains(_ client: String) -> Bool { buckets.withLock { $0.contains(client) } }

    /// Clients from least to most recently used, for tests. O(n).
    var clientsByRecency: [String] { buckets.withLock { $0.keysByRecency } }
}

extension ContinuousClock.Instant {
    /// Seconds since an arbitrary fixed point, for bucket arithmetic.
    var secondsSinceStart: Double {
        let components = (self - ContinuousClock.Instant.processStart).components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    static let processStart = ContinuousClock.now
}
