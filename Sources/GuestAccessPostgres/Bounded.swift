import GuestAccessCore
import Synchronization

/// The operation's result, or `TimedOut` after `limit` — without waiting for
/// the operation to notice its cancellation. A pool waiting for a server that
/// is gone, or a query on a connection whose peer vanished without a word,
/// may not return promptly when cancelled; a request must still get its 503.
/// The operation is cancelled: a lease still waiting is withdrawn, so no body
/// runs late; a body already running on a dead connection cannot commit.
func bounded<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let once = Once(continuation)
        // A delayed action, not a task that sleeps: one task per operation instead of three.
        let timer = DelayedAction()
        let work = Task {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            // The timer ends with the work, not `limit` later.
            timer.cancel()
            once.resume(with: result)
        }
        timer.start(after: limit) {
            if once.resume(with: .failure(TimedOut())) { work.cancel() }
        }
    }
}

/// A continuation resumed by whichever comes first.
private final class Once<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    /// Resumes the continuation unless it was resumed already; says whether it did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard let continuation = continuation.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        return true
    }
}

/// A database operation outlived its bound.
struct TimedOut: Error, CustomStringConvertible {
    var description: String { "timed out" }
}
