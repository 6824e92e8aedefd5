import Foundation
import Synchronization
import Testing

@testable import GuestAccessCore
@testable import GuestAccessPostgres

@Suite("Delayed actions, deadlines and the PostgreSQL operation bound run without a sleeping task")
struct DelayedActionTests {
    /// How many times each action ran, by index.
    final class Runs: Sendable {
        let counts: Mutex<[Int: Int]> = Mutex([:])

        func record(_ index: Int) { counts.withLock { $0[index, default: 0] += 1 } }

        func count(_ index: Int) -> Int { counts.withLock { $0[index, default: 0] } }
    }

    @Test("Delayed actions of random lengths each run once, no earlier than asked and soon after", .timeLimit(.minutes(1)))
    func actionsRunOnceInTime() async throws {
        let clock = ContinuousClock()
        let lateness = Mutex<[Int: [Duration]]>([:])
        let asked = (0..<300).map { _ in Duration.milliseconds(Int.random(in: 0...80)) }
        for (index, delay) in asked.enumerated() {
            let started = clock.now
            DelayedAction().start(after: delay) {
                let late = clock.now - started - delay
                lateness.withLock { $0[index, default: []].append(late) }
            }
        }
        try await waitUntil("every action ran", timeout: .seconds(20)) { lateness.withLock { $0.count } == 300 }
        try await Task.sleep(for: .milliseconds(200))
        let seen = lateness.withLock { $0 }
        #expect(seen.values.allSatisfy { $0.count == 1 })
        #expect(seen.values.joined().allSatisfy { $0 >= .zero && $0 < .seconds(5) })
    }

    @Test(
        "Delayed actions cancelled at random moments, before their start, around their due time or long before it, run at most once, and never once cancelled before they were started or long before they were due",
        .timeLimit(.minutes(1))
    )
    func cancelledActionsRunAtMostOnce() async throws {
        let runs = Runs()
        enum Kind { case cancelledFirst, long, short }
        let kinds = (0..<600).map { index -> Kind in [Kind.cancelledFirst, .long, .short][index % 3] }
        let ids = await withTaskGroup(of: UInt64.self) { group in
            for (index, kind) in kinds.enumerated() {
                group.addTask {
                    let action = DelayedAction()
                    switch kind {
                    case .cancelledFirst:
                        action.cancel()
                        action.start(after: .zero) { runs.record(index) }
                    case .long:
                        action.start(after: .seconds(600)) { runs.record(index) }
                        try? await Task.sleep(for: .microseconds(Int.random(in: 0...2_000)))
                        action.cancel()
                    case .short:
                        action.start(after: .microseconds(Int.random(in: 0...1_000))) { runs.record(index) }
                        try? await Task.sleep(for: .microseconds(Int.random(in: 0...1_500)))
                        action.cancel()
                        action.cancel()
                    }
                    return action.id
                }
            }
            return await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        try await Task.sleep(for: .milliseconds(300))
        for (index, kind) in kinds.enumerated() {
            switch kind {
            case .cancelledFirst, .long: #expect(runs.count(index) == 0, "action \(index) (\(kind)) ran")
            case .short: #expect(runs.count(index) <= 1, "action \(index) ran \(runs.count(index)) times")
            }
        }
        // Run or cancelled, each left nothing in the queue (waiting, reserved or cancelled early).
        #expect(ids.count == 600)
        let left = ids.filter { SleepQueue.shared.holds($0) }.count
        #expect(left == 0, "\(left) of 600 actions left something in the queue")
        let (entries, waiting) = SleepQueue.shared.counts
        #expect(entries <= 2 * waiting + 1_024)
    }

    @Test("A deadline that passes cancels the operation and waits for it to end before throwing DeadlineExceeded")
    func passedDeadlineCancelsAndWaits() async {
        let ended = Atomic<Bool>(false)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(30)) {
                do { try await Task.sleep(for: .seconds(120)) } catch {}
                // Cancelled: ends 200 ms later, in a nap its cancellation cannot cut short.
                await withCheckedContinuation { nap in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) { nap.resume() }
                }
                ended.store(true, ordering: .sequentiallyConsistent)
                return 0
            }
        }
        let endedFirst = ended.load(ordering: .sequentiallyConsistent)
        #expect(endedFirst)
        // Well before the two minutes the operation would sleep uncancelled (the suite's other tests may keep the
        // cooperative threads busy for seconds).
        #expect(clock.now - start < .seconds(60))
    }

    @Test(
        "A deadline's caller cancelled: the operation is cancelled and its CancellationError comes back",
        .timeLimit(.minutes(1))
    )
    func cancelledCallerCancelsTheOperation() async {
        let clock = ContinuousClock()
        let start = clock.now
        let started = Atomic<Bool>(false)
        let caller = Task {
            try await withDeadline(.seconds(600)) {
                started.store(true, ordering: .sequentiallyConsistent)
                try await Task.sleep(for: .seconds(30))
                return 0
            }
        }
        // Cancelled once the operation runs, so the cancellation reaches it through the handler, not the entry check.
        try? await waitUntil("the operation started", timeout: .seconds(20)) { started.load(ordering: .sequentiallyConsistent) }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(clock.now - start < .seconds(25))
    }

    @Test("A caller already cancelled does not start the operation")
    func alreadyCancelledCallerStartsNothing() async {
        let started = Atomic<Bool>(false)
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(.seconds(600)) {
                started.store(true, ordering: .sequentiallyConsistent)
                return 0
            }
        }
        await #expect(throws: CancellationError.self) { try await caller.value }
        let startedAnyway = started.load(ordering: .sequentiallyConsistent)
        #expect(!startedAnyway)
    }

    @Test(
        "An operation that ends before its deadline keeps its result, however late its caller resumes",
        .timeLimit(.minutes(3))
    )
    func endedOperationWinsOverALateCaller() async throws {
        // The caller runs on a serial queue of its own. The operation naps 50 ms (so the caller is waiting for it),
        // puts a four-second block on the caller's queue and returns: the caller resumes only after the block, long
        // after the two-second deadline passed. A round counts when the operation ended well before the deadline and
        // the caller resumed after it (the suite's other tests may keep the cooperative threads, where the operation
        // runs, busy for seconds).
        let executor = QueueExecutor()
        let clock = ContinuousClock()
        var conclusive = 0
        for _ in 0..<10 where conclusive == 0 {
            let start = clock.now
            let endedAt = Mutex<ContinuousClock.Instant?>(nil)
            let outcome = await withTaskExecutorPreference(executor) { () -> Result<Int, any Error> in
                do {
                    return .success(
                        try await withDeadline(.seconds(2)) { () -> Int in
                            await withCheckedContinuation { nap in
                                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { nap.resume() }
                            }
                            executor.queue.async { usleep(4_000_000) }
                            endedAt.withLock { $0 = clock.now }
                            return 7
                        }
                    )
                } catch {
                    return .failure(error)
                }
            }
            let returned = clock.now
            guard let ended = endedAt.withLock({ $0 }), ended - start < .seconds(1), returned - start > .seconds(2) else {
                continue
            }
            conclusive += 1
            #expect((try? outcome.get()) == 7, "an operation that ended in time lost to its deadline: \(outcome)")
        }
        #expect(conclusive > 0, "in ten rounds the operation never ended well before its deadline")
    }

    @Test("An operation's own error comes back through its deadline, and the deadline's place is given back")
    func operationErrorComesBack() async {
        struct Refused: Error {}
        for _ in 0..<2_000 {
            await #expect(throws: Refused.self) { try await withDeadline(.seconds(600)) { () -> Int in throw Refused() } }
        }
        let (entries, waiting) = SleepQueue.shared.counts
        #expect(waiting < 1_000)
        #expect(entries <= 2 * waiting + 1_024)
    }

    @Test(
        "A PostgreSQL operation that ignores its cancellation still ends at its bound with TimedOut, and sees the cancellation"
    )
    func boundEndsAnOperationThatHangs() async throws {
        let cancelled = Atomic<Bool>(false)
        let ended = Atomic<Bool>(false)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: TimedOut.self) {
            try await bounded(.milliseconds(50)) { () -> Int in
                // Ignores cancellation, as a query on a vanished peer may: for two minutes, or five seconds once
                // cancelled; its naps cannot be cancelled.
                var end = clock.now + .seconds(120)
                while clock.now < end {
                    if Task.isCancelled && !cancelled.load(ordering: .sequentiallyConsistent) {
                        cancelled.store(true, ordering: .sequentiallyConsistent)
                        end = clock.now + .seconds(5)
                    }
                    await withCheckedContinuation { nap in
                        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(5)) { nap.resume() }
                    }
                }
                ended.store(true, ordering: .sequentiallyConsistent)
                return 1
            }
        }
        let endedFirst = ended.load(ordering: .sequentiallyConsistent)
        #expect(!endedFirst, "the bound waited for the operation")
        // Well before the operation would end uncancelled (the suite's other tests may keep the cooperative threads
        // busy for seconds).
        #expect(clock.now - start < .seconds(60))
        try await waitUntil("the operation saw its cancellation", timeout: .seconds(30)) {
            cancelled.load(ordering: .sequentiallyConsistent)
        }
    }

    @Test(
        "PostgreSQL operations ending at random moments around their bound each answer once: their own result, or TimedOut",
        .timeLimit(.minutes(1))
    )
    func boundAnswersOnce() async throws {
        let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for index in 0..<400 {
                group.addTask {
                    let takes = Duration.microseconds(Int.random(in: 0...3_000))
                    do {
                        let value = try await bounded(.microseconds(1_500)) { () -> Int in
                            try? await Task.sleep(for: takes)
                            return index
                        }
                        return (index, .success(value))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            return await group.reduce(into: [(Int, Result<Int, any Error>)]()) { $0.append($1) }
        }
        #expect(outcomes.count == 400)
        for (index, outcome) in outcomes {
            switch outcome {
            case .success(let value): #expect(value == index)
            case .failure(let error): #expect(error is TimedOut, "\(error)")
            }
        }
    }

    @Test("Two thousand PostgreSQL operations that end well within a ten-minute bound give their timers back")
    func boundGivesItsTimerBack() async throws {
        for index in 0..<2_000 { #expect(try await bounded(.seconds(600)) { index } == index) }
        let (entries, waiting) = SleepQueue.shared.counts
        #expect(waiting < 1_000)
        #expect(entries <= 2 * waiting + 1_024)
    }
}

/// A task executor on one serial dispatch queue, which a test can hold up by putting blocking work on it.
final class QueueExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: a dispatch queue is safe to use from any thread.
    let queue = DispatchQueue(label: "guest-access.tests.queue-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
