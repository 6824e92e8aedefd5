public import Foundation

/// The durable trail of security events. Events that must cost the same on
/// every path (verify attempts, code requests) are written by the stores in
/// the transaction they belong to; the rest come through `record`.
public protocol AuditTrail: Sendable {
    /// Appends one event.
    func record(_ event: AuditEvent) async throws(StoreError)
    /// The newest `query.limit` events matching `query`, oldest first.
    func events(_ query: AuditQuery) async throws(StoreError) -> [AuditEvent]
    /// Deletes events older than `date`, then the oldest beyond the newest
    /// `maxEvents` (so the trail has a size bound whatever the traffic);
    /// returns how many.
    func prune(before date: Date, keepingAtMost maxEvents: Int) async throws(StoreError) -> Int
}
