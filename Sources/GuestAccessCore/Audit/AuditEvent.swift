public import Foundation

/// One row of the audit trail. It names an order only by a keyed digest (so
/// the trail holds no order number, email, code or token), and `detail` is a
/// short fixed word or a key id, never caller input.
public struct AuditEvent: Sendable, Equatable {
    /// Assigned by the store; `nil` before the event is recorded.
    public var id: Int64?
    public var at: Date
    public var kind: AuditEventKind
    /// HMAC(order-digest subkey, order number) under key `kid`, or `nil` for
    /// events about no order (key events).
    public var orderDigest: [UInt8]?
    public var kid: String?
    public var detail: String?
    /// How many occurrences this row stands for: 1, or more for an hourly
    /// aggregate of code requests that ended without a code (see
    /// `CodeRequestQueue.finish`), which keeps a request flood from growing
    /// the trail with every request.
    public var count: Int = 1

    public init(
        id: Int64? = nil,
        at: Date,
        kind: AuditEventKind,
        orderDigest: [UInt8]? = nil,
        kid: String? = nil,
        detail: String? = nil,
        count: Int = 1
    ) {
        self.count = count
        self.id = id
        self.at = at
        self.kind = kind
        self.orderDigest = orderDigest
        self.kid = kid
        self.detail = detail
    }
}
