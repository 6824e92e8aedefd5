import Foundation
import Synchronization

/// Where log lines go: standard error, a file (appended), or a memory buffer that tests read.
public final class LogSink: Sendable {
    private let lines = Mutex<[String]>([])
    private let capturing: Bool
    private let file: Mutex<FileHandle?>
    /// Where a sink that does not capture writes (standard error in the service).
    private let descriptor: Int32
    /// How long a write waits for room before it drops the rest of its line.
    private let roomWaitMilliseconds: Int32

    private init(capturing: Bool, file: FileHandle? = nil, descriptor: Int32 = STDERR_FILENO, roomWaitMilliseconds: Int32 = 100) {
        self.capturing = capturing
        self.file = Mutex(file)
        self.descriptor = descriptor
        self.roomWaitMilliseconds = roomWaitMilliseconds
    }

    /// Keeps lines in memory and also appends them to `path` (created 0600 if missing).
    public static func capturing(alsoAppendingTo path: String) -> LogSink {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        return LogSink(capturing: true, file: handle)
    }

    /// Writes each line to standard error at once.
    public static let standardError = LogSink(capturing: false)

    /// Writes each line to `descriptor` at once, as `standardError` does to
    /// standard error, waiting up to `roomWaitMilliseconds` for room (the
    /// tests' pipes: a long wait where a reader must get every byte however
    /// the threads are scheduled, a short one where lines are to be cut).
    static func writing(to descriptor: Int32, roomWaitMilliseconds: Int32 = 100) -> LogSink {
        LogSink(capturing: false, descriptor: descriptor, roomWaitMilliseconds: roomWaitMilliseconds)
    }

    /// Keeps lines in memory (and writes nothing).
    public static func capturing() -> LogSink { LogSink(capturing: true) }

    /// Writes one line (its bytes, newline included). To the descriptor with
    /// `write(2)` straight from the bytes, whole or in the pieces the kernel
    /// takes, one line at a time (a long line's pieces are not interleaved
    /// with another's). A line that cannot be written is dropped — a log must
    /// never stop the service — and one cut short is ended with a newline
    /// before anything else is written, so the next line starts a record of
    /// its own: when even the newline finds no room, it is owed, and the
    /// next line goes out only after it (or is dropped while it cannot).
    func write(_ line: [UInt8]) {
        if capturing {
            lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            file.withLock { $0?.write(Data(line)) }
            return
        }
        let newline = [UInt8(ascii: "\n")]
        newlineOwed.withLock { owed in
            if owed {
                guard writeAll(newline) == 1 else { return }
                owed = false
            }
            let written = writeAll(line)
            if written > 0 && written < line.count { owed = writeAll(newline) != 1 }
        }
    }

    /// The lock lines are written under, holding whether the last line was
    /// cut short and still lacks its newline.
    private let newlineOwed = Mutex(false)

    /// Writes `bytes` to `descriptor`, retrying on EINTR and waiting up to
    /// `roomWaitMilliseconds` (100 ms in the service) for room on EAGAIN;
    /// returns how many bytes went out.
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
                    let ready = poll(&waiting, 1, roomWaitMilliseconds)
                    // A signal (SIGHUP's keyring reload) during the wait is not "no room": wait again.
                    if ready < 0 && errno == EINTR { continue }
                    guard ready > 0 else { return offset }
                } else {
                    return offset
                }
            }
            return offset
        }
    }

    /// Everything captured so far.
    public var captured: [String] { lines.withLock { $0 } }
}
