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

        init() throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
            (read, write) = (ends[0], ends[1])
            // F_SETPIPE_SZ (Linux's fcntl.h; Glibc's module does not export it): the tests need a pipe a line outgrows.
            guard fcntl(write, 1031, 4096) >= 0 else { throw POSIXError(.EINVAL) }
            _ = fcntl(write, F_SETFL, fcntl(write, F_GETFL) | O_NONBLOCK)
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
        let sink = LogSink.writing(to: pipe.write, roomWaitMilliseconds: 10_000)
        let reader = Self.startThread { pipe.readSlowly(count: line.count) }
        await Self.onThread { sink.write(line) }
        let received = await reader.value
        #expect(received == line, "\(received.count) of \(line.count) bytes")
    }

    @Test("Lines written at once from many threads arrive each whole: no line's pieces are interleaved with another's")
    func concurrentLinesStayWhole() async throws {
        let pipe = try SmallPipe()
        defer { pipe.close() }
        let sink = LogSink.writing(to: pipe.write, roomWaitMilliseconds: 10_000)
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

    @Test("A line cut short by a full pipe is ended with a newline before the next line, even when the newline had no room either")
    func cutLineIsEndedBeforeTheNext() async throws {
        let pipe = try SmallPipe()
        defer { pipe.close() }
        let sink = LogSink.writing(to: pipe.write)
        let first = Self.line("first", filler: UInt8(ascii: "f"), length: 6_000)
        let second = Array("second\n".utf8)
        let (held, after) = await Self.onThread {
            // Nobody reads: the first 4 KiB go in, then the writer waits 100 ms for room, gives up and cuts the line.
            sink.write(first)
            let held = pipe.drain()
            sink.write(second)
            return (held, pipe.drain())
        }
        #expect(held.count > 0 && held.count < first.count)
        #expect(held == Array(first[0..<held.count]))
        #expect(after == [UInt8(ascii: "\n")] + second, "\(String(decoding: after, as: UTF8.self))")
    }

    @Test("Every line after a cut one starts a record of its own: whole lines parse, the cut one does not, over random writes")
    func recordsStaySeparateOverRandomCuts() async throws {
        let pipe = try SmallPipe()
        defer { pipe.close() }
        let sink = LogSink.writing(to: pipe.write)
        let (written, output) = await Self.onThread {
            var generator = SeededGenerator(seed: 0x1065)
            var written: [[UInt8]] = []
            var output: [UInt8] = []
            for index in 0..<24 {
                // Sometimes the reader drains before a line, sometimes not: lines of up to 6 KiB then meet a full pipe.
                if Bool.random(using: &generator) { output += pipe.drain() }
                let line =
                    Array(#"{"n":\#(index),"pad":""#.utf8)
                    + [UInt8](repeating: UInt8(ascii: "p"), count: Int.random(in: 0...6_000, using: &generator)) + Array("\"}\n".utf8)
                written.append(line)
                sink.write(line)
            }
            return (written, output + pipe.drain())
        }
        var whole = Set<Int>()
        var cut = 0
        for record in output.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(record)) as? [String: Any] else {
                // A cut line: a prefix of one written line, never two lines run together.
                #expect(written.contains { $0.starts(with: record) }, "\(String(decoding: record.prefix(40), as: UTF8.self))")
                cut += 1
                continue
            }
            let index = try #require(object["n"] as? Int)
            #expect(Array(record) + [UInt8(ascii: "\n")] == written[index])
            whole.insert(index)
        }
        // The seed gives both: lines that went out whole and lines cut short.
        #expect(!whole.isEmpty && cut > 0)
    }
}
