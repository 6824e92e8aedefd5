import Foundation

/// aiosmtpd on loopback, started from `scripts/smtp_sink.py` for one test.
final class SMTPSink: Sendable {
    let peer: PythonPeer
    var port: Int { peer.port }
    var directory: String { peer.directory }
    var outPath: String { peer.outPath }

    /// `options` are extra flags of `smtp_sink.py`, e.g. `--reject-first 2`.
    init(port requested: Int = 0, tls: (cert: String, key: String)? = nil, options: [String] = []) async throws {
        var arguments = ["--port", "\(requested)"]
        if let tls { arguments += ["--cert", tls.cert, "--key", tls.key] }
        peer = try await PythonPeer(
            script: "smtp_sink.py",
            out: "received.jsonl",
            arguments: arguments + options,
            name: "aiosmtpd (smtp_sink.py)"
        )
    }

    /// Stops the server (SIGTERM, then SIGKILL).
    func stop() { peer.stop() }

    /// Received messages: `from`, `to`, `data`, `tls`, `auth` (the user logged in, if any).
    func received() -> [[String: Any]] { peer.records().filter { $0["auth_attempt"] == nil } }

    /// Every AUTH the server saw: `auth_attempt` (the mechanism), `ok`, `tls`.
    func authAttempts() -> [[String: Any]] { peer.records().filter { $0["auth_attempt"] != nil } }

    func waitForMessages(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let messages = received()
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(
            .fileReadUnknown,
            userInfo: [NSLocalizedDescriptionKey: "\(count) messages at the SMTP sink: \(received().count) arrived"]
        )
    }

    /// The 6-digit code in a received message.
    static func code(in message: [String: Any]) -> String? {
        let data = message["data"] as? String ?? ""
        return data.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.count == 6 && $0.allSatisfy(\.isNumber) }
            .map { code in
                TestLogs.secret(code)
                return code
            }
    }

    /// A free loopback port (bound, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1, made with the openssl CLI.
    static func makeCertificate() async throws -> (cert: String, key: String) {
        let directory = try TestEnvironment.temporaryDirectory()
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return (directory + "/cert.pem", directory + "/key.pem")
    }
}
