import Foundation
import GuestAccessServer

/// Prints `guest-access: error: <message>` on one line to standard error; the
/// caller then exits non-zero. A standard error nobody reads any more (EPIPE:
/// SIGPIPE is ignored once logging is set up) loses the line; `write(_:)`
/// would stop the process with a `try!` crash instead.
///
/// Log lines already taken go out first (they are written by a thread of
/// their own), so the refusal is the last line, as it happened.
func reportFailure(_ message: String) {
    LogSink.standardError.flush(waitingUpTo: .seconds(2))
    try? FileHandle.standardError.write(contentsOf: Data("guest-access: error: \(message)\n".utf8))
}
