import GuestAccessServer

/// Prints `guest-access: error: <message>` on one line to standard error; the
/// caller then exits non-zero.
///
/// The line goes through the log's writer thread, after the log lines
/// already taken, so the refusal is the last line, as it happened, and is
/// never written into the middle of one. The process waits up to 2 s for it:
/// a standard error whose reader is stuck loses the line rather than keeping
/// the process from exiting; one whose reader has gone (EPIPE, with SIGPIPE
/// ignored once logging is set up) loses it too.
func reportFailure(_ message: String) {
    LogSink.standardError.writeLine("guest-access: error: \(message)")
    LogSink.standardError.flush(waitingUpTo: .seconds(2))
}
