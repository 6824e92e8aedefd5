import Foundation
import Testing

@testable import GuestAccessCore

@Suite("Deadlines that end early give their timers back")
struct CancellableSleepTests {
    @Test(
        "Forty thousand ten-minute deadlines met at once leave no timer behind: the sleep queue holds entries in proportion to the sleeps still waiting"
    )
    func metDeadlinesReleaseTheirTimers() async throws {
        // Task.sleep kept each met deadline's timer (about 750 bytes) for the full ten minutes: 30 MB more heap in use
        // for these forty thousand (measured with glibc's mallinfo2 when this test was written).
        var sum = 0
        for round in 0..<40_000 { sum &+= try await withDeadline(.seconds(600)) { round } }
        let (entries, waiting) = SleepQueue.shared.counts
        #expect(sum == (0..<40_000).reduce(0, +))
        // Other suites' sleeps may be waiting too; none of these forty thousand is.
        #expect(waiting < 1_000)
        #expect(entries <= 2 * waiting + 1_024)
    }

    @Test("A deadline that passes still ends the operation with DeadlineExceeded")
    func passedDeadlineStillFires() async {
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) {
                try await Task.sleep(for: .seconds(30))
                return 0
            }
        }
        #expect(clock.now - start < .seconds(20))
    }

    @Test("A sleep cancelled before it starts throws CancellationError")
    func sleepCancelledBeforeStart() async {
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await cancellableSleep(for: .seconds(600))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
    }

    @Test(
        "Sleeps cancelled at random moments around their start and their end each finish once: cancelled, or slept out",
        .timeLimit(.minutes(1))
    )
    func cancellationRacesEndEachSleepOnce() async throws {
        var generator = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        let start = clock.now
        let outcomes = await withTaskGroup(of: (Bool, Bool).self) { group in
            for round in 0..<400 {
                // Long sleeps cancelled early, and one-millisecond sleeps cancelled as they end.
                let long = round.isMultiple(of: 2)
                let delay = Duration.microseconds(Int.random(in: 0...(long ? 3_000 : 1_500), using: &generator))
                group.addTask {
                    let sleeper = Task { try await cancellableSleep(for: long ? .seconds(600) : .milliseconds(1)) }
                    try? await Task.sleep(for: delay)
                    sleeper.cancel()
                    switch await sleeper.result {
                    case .success: return (long, true)
                    case .failure(let error): return (long, error is CancellationError ? false : true)
                    }
                }
            }
            return await group.reduce(into: [(Bool, Bool)]()) { $0.append($1) }
        }
        #expect(outcomes.count == 400)
        // A ten-minute sleep can only end by its cancellation.
        #expect(outcomes.filter { $0.0 }.allSatisfy { !$0.1 })
        #expect(clock.now - start < .seconds(60))
    }

    @Test(
        "Sleeps of random lengths, started behind a ten-minute one, each end no earlier than asked and soon after",
        .timeLimit(.minutes(1))
    )
    func sleepsEndInTimeBehindALongerOne() async throws {
        let long = Task { try await cancellableSleep(for: .seconds(600)) }
        defer { long.cancel() }
        let clock = ContinuousClock()
        let lateness = try await withThrowingTaskGroup(of: Duration.self) { group in
            for _ in 0..<300 {
                let asked = Duration.milliseconds(Int.random(in: 0...80))
                group.addTask {
                    let start = clock.now
                    try await cancellableSleep(for: asked)
                    return clock.now - start - asked
                }
            }
            return try await group.reduce(into: [Duration]()) { $0.append($1) }
        }
        #expect(lateness.count == 300)
        #expect(lateness.allSatisfy { $0 >= .zero })
        #expect(lateness.allSatisfy { $0 < .seconds(5) })
    }

    @Test(
        "Live sleeps end in time while thousands of others around them are cancelled and the queue is compacted",
        .timeLimit(.minutes(1))
    )
    func liveSleepsSurviveCompaction() async throws {
        let clock = ContinuousClock()
        let lateness = try await withThrowingTaskGroup(of: Duration?.self) { group in
            for index in 0..<3_300 {
                if index.isMultiple(of: 11) {
                    // 300 live sleeps.
                    let asked = Duration.milliseconds(Int.random(in: 20...200))
                    group.addTask {
                        let start = clock.now
                        try await cancellableSleep(for: asked)
                        return clock.now - start - asked
                    }
                } else {
                    // 3,000 cancelled ones, some due before the live ones: several compactions and stale arming.
                    group.addTask {
                        let sleeper = Task { try await cancellableSleep(for: .milliseconds(Int.random(in: 10...600_000))) }
                        try? await Task.sleep(for: .milliseconds(Int.random(in: 0...5)))
                        sleeper.cancel()
                        _ = await sleeper.result
                        return nil
                    }
                }
            }
            return try await group.compactMap { $0 }.reduce(into: [Duration]()) { $0.append($1) }
        }
        #expect(lateness.count == 300)
        #expect(lateness.allSatisfy { $0 >= .zero && $0 < .seconds(5) })
    }
}
