import Foundation
import GuestAccessServer
import GuestAccessService
import Logging

/// Sends every logger of the process to JSON lines on standard error.
enum LogBootstrap {
    /// Also ignores SIGPIPE: a log line written to a pipe whose reader has
    /// gone must be dropped (`write` answers EPIPE), not end the process.
    /// NIO ignores it too, but only once it opens its first socket, after the
    /// service's first lines.
    ///
    /// Lines are written by a thread of their own (`LogSink`), so at exit
    /// (a return from `main`, or ArgumentParser's `exit`) the process waits up
    /// to two seconds for the ones still queued: the last lines (`stopped`, a
    /// refusal) are the ones an operator reads first.
    static func bootstrap(level: String) {
        _ = signal(SIGPIPE, SIG_IGN)
        atexit { LogSink.standardError.flush(waitingUpTo: .seconds(2)) }
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
