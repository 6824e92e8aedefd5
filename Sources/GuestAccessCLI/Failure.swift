import Foundation

/// Prints `guest-access: error: <message>` on one line to standard error; the
/// caller then exits non-zero. A standard error nobody reads any more (EPIPE:
/// SIGPIPE is ignored once logging is set up) loses the line; `write(_:)`
/// would stop the process with a `try!` crash instead.
func reportFailure(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data("guest-access: error: \(message)\n".utf8))
}
