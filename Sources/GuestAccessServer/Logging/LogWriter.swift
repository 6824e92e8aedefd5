import Dispatch
import Foundation
import Synchronization

/// Writes log lines to a descriptor from a thread of its own, through a
/// bounded queue.
///
/// A service's standard error usually blocks, and its reader (journald, a
/// terminal, a pipe to a collector) can stall while staying alive. Written from
/// the threads that log, one such stall held every request: the first line
/// that met a full pipe blocked an event loop, then the rest. Here a line is
/// queued and the caller returns at once; only this writer's thread waits on
/// the descriptor. What the queue cannot hold is dropped and counted
/// (`droppedLines`, which `/metrics` shows as
/// `guest_access_log_lines_dropped_total`), and the count goes
/// out as a line of its own (`notice`) where the lines went missing, once the
/// descriptor takes bytes again.
final class LogWriter: Sendable {
    private let descriptor: Int32
    private let limitBytes: Int
    private let notice: @Sendable (Int) -> [UInt8]
    private let state = Mutex(LogQueueState())
    /// Signalled once for each time the writer goes idle and a line then arrives.
    private let wake = DispatchSemaphore(value: 0)

    /// `limitBytes`: how many bytes of lines are held, queued and in the
    /// batch being written, while the descriptor takes none (a line larger
    /// than that still goes out when nothing else is held). Memory is about
    /// twice that: the batch is copied into one buffer for `write`.
    /// `notice`: the line that says how many lines were dropped.
    init(descriptor: Int32, limitBytes: Int, notice: @escaping @Sendable (Int) -> [UInt8]) {
        self.descriptor = descriptor
        self.limitBytes = limitBytes
        self.notice = notice
    }

    /// Queues `line` (newline included), or drops and counts it when the
    /// queue is full. Never waits on the descriptor. An `urgent` line
    /// (warnings and worse, the CLI's refusals) may also use a reserve of an
    /// eighth more, which ordinary lines never reach: a flood of access lines
    /// during a stall does not crowd out the keyring reload that failed.
    func enqueue(_ line: [UInt8], urgent: Bool = false) {
        let limit = urgent ? limitBytes + limitBytes / 8 : limitBytes
        let outcome = state.withLock { state in state.offer(line, limitBytes: limit) }
        guard case .queued(let start, let signal) = outcome else { return }
        if start {
            // Not the cooperative pool, nor an event loop: this thread may block in write(2) for as long as the reader stalls.
            let thread = Thread { [self] in run() }
            thread.name = "guest-access log writer"
            thread.start()
        } else if signal {
            wake.signal()
        }
    }

    /// Lines dropped so far: not queued for want of room, or lost to a
    /// descriptor that failed.
    var droppedLines: Int { state.withLock { $0.droppedTotal } }

    /// Waits until every queued line has been written (or failed), for at most
    /// `timeout`; says whether it got there. For the end of the process: a
    /// stuck reader must not keep it from exiting.
    func flush(waitingUpTo timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if state.withLock({ $0.isSettled }) { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(1_000)
        }
    }

    /// The writer thread: takes everything queued at once and writes it in
    /// as few `write(2)` calls as the descriptor allows.
    private func run() {
        var newlineOwed = false
        while true {
            guard let batch = state.withLock({ $0.takeBatch() }) else {
                wake.wait()
                continue
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batch.reduce(0) { $0 + $1.byteCount })
            // Where each written line ends (notices are not lines: they are not counted when lost).
            var lineEnds: [Int] = []
            for entry in batch {
                switch entry {
                case .line(let line):
                    bytes += line
                    lineEnds.append(bytes.count)
                case .dropped(let count):
                    bytes += notice(count)
                }
            }
            // A line cut short by a failed write was ended with a newline if there was room; if not, it still is, first.
            if newlineOwed {
                guard writeAll([UInt8(ascii: "\n")]) == 1 else {
                    recordLost(lineEnds.count)
                    continue
                }
                newlineOwed = false
            }
            let written = writeAll(bytes)
            if written < bytes.count {
                recordLost(lineEnds.count { $0 > written })
                if written > 0 && bytes[written - 1] != UInt8(ascii: "\n") {
                    newlineOwed = writeAll([UInt8(ascii: "\n")]) != 1
                }
            }
        }
    }

    /// Counts lines a failing descriptor did not take (they cannot be
    /// announced on it; `/metrics` has them).
    private func recordLost(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.droppedTotal += count }
    }

    /// Writes `bytes`, retrying on EINTR and waiting for room (without limit:
    /// this is the only thread that waits) on EAGAIN; returns how many bytes
    /// went out before an error.
    private func writeAll(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    let ready = poll(&waiting, 1, -1)
                    if ready < 0 && errno != EINTR { return offset }
                } else {
                    return offset
                }
            }
            return offset
        }
    }
}
