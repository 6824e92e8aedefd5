import Synchronization

/// Wakes one idle worker when there may be work, so idle workers can wait
/// long between polls without delaying the work that arrives.
///
/// The code-delivery workers polled the queue every 100 ms each: with the
/// policy's 8 workers an idle service ran 80 claims a second (2.3% of a core
/// on SQLite; on PostgreSQL, 80 claim transactions a second per idle
/// replica). Now whoever adds work signals, and a worker whose claim came up
/// empty waits for a signal or its idle interval, whichever comes first.
///
/// A signal with no worker waiting is kept (one, not counted), so a signal
/// that lands between a worker's empty claim and its wait is not lost: that
/// wait returns at once and the worker claims again.
public final class WorkSignal: Sendable {
    /// One wait: its id taken, waiting, or ended (by a signal, its timeout or
    /// its task's cancellation, possibly before it could start waiting).
    private enum Wait {
        case reserved
        case waiting(CheckedContinuation<Void, Never>)
        case ended
    }

    private struct State {
        var kept = false
        var waits: [UInt64: Wait] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the longest-waiting worker, or keeps the signal for the next wait.
    /// A wait that has its id and is yet to park its continuation counts as
    /// waiting: it is ended, and does not park (a review found the signal
    /// kept for a later wait while this one slept its whole interval).
    public func signal() {
        let woken: CheckedContinuation<Void, Never>? = state.withLock { state in
            let open = state.waits.compactMap { id, wait -> UInt64? in
                if case .ended = wait { return nil } else { return id }
            }
            guard let id = open.min() else {
                state.kept = true
                return nil
            }
            defer { state.waits[id] = .ended }
            if case .waiting(let continuation) = state.waits[id] { return continuation }
            return nil
        }
        woken?.resume()
    }

    /// Returns after a signal, after `timeout`, or at once when the task is
    /// cancelled (the caller checks `Task.isCancelled`). Takes a kept signal.
    public func wait(upTo timeout: Duration) async {
        let id: UInt64? = state.withLock { state in
            if state.kept {
                state.kept = false
                return nil
            }
            state.nextID &+= 1
            state.waits[state.nextID] = .reserved
            return state.nextID
        }
        guard let id else { return }
        let timer = DelayedAction()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let endedEarly = state.withLock { state in
                    guard case .reserved = state.waits[id] else { return true }
                    state.waits[id] = .waiting(continuation)
                    return false
                }
                if endedEarly { continuation.resume() }
                timer.start(after: timeout) { [self] in end(id) }
            }
        } onCancel: {
            end(id)
        }
        timer.cancel()
        // Gone from the table: a timeout or cancellation that comes after this finds nothing to end.
        state.withLock { _ = $0.waits.removeValue(forKey: id) }
    }

    /// Ends wait `id` (its timeout, or its task's cancellation): resumes it if
    /// it waits, or marks it so that it does not start waiting.
    private func end(_ id: UInt64) {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            switch state.waits[id] {
            case .reserved:
                state.waits[id] = .ended
                return nil
            case .waiting(let continuation):
                state.waits[id] = .ended
                return continuation
            case .ended, nil:
                return nil
            }
        }
        continuation?.resume()
    }

    /// Waits in progress (and ended ones not yet returned): tests hold this to zero once every wait has returned.
    var pendingWaits: Int { state.withLock { $0.waits.count } }
}
