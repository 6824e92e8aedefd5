import Synchronization

/// The operation outlived its deadline.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}

/// Runs `operation`, cancelling it and throwing `DeadlineExceeded` after `limit`.
///
/// Used wherever a peer controls how long we wait: request bodies, provider calls.
/// Like the task group it replaced, it returns only once the operation has
/// ended (cancelled, it must end promptly); the deadline is a `DelayedAction`,
/// not a second task that sleeps.
public func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Task { try await operation() }
    let passed = PassedFlag()
    let deadline = DelayedAction()
    deadline.start(after: limit) {
        passed.set()
        work.cancel()
    }
    let result = await withTaskCancellationHandler {
        await work.result
    } onCancel: {
        work.cancel()
    }
    deadline.cancel()
    if passed.isSet { throw DeadlineExceeded() }
    return try result.get()
}

/// Set once the deadline passed: the operation's outcome is then not the answer.
private final class PassedFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .sequentiallyConsistent) }

    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
