import Foundation
import Synchronization
import Testing

@testable import GuestAccessServer

#if canImport(Glibc)
    import Glibc
#endif

/// The log writer's path to a descriptor (standard error in the service), on
/// real pipes: a slow reader, a full pipe, many writers at once.
@Suite("Log sink on a descriptor")
struct LogSinkTests {
    /// A pipe whose write end does not block and holds one page (4 KiB, the
    /// least Linux allows), so a log line outgrows it.
    struct SmallPipe {
        let read: Int32
        let write: Int32

        /// `blocking`: the write end blocks, as a service's standard error usually does.
        init(blocking: Bool = false) throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
            (read, write) = (ends[0], ends[1])
            // F_SETPIPE_SZ (Linux's fcntl.h; Glibc's module does not export it): the tests need a pipe a line outgrows.
            guard fcntl(write, 1031, 4096) >= 0 else { throw POSIXError(.EINVAL) }
            if !blocking { _ = fcntl(write, F_SETFL, fcntl(write, F_GETFL) | O_NONBLOCK) }
        }

        func close() {
            Glibc.close(read)
            Glibc.close(write)
        }

        /// Reads until `count` bytes have come, in reads of at most 1 KiB with
        /// a pause between them (a reader slower than the writer), or until
        /// nothing has come for 30 s (the test then fails on what it got rather
        /// than hanging).
        func readSlowly(count: Int) -> [UInt8] {
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1024)
            while received.count < count {
                var waiting = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
                guard poll(&waiting, 1, 30_000) > 0 else { break }
                let got = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, min(1024, count - received.count)) }
                if got <= 0 { break }
                received += chunk[0..<got]
                usleep(200)
            }
            return received
        }

        /// Reads whatever comes until `stopped()` says so and nothing more is
        /// there (the caller stops it once the writer has flushed).
        func readUntil(stopped: () -> Bool) -> [UInt8] {
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                var waiting = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
                if poll(&waiting, 1, 100) <= 0 {
                    if stopped() { return received }
                    continue
                }
                let got = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, 4096) }
                if got <= 0 { return received }
                received += chunk[0..<got]
            }
        }

        /// What the pipe holds now, without waiting for more.
        func drain() -> [UInt8] {
            let flags = fcntl(read, F_GETFL)
            _ = fcntl(read, F_SETFL, flags | O_NONBLOCK)
            defer { _ = fcntl(read, F_SETFL, flags) }
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let got = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, 4096) }
                if got <= 0 { return received }
                received += chunk[0..<got]
            }
        }
    }

    /// Starts `body` on a thread of its own at once, not on the cooperative
    /// pool: the reader and the writers block in `read`, `write` and `poll`,
    /// and on two cores the pool has two threads, which other tests may hold
    /// for seconds (a reader started from a pool task started late, and the
    /// writer gave up).
    static func startThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> Started<T> {
        let (stream, continuation) = AsyncStream.makeStream(of: T.self)
        Thread {
            continuation.yield(body())
            continuation.finish()
        }.start()
        return Started(stream: stream)
    }

    /// A thread's result, awaited.
    struct Started<T: Sendable>: Sendable {
        let stream: AsyncStream<T>
        var value: T {
            get async {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()!
            }
        }
    }

    /// Runs `body` on a thread of its own and waits for it.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T { await startThread(body).value }

    /// A sink on `descriptor` whose queue holds everything the tests write
    /// (nothing is dropped for want of room) and whose notice is plain.
    static func sink(_ descriptor: Int32) -> LogSink {
        LogSink.writing(to: descriptor, queueLimitBytes: 4 << 20) { Array("dropped \($0)\n".utf8) }
    }

    /// What a reader got, split into the written lines (by writer, their
    /// indices in arrival order) and the total the notices reported dropped.
    /// A line that is not exactly one written line (`length(writer, index)`
    /// long) is an issue.
    static func parse(
        _ received: [UInt8],
        writers: Int,
        perWriter: Int,
        length: (Int, Int) -> Int
    ) -> (delivered: [[Int]], reported: Int) {
        var delivered = Array(repeating: [Int](), count: writers)
        var reported = 0
        for record in received.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            let text = String(decoding: record, as: UTF8.self)
            if text.hasPrefix("dropped ") {
                reported += Int(text.dropFirst("dropped ".count)) ?? 0
                continue
            }
            let parts = text.split(separator: "-", maxSplits: 2)
            guard parts.count == 3, let writer = Int(parts[0].dropFirst()), let index = Int(parts[1]), writer < writers, index < perWriter
            else {
                Issue.record("not a written line: \(text.prefix(40))")
                continue
            }
            let expected = line("w\(writer)-\(index)-", filler: UInt8(ascii: "a") + UInt8(writer), length: length(writer, index))
            #expect(Array(record) + [UInt8(ascii: "\n")] == expected)
            delivered[writer].append(index)
        }
        return (delivered, reported)
    }

    static func line(_ tag: String, filler: UInt8, length: Int) -> [UInt8] {
        var line = Array(tag.utf8)
        line += [UInt8](repeating: filler, count: length - line.count - 1)
        return line + [UInt8(ascii: "\n")]
    }

    @Test("A line many times the pipe's room reaches a slow reader whole and in order")
    func longLineReachesASlowReader() async throws {
        let pipe = try SmallPipe()
        defer { pipe.close() }
        let line = Self.line("long", filler: UInt8(ascii: "x"), length: 256 * 1024)
        // A wait for room far past any pause in the reader's scheduling: this test is about pieces, not giving up.
        let sink = Self.sink(pipe.write)
        let reader = Self.startThread { pipe.readSlowly(count: line.count) }
        await Self.onThread { sink.write(line) }
        let received = await reader.value
        #expect(received == line, "\(received.count) of \(line.count) bytes")
    }

    @Test("Lines written at once from many threads arrive each whole: no line's pieces are interleaved with another's")
    func concurrentLinesStayWhole() async throws {
        let pipe = try SmallPipe()
        defer { pipe.close() }
        let sink = Self.sink(pipe.write)
        let writers = 8
        let perWriter = 12
        var expected: [[UInt8]] = []
        for writer in 0..<writers {
            for index in 0..<perWriter {
                // Each line is over twice the pipe's room, so it goes out in pieces.
                expected.append(Self.line("w\(writer)-\(index)-", filler: UInt8(ascii: "a") + UInt8(writer), length: 9_000 + index))
            }
        }
        let total = expected.reduce(0) { $0 + $1.count }
        let lines = expected
        let reader = Self.startThread { pipe.readSlowly(count: total) }
        let writing = (0..<writers).map { writer in
            Self.startThread { for index in 0..<perWriter { sink.write(lines[writer * perWriter + index]) } }
        }
        for thread in writing { await thread.value }
        let received = await reader.value
        let pieces = received.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        let got = pieces.map { Array($0) + [UInt8(ascii: "\n")] }
        #expect(got.count == expected.count)
        #expect(got.sorted { $0.lexicographicallyPrecedes($1) } == expected.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test("A line cut short by a failing descriptor is ended with a newline before the next line, even when the newline failed too")
    func cutLineIsEndedBeforeTheNext() async throws {
        // A write to a pipe without a reader must fail with EPIPE, not end the test process (the service ignores SIGPIPE too).
        _ = signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (firstRead, firstWrite) = (ends[0], ends[1])
        defer { Glibc.close(firstWrite) }
        try #require(fcntl(firstWrite, 1031, 4096) >= 0)
        let second = try SmallPipe()
        defer { second.close() }
        // The sink's descriptor: a copy of the first pipe's write end, later replaced by the second's (as dup2 does).
        let descriptor = dup(firstWrite)
        defer { Glibc.close(descriptor) }
        let sink = Self.sink(descriptor)
        let first = Self.line("first", filler: UInt8(ascii: "f"), length: 6_000)
        sink.write(first)
        // The first 4 KiB go in and the writer waits for room; then the reader goes: the rest fails, and so does the newline.
        try await waitUntil("the pipe holds the first 4 KiB") {
            var held: Int32 = 0
            return ioctl(firstRead, UInt(FIONREAD), &held) == 0 && held == 4096
        }
        Glibc.close(firstRead)
        #expect(await Self.onThread { sink.flush(waitingUpTo: .seconds(20)) })
        #expect(sink.droppedLines == 1)
        try #require(dup2(second.write, descriptor) == descriptor)
        sink.write(Array("second\n".utf8))
        #expect(await Self.onThread { sink.flush(waitingUpTo: .seconds(20)) })
        let after = second.drain()
        #expect(after == Array("\nsecond\n".utf8), "\(String(decoding: after, as: UTF8.self))")
    }

    @Test(
        "Over random reader stalls and writer bursts, every line arrives whole and in its writer's order, or is counted in a notice",
        arguments: [UInt64(0x51), 0x52, 0x53, 0x54]
    )
    func randomStallsLoseNothingUncounted(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: seed)
        let pipe = try SmallPipe(blocking: Bool.random(using: &generator))
        defer { pipe.close() }
        let sink = LogSink.writing(to: pipe.write, queueLimitBytes: Int.random(in: 2_000...40_000, using: &generator)) {
            Array("dropped \($0)\n".utf8)
        }
        let writers = 3
        let perWriter = 150
        let lengths = (0..<writers).map { _ in (0..<perWriter).map { _ in Int.random(in: 40...3_000, using: &generator) } }
        let pauses = (0..<writers).map { _ in (0..<perWriter).map { _ in Int.random(in: 0...4, using: &generator) == 0 } }
        let readerSeed = generator.next()
        let stop = Atomic<Bool>(false)
        // A reader that takes random amounts, pauses now and then, and sometimes stalls for a while.
        let reader = Self.startThread {
            var generator = SeededGenerator(seed: readerSeed)
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 8192)
            while true {
                var waiting = pollfd(fd: pipe.read, events: Int16(POLLIN), revents: 0)
                if poll(&waiting, 1, 300) <= 0 {
                    if stop.load(ordering: .sequentiallyConsistent) { return received }
                    continue
                }
                let want = Int.random(in: 1...8192, using: &generator)
                let got = chunk.withUnsafeMutableBytes { Glibc.read(pipe.read, $0.baseAddress, want) }
                if got <= 0 { return received }
                received += chunk[0..<got]
                switch Int.random(in: 0..<20, using: &generator) {
                case 0: usleep(40_000)
                case 1...5: usleep(UInt32.random(in: 0...2_000, using: &generator))
                default: break
                }
            }
        }
        let writing = (0..<writers).map { writer in
            Self.startThread {
                for index in 0..<perWriter {
                    sink.write(Self.line("w\(writer)-\(index)-", filler: UInt8(ascii: "a") + UInt8(writer), length: lengths[writer][index]))
                    if pauses[writer][index] { usleep(1_000) }
                }
            }
        }
        for thread in writing { await thread.value }
        #expect(await Self.onThread { sink.flush(waitingUpTo: .seconds(30)) })
        stop.store(true, ordering: .sequentiallyConsistent)
        let received = await reader.value
        #expect(received.last == UInt8(ascii: "\n"))
        let (delivered, reported) = Self.parse(received, writers: writers, perWriter: perWriter) { lengths[$0][$1] }
        // The model: each writer's lines keep its order, and every line is delivered or reported, none twice.
        for writer in 0..<writers { #expect(delivered[writer] == Array(Set(delivered[writer])).sorted()) }
        let total = delivered.reduce(0) { $0 + $1.count }
        #expect(total + reported == writers * perWriter, "\(total) delivered, \(reported) reported dropped")
        #expect(sink.droppedLines == reported)
    }

    @Test(
        "A reader that stops reading holds up no writer, even on a blocking descriptor: what the queue cannot hold is dropped, and once the reader reads again a line says how many"
    )
    func stuckReaderHoldsUpNoWriter() async throws {
        let pipe = try SmallPipe(blocking: true)
        defer { pipe.close() }
        let sink = LogSink.writing(to: pipe.write, queueLimitBytes: 16 * 1024) { dropped in Array("dropped \(dropped)\n".utf8) }
        let writers = 4
        let perWriter = 200
        let finished = Atomic<Int>(0)
        for writer in 0..<writers {
            _ = Self.startThread {
                for index in 0..<perWriter {
                    sink.write(Self.line("w\(writer)-\(index)-", filler: UInt8(ascii: "a") + UInt8(writer), length: 1_000))
                }
                finished.add(1, ordering: .sequentiallyConsistent)
            }
        }
        // Nobody reads: 800 KB against a 4 KiB pipe and a 16 KiB queue. Every writer must still be done soon.
        let deadline = ContinuousClock.now + .seconds(20)
        while finished.load(ordering: .sequentiallyConsistent) < writers && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let held = finished.load(ordering: .sequentiallyConsistent) < writers
        #expect(!held, "writers were held up by a reader that does not read")
        // The reader reads again (a held writer is let go this way too).
        let stop = Atomic<Bool>(false)
        let reader = Self.startThread { pipe.readUntil { stop.load(ordering: .sequentiallyConsistent) } }
        #expect(await Self.onThread { sink.flush(waitingUpTo: .seconds(20)) })
        stop.store(true, ordering: .sequentiallyConsistent)
        let received = await reader.value
        let (delivered, reportedDropped) = Self.parse(received, writers: writers, perWriter: perWriter) { _, _ in 1_000 }
        // Each writer's lines in its order; every line either delivered or counted as dropped.
        for writer in 0..<writers { #expect(delivered[writer] == delivered[writer].sorted()) }
        let total = delivered.reduce(0) { $0 + $1.count }
        #expect(total + reportedDropped == writers * perWriter, "\(total) delivered, \(reportedDropped) reported dropped")
        #expect(reportedDropped > 0 && total > 0)
        #expect(sink.droppedLines == reportedDropped)
    }

    @Test("While ordinary lines are dropped, a warning still has room of its own, and its place among the lines is kept")
    func urgentLinesHaveRoomOfTheirOwn() async throws {
        let pipe = try SmallPipe(blocking: true)
        defer { pipe.close() }
        // 16 lines of 1 KiB fill the queue; urgent lines may use 2 KiB more.
        let sink = LogSink.writing(to: pipe.write, queueLimitBytes: 16 * 1024) { Array("dropped \($0)\n".utf8) }
        let ordinary: @Sendable (Int) -> [UInt8] = { index in Self.line("w0-\(index)-", filler: UInt8(ascii: "a"), length: 1_024) }
        await Self.onThread { for index in 0..<40 { sink.write(ordinary(index)) } }
        // Nobody reads: the pipe holds 4 lines, the stuck writer and the queue 16 more; the rest are dropped.
        try await waitUntil("ordinary lines are being dropped") { sink.droppedLines > 0 }
        let dropped = sink.droppedLines
        sink.write(ordinary(40))
        let urgent = Self.line("w1-0-", filler: UInt8(ascii: "b"), length: 1_024)
        sink.write(urgent, urgent: true)
        sink.write(ordinary(41))
        #expect(sink.droppedLines == dropped + 2, "the ordinary lines around the urgent one are dropped, it is not")
        let stop = Atomic<Bool>(false)
        let reader = Self.startThread { pipe.readUntil { stop.load(ordering: .sequentiallyConsistent) } }
        #expect(await Self.onThread { sink.flush(waitingUpTo: .seconds(20)) })
        stop.store(true, ordering: .sequentiallyConsistent)
        let received = await reader.value
        let (delivered, reported) = Self.parse(received, writers: 2, perWriter: 42) { _, _ in 1_024 }
        #expect(delivered[1] == [0])
        #expect(delivered[0].count + delivered[1].count + reported == 43)
        // The urgent line stands right after notices for every line dropped before it (the writer may have
        // taken some of those notices with an earlier batch), and a notice for the one dropped after it follows.
        let text = String(decoding: received, as: UTF8.self)
        let lines = text.split(separator: "\n")
        let urgentAt = try #require(lines.firstIndex { $0.hasPrefix("w1-0-") })
        let noticed = { (slice: ArraySlice<Substring>) in
            slice.reduce(0) { $0 + ($1.hasPrefix("dropped ") ? Int($1.dropFirst(8)) ?? 0 : 0) }
        }
        #expect(lines[urgentAt - 1].hasPrefix("dropped "), "a notice comes right before the urgent line")
        #expect(noticed(lines[..<urgentAt]) == dropped + 1)
        #expect(noticed(lines[(urgentAt + 1)...]) == 1)
    }
}
