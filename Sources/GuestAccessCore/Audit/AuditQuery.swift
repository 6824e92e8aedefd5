public import Foundation

/// What `guest-access audit` asks for. An order is named by its digests, one
/// per key that may have written them (the trail cannot be searched by order
/// number, and events digested under a retired key no longer match any order).
public struct AuditQuery: Sendable {
    /// (digest, kid) pairs for one order; empty means every order.
    public var orderDigests: [(digest: [UInt8], kid: String)]
    public var kinds: [AuditEventKind]
    public var since: Date?
    /// Newest `limit` events, printed oldest first.
    public var limit: Int

    public init(orderDigests: [(digest: [UInt8], kid: String)] = [], kinds: [AuditEventKind] = [], since: Date? = nil, limit: Int = 100) {
        self.orderDigests = orderDigests
        self.kinds = kinds
        self.since = since
        self.limit = limit
    }
}
