import CMalloc
import GuestAccessCore
import Testing

@Suite("Deadlines that end early give their timers back")
struct CancellableSleepTests {
    /// Bytes the allocator has handed out and not had back, over all arenas.
    static func heapInUse() -> Int {
        let info = mallinfo2()
        return Int(info.uordblks + info.hblkhd)
    }

    @Test("Forty thousand ten-minute deadlines met at once leave the heap as it was, not a timer each until they would have expired")
    func metDeadlinesReleaseTheirTimers() async throws {
        let rounds = 40_000
        var sum = 0
        for round in 0..<200 { sum &+= try await withDeadline(.seconds(600)) { round } }
        let before = Self.heapInUse()
        for round in 0..<rounds { sum &+= try await withDeadline(.seconds(600)) { round } }
        let grown = Self.heapInUse() - before
        #expect(sum == (0..<200).reduce(0, +) + (0..<rounds).reduce(0, +))
        // A timer kept alive costs several hundred bytes: forty thousand of them, well over 16 MB.
        #expect(grown < 8 << 20, "heap in use grew by \(grown) bytes")
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

    @Test("A sleep cancelled before or while it waits throws CancellationError and one left alone returns")
    func sleepAnswersCancellation() async throws {
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await cancellableSleep(for: .seconds(600))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        let waiting = Task { try await cancellableSleep(for: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        try await cancellableSleep(for: .milliseconds(5))
    }
}
