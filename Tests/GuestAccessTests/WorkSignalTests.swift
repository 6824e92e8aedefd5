import Synchronization
import Testing

@testable import GuestAccessCore

@Suite("Idle workers wait for a signal, not a short poll")
struct WorkSignalTests {
    /// Counters the test's tasks share.
    final class Shared: Sendable {
        let woken = Mutex<[Int]>([])
        let queued = Atomic<Int>(0)
        let taken = Atomic<Int>(0)
    }

    @Test("A signal with no one waiting is kept for the next wait, once: the wait after it runs to its timeout")
    func signalIsKeptOnce() async throws {
        let signal = WorkSignal()
        signal.signal()
        signal.signal()
        let clock = ContinuousClock()
        let first = clock.now
        await signal.wait(upTo: .seconds(60))
        #expect(clock.now - first < .seconds(30), "a kept signal did not end the wait")
        let second = clock.now
        await signal.wait(upTo: .milliseconds(300))
        #expect(clock.now - second >= .milliseconds(300), "two signals were kept, or the wait ended early")
        #expect(signal.pendingWaits == 0)
    }

    @Test("Each signal wakes one waiting worker, the longest-waiting first", .timeLimit(.minutes(1)))
    func signalWakesOneInOrder() async throws {
        let signal = WorkSignal()
        let shared = Shared()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    await signal.wait(upTo: .seconds(600))
                    shared.woken.withLock { $0.append(index) }
                }
                try await waitUntil("waiter \(index) waits") { signal.pendingWaits == index + 1 }
            }
            signal.signal()
            try await waitUntil("one waiter woke") { shared.woken.withLock { $0.count } == 1 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(shared.woken.withLock { $0 } == [0])
            signal.signal()
            signal.signal()
            try await group.waitForAll()
        }
        #expect(shared.woken.withLock { $0 }.sorted() == [0, 1, 2])
        #expect(shared.woken.withLock { $0.first } == 0)
        #expect(signal.pendingWaits == 0)
    }

    @Test("A wait's task cancelled, before or while it waits, returns at once and leaves nothing behind", .timeLimit(.minutes(1)))
    func cancelledWaitReturns() async throws {
        let signal = WorkSignal()
        let clock = ContinuousClock()
        let started = clock.now
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    if index % 2 == 0 { withUnsafeCurrentTask { $0?.cancel() } }
                    await signal.wait(upTo: .seconds(600))
                }
            }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
            group.cancelAll()
            await group.waitForAll()
        }
        #expect(clock.now - started < .seconds(30))
        #expect(signal.pendingWaits == 0)
        // Nothing was signalled: the next wait runs to its timeout.
        let next = clock.now
        await signal.wait(upTo: .milliseconds(200))
        #expect(clock.now - next >= .milliseconds(200))
    }

    /// Model: a counter of queued items. Producers add an item, then signal;
    /// workers take items while there are any, then wait for a signal with a
    /// timeout far longer than the test. A lost wake-up leaves an item behind
    /// with every worker waiting.
    @Test(
        "Items added at random moments by random producers are all taken by workers that only ever wake on a signal",
        .timeLimit(.minutes(2))
    )
    func noWakeUpIsLost() async throws {
        for round in 0..<100 {
            let signal = WorkSignal()
            let shared = Shared()
            let workers = Int.random(in: 1...8)
            let items = Int.random(in: 1...400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        while !Task.isCancelled {
                            var current = shared.queued.load(ordering: .acquiring)
                            while current > 0 {
                                let (exchanged, original) = shared.queued.compareExchange(
                                    expected: current,
                                    desired: current - 1,
                                    ordering: .acquiringAndReleasing
                                )
                                if exchanged {
                                    shared.taken.add(1, ordering: .relaxed)
                                    if Bool.random() { await Task.yield() }
                                    current = shared.queued.load(ordering: .acquiring)
                                } else {
                                    current = original
                                }
                            }
                            await signal.wait(upTo: .seconds(3600))
                        }
                    }
                }
                await withTaskGroup(of: Void.self) { producers in
                    let producerCount = Int.random(in: 1...4)
                    for producer in 0..<producerCount {
                        producers.addTask {
                            for _ in stride(from: producer, to: items, by: producerCount) {
                                if Int.random(in: 0..<8) == 0 {
                                    try? await Task.sleep(for: .microseconds(Int.random(in: 0...500)))
                                }
                                shared.queued.add(1, ordering: .releasing)
                                signal.signal()
                            }
                        }
                    }
                }
                try await waitUntil("round \(round): every item taken by \(workers) workers", timeout: .seconds(20)) {
                    shared.taken.load(ordering: .relaxed) == items
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            #expect(shared.queued.load(ordering: .relaxed) == 0)
            #expect(signal.pendingWaits == 0)
        }
    }
}
