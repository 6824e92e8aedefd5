/// Waits for `duration`, or throws `CancellationError` as soon as the task is
/// cancelled, and in that case gives its place back at once.
///
/// `Task.sleep` also answers a cancellation at once, but the timer it enqueued
/// (a task and a dispatch source, about 750 bytes) stays alive until the full
/// duration has passed. A ten-second request deadline, set and cancelled
/// thousands of times a second, kept tens of megabytes of finished requests'
/// timers alive under a write flood (BENCHMARKS.md, 2026-11-27). A dispatch
/// source per sleep, cancelled with it, fixed the memory but cost 10% of the
/// PostgreSQL routes' samples (a sleep per request body and per database
/// operation); every sleep now waits in `SleepQueue`, behind one timer.
public func cancellableSleep(for duration: Duration) async throws {
    let queue = SleepQueue.shared
    let id = queue.reserve()
    try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.wait(id, continuation, for: duration)
        }
    } onCancel: {
        queue.cancel(id)
    }
}
