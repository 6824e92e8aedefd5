import Foundation

/// A misbehaving SMTP server on loopback, started from
/// `scripts/smtp_hostile_peer.py` for one test.
///
/// Standard-library Python rather than aiosmtpd, which cannot put raw,
/// pipelined or endless bytes on the wire. Each connection leaves one record:
/// `plain` and `tls` (the command lines received before and after STARTTLS, in
/// order), `data` (the message, or null) and `end` (`quit`, `eof`, or an error).
final class SMTPHostilePeer: @unchecked Sendable {
    // @unchecked: `process` is started in init and afterwards only read or
    // terminated; the paths are immutable.
    let process = Process()
    let directory: String
    let port: Int

    var outPath: String { directory + "/sessions.jsonl" }

    /// `mode` is the script's `--mode`: `starttls-injection`, `starttls-partial`,
    /// `long-line`, `many-lines` or `normal`. With `tls` it offers STARTTLS.
    init(mode: String, tls: (cert: String, key: String)? = nil) async throws {
        directory = try TestEnvironment.temporaryDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/smtp_hostile_peer.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", script, "--out", directory + "/sessions.jsonl", "--port-file", directory + "/port", "--mode", mode]
        if let tls { arguments += ["--cert", tls.cert, "--key", tls.key] }
        process.arguments = arguments
        // Its own streams, never the test runner's: a child holding the runner's
        // stdout open would keep `swift test` waiting after the tests end.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8), let port = Int(text) {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "smtp_hostile_peer.py did not start"])
    }

    deinit { stop() }

    /// Stops the server (SIGTERM, then SIGKILL).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// One record per finished connection, in the order they finished.
    func sessions() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: outPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func waitForSessions(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let sessions = sessions()
            if sessions.count >= count { return sessions }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(
            .fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "SMTP peer recorded \(sessions().count) of \(count) sessions"])
    }
}
