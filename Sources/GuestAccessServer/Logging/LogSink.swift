import Foundation
import Synchronization

/// Where log lines go: standard error, a file (appended), or a memory buffer that tests read.
public final class LogSink: Sendable {
    private let lines = Mutex<[String]>([])
    private let file: Mutex<FileHandle?>
    /// A sink that does not capture hands its lines to a writer thread (`LogWriter`).
    private let writer: LogWriter?

    private init(file: FileHandle? = nil, writer: LogWriter? = nil) {
        self.file = Mutex(file)
        self.writer = writer
    }

    /// Keeps lines in memory and also appends them to `path` (created 0600 if missing).
    public static func capturing(alsoAppendingTo path: String) -> LogSink {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        return LogSink(file: handle)
    }

    /// How many bytes of lines the service holds while its standard error
    /// takes none: about 3,000 access-log lines, a tenth of a second of full
    /// load, or minutes of a quiet service.
    public static let standardErrorQueueLimitBytes = 1 << 20

    /// Writes to standard error from a thread of its own; lines that find
    /// the queue full are dropped and a warning line says how many.
    public static let standardError = LogSink.writing(to: STDERR_FILENO, queueLimitBytes: standardErrorQueueLimitBytes) { dropped in
        JSONLogHandler.droppedNotice(count: dropped, at: Date())
    }

    /// Writes each line to `descriptor` from a writer thread, through a queue
    /// of at most `queueLimitBytes`; `notice` is the line that reports lines
    /// dropped for want of room.
    static func writing(to descriptor: Int32, queueLimitBytes: Int, notice: @escaping @Sendable (Int) -> [UInt8]) -> LogSink {
        LogSink(writer: LogWriter(descriptor: descriptor, limitBytes: queueLimitBytes, notice: notice))
    }

    /// Keeps lines in memory (and writes nothing).
    public static func capturing() -> LogSink { LogSink() }

    /// Takes one line (its bytes, newline included) and returns without
    /// waiting on the descriptor: a log must never stop the service. Lines
    /// reach the descriptor whole and in the order they were taken. An
    /// `urgent` line (a warning or worse) has room of its own when ordinary
    /// lines are being dropped.
    func write(_ line: [UInt8], urgent: Bool = false) {
        guard let writer else {
            lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            file.withLock { $0?.write(Data(line)) }
            return
        }
        writer.enqueue(line, urgent: urgent)
    }

    /// Takes `text` as one line of its own, outside the JSON log: the CLI's
    /// refusals, which must come after the lines already taken and must not
    /// wait on a stuck reader (a direct write would block, or land inside
    /// a batch being written).
    public func writeLine(_ text: String) { write(Array((text + "\n").utf8), urgent: true) }

    /// Lines this sink dropped: the queue was full, or the descriptor failed.
    public var droppedLines: Int { writer?.droppedLines ?? 0 }

    /// Waits, at most `timeout`, until every line taken so far has been
    /// written; says whether they were. Called before the process exits and
    /// before a line that bypasses the log (a refusal to start).
    @discardableResult
    public func flush(waitingUpTo timeout: Duration) -> Bool { writer?.flush(waitingUpTo: timeout) ?? true }

    /// Everything captured so far.
    public var captured: [String] { lines.withLock { $0 } }
}
