import Foundation
import Synchronization

/// Where log lines go: standard error, or a memory buffer that tests read.
public final class LogSink: Sendable {
    private let lines = Mutex<[String]>([])
    private let capturing: Bool

    private init(capturing: Bool) { self.capturing = capturing }

    /// Writes each line to standard error at once.
    public static let standardError = LogSink(capturing: false)

    /// Keeps lines in memory (and writes nothing).
    public static func capturing() -> LogSink { LogSink(capturing: true) }

    func write(_ line: String) {
        if capturing {
            lines.withLock { $0.append(line) }
        } else {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Everything captured so far.
    public var captured: [String] { lines.withLock { $0 } }
}
