import GuestAccessCore
import Synchronization

/// Gathers items submitted while a flush is running into the next flush, so
/// that a burst of code requests becomes a few statements and commits instead
/// of one each. PostgreSQL does a statement's fixed work (a round trip, a
/// plan, a commit, the client's turn row) once per flush, and requests from
/// one client — an enumeration flood comes from one — no longer queue up on
/// that client's row lock one commit at a time, each holding a pooled
/// connection while it waits.
///
/// No item waits for others to arrive: one submitted while no flush runs is
/// flushed at once, alone. One flush runs at a time; it takes at most
/// `maxBatch` items in the order they came, and every item of a flush gets
/// its outcome (a flush is one statement, all or nothing). Nothing here
/// depends on what an item says, so every request takes the same path.
///
/// Bounds, so a stalled database costs what it did before batching: an item
/// gets its outcome within `maxWait` of its submission (a flush is given the
/// time its oldest item has left; an item whose time ran out while it waited
/// fails without a flush), and at most `maxWaiting` items wait (more fail at
/// once). As with any bounded operation, a flush that ran out of time may
/// still commit afterwards: its items were reported failed but are queued.
final class EnqueueBatcher<Item: Sendable>: Sendable {
    /// Flushes `items` within the given time.
    typealias Flush = @Sendable (_ items: [Item], _ within: Duration) async throws(StoreError) -> Void

    private struct Waiting: Sendable {
        let item: Item
        let since: ContinuousClock.Instant
        let continuation: CheckedContinuation<Result<Void, StoreError>, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var flushing = false
        var flushes = 0
    }

    /// What a submission does: fail at once, wait for a running drain, or start one.
    private enum Admission { case refused, waits, drains }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let maxWaiting: Int
    private let maxWait: Duration
    private let flush: Flush

    init(maxBatch: Int, maxWaiting: Int, maxWait: Duration, flush: @escaping Flush) {
        precondition(maxBatch > 0 && maxWaiting >= maxBatch && maxWait > .zero)
        self.maxBatch = maxBatch
        self.maxWaiting = maxWaiting
        self.maxWait = maxWait
        self.flush = flush
    }

    /// Returns once `item` is flushed; throws the error of the flush it was
    /// in, or `unavailable` when too many wait or its time ran out waiting.
    func submit(_ item: Item) async throws(StoreError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, StoreError>, Never>) in
            let admission = state.withLock { state -> Admission in
                guard state.waiting.count < maxWaiting else { return .refused }
                // Timed under the lock, so arrival order and age agree (the expired are a prefix).
                state.waiting.append(Waiting(item: item, since: .now, continuation: continuation))
                guard !state.flushing else { return .waits }
                state.flushing = true
                return .drains
            }
            switch admission {
            case .refused: continuation.resume(returning: .failure(.unavailable(reason: "too many code requests waiting to be queued")))
            case .waits: break
            // The drain flushes other requests' items too: it runs without the starting request's id on
            // its log lines (a task inherits its starter's task-locals). Not `Task.detached`: with it the
            // batcher's tests hung in a fresh-clone CI run (2026-11-28).
            case .drains: Task { await RequestLogID.$current.withValue(nil) { await self.drain() } }
            }
        }
        try result.get()
    }

    /// Flushes started so far (tests check that requests queued at once shared them).
    var flushes: Int { state.withLock { $0.flushes } }

    /// Items waiting for a flush to take them (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Flushes batches until none is waiting; only one drain runs at a time.
    private func drain() async {
        while true {
            let now = ContinuousClock.now
            let (expired, batch) = takeBatch(at: now)
            let late = Result<Void, StoreError>.failure(.unavailable(reason: "a code request waited too long to be queued"))
            for waiting in expired { waiting.continuation.resume(returning: late) }
            guard let batch else { return }
            let result: Result<Void, StoreError>
            do {
                try await flush(batch.map(\.item), maxWait - (now - batch[0].since))
                result = .success(())
            } catch {
                result = .failure(error)
            }
            for waiting in batch { waiting.continuation.resume(returning: result) }
        }
    }

    /// The items whose time ran out (the oldest, so a prefix) and the next
    /// batch, or no batch (and the drain ends) when none is left waiting.
    private func takeBatch(at now: ContinuousClock.Instant) -> (expired: [Waiting], batch: [Waiting]?) {
        state.withLock { state in
            let live = state.waiting.firstIndex { now - $0.since < maxWait } ?? state.waiting.endIndex
            let expired = Array(state.waiting[..<live])
            state.waiting.removeFirst(live)
            guard !state.waiting.isEmpty else {
                state.flushing = false
                return (expired, nil)
            }
            state.flushes += 1
            guard state.waiting.count > maxBatch else {
                defer { state.waiting = [] }
                return (expired, state.waiting)
            }
            let batch = Array(state.waiting.prefix(maxBatch))
            state.waiting.removeFirst(maxBatch)
            return (expired, batch)
        }
    }
}
