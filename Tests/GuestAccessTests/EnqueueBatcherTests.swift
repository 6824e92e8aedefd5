import GuestAccessCore
import Synchronization
import Testing

@testable import GuestAccessPostgres

/// `EnqueueBatcher` on its own, with a flush the test holds open: what goes
/// into which flush, and which submitters see a flush's error.
@Suite("Enqueue batcher")
struct EnqueueBatcherTests {
    /// A flush that records its items and waits for the test to let it end.
    final class HeldFlush: Sendable {
        let batches = Mutex<[[Int]]>([])
        let limits = Mutex<[Duration]>([])
        /// Items whose submitters have their answer (kept here for the test's tasks to share).
        let answered = Mutex<Set<Int>>([])
        let failing: Set<Int>
        let release: AsyncStream<Void>
        let releaser: AsyncStream<Void>.Continuation

        init(failing: Set<Int> = []) {
            self.failing = failing
            (release, releaser) = AsyncStream.makeStream(of: Void.self)
        }

        func callAsFunction(_ items: [Int], within limit: Duration) async throws(StoreError) {
            limits.withLock { $0.append(limit) }
            let isFirst = batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if isFirst { for await _ in release { break } }
            if !failing.isDisjoint(with: items) { throw .unavailable(reason: "held flush failed") }
        }
    }

    /// Submits `items` at once while the first flush (of item 0) is held,
    /// lets it end, and returns each item's outcome. `stuckWaitFor`: the
    /// test's wait for that item times out at once (as a loaded run's can).
    static func submitWhileHeld(
        _ items: ClosedRange<Int>,
        maxBatch: Int,
        maxWaiting: Int = 100,
        maxWait: Duration = .seconds(60),
        holdFor hold: Duration = .zero,
        flush: HeldFlush,
        stuckWaitFor stuck: Int? = nil
    ) async throws -> [Int: Bool] {
        let batcher = EnqueueBatcher<Int>(maxBatch: maxBatch, maxWaiting: maxWaiting, maxWait: maxWait) { items, limit throws(StoreError) in
            try await flush(items, within: limit)
        }
        return try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            // On every way out: a wait that timed out (a loaded run) must end the held flush, or the group would
            // wait for its submitters forever — every task suspended, until CI's watchdog (seen: a hung full run).
            defer { flush.releaser.finish() }
            group.addTask { (0, (try? await batcher.submit(0)) != nil) }
            try await waitUntil("the first flush has started") { batcher.flushes == 1 }
            for item in items {
                group.addTask {
                    let succeeded = (try? await batcher.submit(item)) != nil
                    flush.answered.withLock { _ = $0.insert(item) }
                    return (item, succeeded)
                }
                // One at a time, so the order they wait in is known; one turned away is answered at once.
                try await waitUntil("item \(item) waits or has been answered", timeout: item == stuck ? .zero : .seconds(10)) {
                    item != stuck && batcher.waitingCount == item - items.lowerBound + 1 || flush.answered.withLock { $0.contains(item) }
                }
            }
            try await Task.sleep(for: hold)
            flush.releaser.yield()
            var outcomes: [Int: Bool] = [:]
            for try await (item, succeeded) in group { outcomes[item] = succeeded }
            return outcomes
        }
    }

    @Test("A test whose wait times out while the flush is held fails with the timeout instead of hanging", .timeLimit(.minutes(1)))
    func aTimedOutWaitEndsTheHeldFlush() async throws {
        // Seen hanging before the held flush was ended on every way out: item 0's submitter waited for it forever.
        let flush = HeldFlush()
        await #expect(throws: WaitTimedOut.self) {
            _ = try await Self.submitWhileHeld(1...10, maxBatch: 4, flush: flush, stuckWaitFor: 3)
        }
    }

    @Test("A drain started by one request's submission carries no request id: it flushes other requests' items too")
    func drainCarriesNoRequestID() async throws {
        let seen = Mutex<[String?]>([])
        let batcher = EnqueueBatcher<Int>(maxBatch: 4, maxWaiting: 100, maxWait: .seconds(60)) { _, _ throws(StoreError) in
            seen.withLock { $0.append(RequestLogID.current) }
        }
        try await RequestLogID.$current.withValue("request-a") { try await batcher.submit(1) }
        #expect(seen.withLock { $0 } == [nil])
    }

    @Test("Items submitted while a flush runs wait for it, then go in the next flushes in the order they came, at most maxBatch each")
    func itemsSubmittedDuringAFlushShareTheNext() async throws {
        let flush = HeldFlush()
        let outcomes = try await Self.submitWhileHeld(1...10, maxBatch: 4, flush: flush)
        #expect(flush.batches.withLock { $0 } == [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
        #expect(outcomes.count == 11 && outcomes.values.allSatisfy { $0 })
    }

    @Test("A flush that fails fails every item in it and no item of another flush")
    func aFailedFlushFailsItsOwnItemsOnly() async throws {
        let flush = HeldFlush(failing: [6])
        let outcomes = try await Self.submitWhileHeld(1...10, maxBatch: 4, flush: flush)
        #expect(outcomes.filter { !$0.value }.keys.sorted() == [5, 6, 7, 8])
        #expect(outcomes.count == 11)
    }

    @Test("An item submitted while no flush runs is flushed at once, alone, and the batcher is idle after")
    func aLoneItemIsFlushedAtOnce() async throws {
        let flushes = Mutex<[[Int]]>([])
        let batcher = EnqueueBatcher<Int>(maxBatch: 4, maxWaiting: 8, maxWait: .seconds(60)) { items, _ throws(StoreError) in
            flushes.withLock { $0.append(items) }
        }
        try await batcher.submit(7)
        try await batcher.submit(8)
        #expect(flushes.withLock { $0 } == [[7], [8]])
        #expect(batcher.waitingCount == 0)
    }

    @Test("Once maxWaiting items wait, the next fails at once; those waiting are flushed")
    func theWaitingAreBounded() async throws {
        let flush = HeldFlush()
        let outcomes = try await Self.submitWhileHeld(1...6, maxBatch: 2, maxWaiting: 4, flush: flush)
        #expect(outcomes.filter { !$0.value }.keys.sorted() == [5, 6])
        #expect(flush.batches.withLock { $0 } == [[0], [1, 2], [3, 4]])
    }

    @Test("An item whose time ran out behind a slow flush fails without a flush; a flush gets its oldest item's time left")
    func itemsOutOfTimeFailWithoutAFlush() async throws {
        // Seconds, not milliseconds: a loaded machine may start the first flush late, and item 0 must not run out
        // (with 2 s, a CI run whose test process stalled for seconds started it too late).
        let flush = HeldFlush()
        let outcomes = try await Self.submitWhileHeld(
            1...3,
            maxBatch: 4,
            maxWait: .seconds(6),
            holdFor: .milliseconds(6200),
            flush: flush
        )
        #expect(outcomes == [0: true, 1: false, 2: false, 3: false])
        #expect(flush.batches.withLock { $0 } == [[0]])
        let limits = flush.limits.withLock { $0 }
        #expect(limits.count == 1 && limits[0] <= .seconds(6) && limits[0] > .zero, "\(limits)")
    }
}
