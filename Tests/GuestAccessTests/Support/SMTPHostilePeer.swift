import Foundation

/// A misbehaving SMTP server on loopback, started from
/// `scripts/smtp_hostile_peer.py` for one test.
///
/// Standard-library Python rather than aiosmtpd, which cannot put raw,
/// pipelined or endless bytes on the wire. Each connection leaves one record:
/// `plain` and `tls` (the command lines received before and after STARTTLS, in
/// order), `data` (the message, or null) and `end` (`quit`, `eof`, or an error).
final class SMTPHostilePeer: Sendable {
    let peer: PythonPeer
    var port: Int { peer.port }
    var outPath: String { peer.outPath }

    /// `mode` is the script's `--mode`: `starttls-injection`, `starttls-partial`,
    /// `long-line`, `many-lines` or `normal`. With `tls` it offers STARTTLS.
    init(mode: String, tls: (cert: String, key: String)? = nil) async throws {
        var arguments = ["--mode", mode]
        if let tls { arguments += ["--cert", tls.cert, "--key", tls.key] }
        peer = try await PythonPeer(
            script: "smtp_hostile_peer.py",
            out: "sessions.jsonl",
            arguments: arguments,
            name: "smtp_hostile_peer.py"
        )
    }

    /// Stops the server (SIGTERM, then SIGKILL).
    func stop() { peer.stop() }

    /// One record per finished connection, in the order they finished.
    func sessions() -> [[String: Any]] { peer.records() }

    func waitForSessions(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [[String: Any]] {
        try await peer.waitForRecords(count, timeout: timeout, what: "sessions at the SMTP peer")
    }
}
