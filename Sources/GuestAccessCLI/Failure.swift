import Foundation

/// Prints `guest-access: error: <message>` on one line to standard error; the
/// caller then exits non-zero.
func reportFailure(_ message: String) {
    FileHandle.standardError.write(Data("guest-access: error: \(message)\n".utf8))
}
