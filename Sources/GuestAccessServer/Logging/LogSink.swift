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

    func write(_ line: String) {
        if capturing {
            lines.withLock { $0.append(line) }
            file.withLock { $0?.write(Data(line.utf8)) }
        } else {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Everything captured so far.
    public var captured: [String] { lines.withLock { $0 } }
}
