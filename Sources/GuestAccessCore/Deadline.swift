import Synchronization

/// The operation outlived its deadline.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}

/// Runs `operation`, cancelling it and throwing `DeadlineExceeded` after `limit`.
///
/// Used wherever a peer controls how long we wait: request bodies, provider calls.
/// Like the task group it replaced, it returns only once the operation has
/// ended (cancelled, it must end promptly), and an operation that ended before
/// the deadline passed keeps its outcome however late its caller resumes; the
/// deadline is a `DelayedAction`, not a second task that sleeps.
public func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    // The group's children started cancelled when the caller was; this task would not.
    try Task.checkCancellation()
    let race = DeadlineRace()
    let work = Task {
        defer { race.operationEnded() }
        return try await operation()
    }
    let deadline = DelayedAction()
    deadline.start(after: limit) {
        if race.deadlinePassed() { work.cancel() }
    }
    let result = await withTaskCancellationHandler {
        await work.result
    } onCancel: {
        work.cancel()
    }
    deadline.cancel()
    if race.passed { throw DeadlineExceeded() }
    return try result.get()
}

/// Who came first, the operation's end or the deadline: decided once.
private final class DeadlineRace: Sendable {
    private static let open: UInt8 = 0
    private static let ended: UInt8 = 1
    private static let expired: UInt8 = 2

    private let state = Atomic<UInt8>(DeadlineRace.open)

    /// The operation ended; the deadline can no longer win.
    func operationEnded() {
        _ = state.compareExchange(expected: Self.open, desired: Self.ended, ordering: .sequentiallyConsistent)
    }

    /// Whether the deadline won: the operation had not ended.
    func deadlinePassed() -> Bool {
        state.compareExchange(expected: Self.open, desired: Self.expired, ordering: .sequentiallyConsistent).exchanged
    }

    var passed: Bool { state.load(ordering: .sequentiallyConsistent) == Self.expired }
}
