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
/// its outcome (a flush is one statement, all or nothing). A submitter waits
/// for the flush before it and then its own, each bounded as every database
/// operation is. Nothing here depends on what an item says, so every request
/// takes the same path.
final class EnqueueBatcher<Item: Sendable>: Sendable {
    typealias Flush = @Sendable ([Item]) async throws(StoreError) -> Void

    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Result<Void, StoreError>, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var flushing = false
        var flushes = 0
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let flush: Flush

    init(maxBatch: Int, flush: @escaping Flush) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.flush = flush
    }

    /// Returns once `item` is flushed; throws the error of the flush it was in.
    func submit(_ item: Item) async throws(StoreError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, StoreError>, Never>) in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(item: item, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if starts { Task { await self.drain() } }
        }
        try result.get()
    }

    /// Flushes started so far (tests check that requests queued at once shared them).
    var flushes: Int { state.withLock { $0.flushes } }

    /// Items waiting for a flush to take them (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Flushes batches until none is waiting; only one drain runs at a time.
    private func drain() async {
        while let batch = takeBatch() {
            let result: Result<Void, StoreError>
            do {
                try await flush(batch.map(\.item))
                result = .success(())
            } catch {
                result = .failure(error)
            }
            for waiting in batch { waiting.continuation.resume(returning: result) }
        }
    }

    /// The next batch, or nil (and the drain ends) when none is waiting.
    private func takeBatch() -> [Waiting]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.flushing = false
                return nil
            }
            state.flushes += 1
            guard state.waiting.count > maxBatch else {
                defer { state.waiting = [] }
                return state.waiting
            }
            let batch = Array(state.waiting.prefix(maxBatch))
            state.waiting.removeFirst(maxBatch)
            return batch
        }
    }
}
