import Foundation
import Synchronization

/// Where log lines go: standard error, a file (appended), or a memory buffer that tests read.
public final class LogSink: Sendable {
    private let lines = Mutex<[String]>([])
    private let capturing: Bool
    private let file: Mutex<FileHandle?>

    private init(capturing: Bool, file: FileHandle? = nil) {
        self.capturing = capturing
        self.file = Mutex(file)
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

    /// Keeps lines in memory (and writes nothing).
    public static func capturing() -> LogSink { LogSink(capturing: true) }

    /// Writes one line (its bytes, newline included). To standard error with
    /// `write(2)` straight from the bytes, whole or in the pieces the kernel
    /// takes, one line at a time (a long line's pieces are not interleaved
    /// with another's). A line that cannot be written is dropped — a log must
    /// never stop the service — and one cut short is ended with a newline, so
    /// the next line starts a record of its own.
    func write(_ line: [UInt8]) {
        if capturing {
            lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            file.withLock { $0?.write(Data(line)) }
            return
        }
        standardErrorLock.withLock { _ in
            let written = Self.writeAll(line)
            if written > 0 && written < line.count { _ = Self.writeAll([UInt8(ascii: "\n")]) }
        }
    }

    private let standardErrorLock = Mutex(())

    /// Writes `bytes` to standard error, retrying on EINTR and waiting up to
    /// 100 ms for room on EAGAIN; returns how many bytes went out.
    private static func writeAll(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDERR_FILENO, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var waiting = pollfd(fd: STDERR_FILENO, events: Int16(POLLOUT), revents: 0)
                    guard poll(&waiting, 1, 100) > 0 else { return offset }
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
