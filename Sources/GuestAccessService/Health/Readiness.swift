import Synchronization

/// Whether the service should receive traffic: started, not draining, and
/// every dependency answering.
public final class Readiness: Sendable {
    private let started = Atomic<Bool>(false)
    private let checks: [@Sendable () async -> Bool]

    public init(checks: [@Sendable () async -> Bool]) { self.checks = checks }

    /// Marks the server as listening (or, with false, as draining).
    public func setStarted(_ value: Bool) { started.store(value, ordering: .releasing) }

    public func check() async -> Bool {
        guard started.load(ordering: .acquiring) else { return false }
        for check in checks where await !check() { return false }
        return true
    }
}
