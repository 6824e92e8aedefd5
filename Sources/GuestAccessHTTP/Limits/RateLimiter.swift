import Foundation
import Synchronization

/// Token buckets per client, in memory, bounded in size: when full, buckets
/// that have refilled completely (and so carry no state worth keeping) are
/// dropped first, then the oldest.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    let burst: Double
    let perSecond: Double
    let maxClients: Int

    public init(burst: Int, perSecond: Int, maxClients: Int = 100_000) {
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
        self.maxClients = maxClients
    }

    /// Takes one token for `client`; nil when allowed, else seconds until a token is back.
    public func take(_ client: String, now: Double? = nil) -> Int? {
        let now = now ?? ContinuousClock.now.secondsSinceStart
        return buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer {
                if buckets.count >= maxClients && buckets[client] == nil { evict(&buckets, now: now) }
                buckets[client] = bucket
            }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    private func evict(_ buckets: inout [String: Bucket], now: Double) {
        let full = buckets.filter { min(burst, $0.value.tokens + (now - $0.value.updated) * perSecond) >= burst }.map(\.key)
        for key in full { buckets.removeValue(forKey: key) }
        while buckets.count >= maxClients, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            buckets.removeValue(forKey: oldest)
        }
    }
}

extension ContinuousClock.Instant {
    /// Seconds since an arbitrary fixed point, for bucket arithmetic.
    var secondsSinceStart: Double {
        let components = (self - ContinuousClock.Instant.processStart).components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    static let processStart = ContinuousClock.now
}
