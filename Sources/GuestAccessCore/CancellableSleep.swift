import Dispatch
import Synchronization

/// Waits for `duration`, or throws `CancellationError` as soon as the task is
/// cancelled, and in that case gives its timer back at once.
///
/// `Task.sleep` also answers a cancellation at once, but the timer it enqueued
/// (a task and a dispatch source, about a kilobyte) stays alive until the full
/// duration has passed. A ten-second request deadline, set and cancelled
/// thousands of times a second, kept tens of megabytes of finished requests'
/// timers alive under a write flood (BENCHMARKS.md, 2026-11-27).
public func cancellableSleep(for duration: Duration) async throws {
    let sleeper = Sleeper()
    try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            sleeper.start(continuation, after: duration)
        }
    } onCancel: {
        sleeper.finish(with: .failure(CancellationError()))
    }
}

/// One wait: its continuation and the dispatch timer that ends it, resumed by
/// whichever of the timer and the cancellation comes first.
private final class Sleeper: Sendable {
    private enum Phase {
        case notStarted
        case cancelledBeforeStart
        case waiting(CheckedContinuation<Void, any Error>, any DispatchSourceTimer)
        case finished
    }

    private let phase = Mutex(Phase.notStarted)

    func start(_ continuation: CheckedContinuation<Void, any Error>, after duration: Duration) {
        let waiting = phase.withLock { phase in
            guard case .notStarted = phase else { return false }
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.setEventHandler { [self] in finish(with: .success(())) }
            timer.schedule(deadline: .now() + Self.interval(duration))
            phase = .waiting(continuation, timer)
            // A timer that fires at once waits on this lock until the wait is recorded.
            timer.activate()
            return true
        }
        if !waiting { continuation.resume(throwing: CancellationError()) }
    }

    func finish(with result: Result<Void, any Error>) {
        let taken: (CheckedContinuation<Void, any Error>, any DispatchSourceTimer)? = phase.withLock { phase in
            switch phase {
            case .waiting(let continuation, let timer):
                phase = .finished
                return (continuation, timer)
            case .notStarted:
                phase = .cancelledBeforeStart
                return nil
            case .cancelledBeforeStart, .finished:
                return nil
            }
        }
        guard let (continuation, timer) = taken else { return }
        timer.cancel()
        continuation.resume(with: result)
    }

    /// Whole nanoseconds, at least zero, at most 2^30 seconds (about 34 years).
    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        guard duration > .zero else { return .nanoseconds(0) }
        let (seconds, attoseconds) = duration.components
        let boundedSeconds = min(seconds, 1 << 30)
        return .nanoseconds(Int(boundedSeconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
