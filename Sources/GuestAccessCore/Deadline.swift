/// The operation outlived its deadline.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}

/// Runs `operation`, cancelling it and throwing `DeadlineExceeded` after `limit`.
///
/// Used wherever a peer controls how long we wait: request bodies, provider calls.
public func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await cancellableSleep(for: limit)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded() }
        return first
    }
}
