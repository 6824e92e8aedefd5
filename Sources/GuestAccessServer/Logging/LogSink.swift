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
    /// takes; a line that cannot be written is dropped (a log must never stop
    /// the service).
    func write(_ line: [UInt8]) {
        if capturing {
            lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            file.withLock { $0?.write(Data(line)) }
        } else {
            line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }

    /// Everything captured so far.
    public var captured: [String] { lines.withLock { $0 } }
}
