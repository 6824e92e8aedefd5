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
        let start = clock.now
        for (index, delay) in asked.enumerated() {
            DelayedAction().start(after: delay) {
                let late = clock.now - start - delay
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
        await withTaskGroup(of: Void.self) { group in
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
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        for (index, kind) in kinds.enumerated() {
            switch kind {
            case .cancelledFirst, .long: #expect(runs.count(index) == 0, "action \(index) (\(kind)) ran")
            case .short: #expect(runs.count(index) <= 1, "action \(index) ran \(runs.count(index)) times")
            }
        }
        // The two hundred ten-minute actions were cancelled: none waits any more.
        let (entries, waiting) = SleepQueue.shared.counts
        #expect(waiting < 200)
        #expect(entries <= 2 * waiting + 1_025)
    }

    @Test("A deadline that passes cancels the operation and waits for it to end before throwing DeadlineExceeded")
    func passedDeadlineCancelsAndWaits() async {
        let ended = Atomic<Bool>(false)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(30)) {
                do { try await Task.sleep(for: .seconds(120)) } catch {}
                // Cancelled: ends a little later, still ignoring the cancellation.
                for _ in 0..<10 { await Task.yield() }
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

    @Test("A deadline's caller cancelled: the operation is cancelled and its CancellationError comes back")
    func cancelledCallerCancelsTheOperation() async {
        let caller = Task {
            try await withDeadline(.seconds(600)) {
                try await Task.sleep(for: .seconds(30))
                return 0
            }
        }
        try? await Task.sleep(for: .milliseconds(20))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }

    @Test("An operation's own error comes back through its deadline, and the deadline's place is given back")
    func operationErrorComesBack() async {
        struct Refused: Error {}
        for _ in 0..<2_000 {
            await #expect(throws: Refused.self) { try await withDeadline(.seconds(600)) { () -> Int in throw Refused() } }
        }
        let (entries, waiting) = SleepQueue.shared.counts
        #expect(waiting < 1_000)
        #expect(entries <= 2 * waiting + 1_025)
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
        #expect(entries <= 2 * waiting + 1_025)
    }
}
