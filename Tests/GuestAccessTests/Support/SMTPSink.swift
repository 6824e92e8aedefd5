import Foundation

/// aiosmtpd on loopback, started from `scripts/smtp_sink.py` for one test.
final class SMTPSink: @unchecked Sendable {
    // @unchecked: `process` is started in init and afterwards only read or
    // terminated; the paths are immutable.
    let process = Process()
    let directory: String
    let port: Int

    var outPath: String { directory + "/received.jsonl" }

    /// `options` are extra flags of `smtp_sink.py`, e.g. `--reject-first 2`.
    init(port requested: Int = 0, tls: (cert: String, key: String)? = nil, options: [String] = []) async throws {
        directory = try TestEnvironment.temporaryDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/smtp_sink.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            "python3", script, "--out", directory + "/received.jsonl", "--port-file", directory + "/port", "--port", "\(requested)",
        ]
        if let tls { arguments += ["--cert", tls.cert, "--key", tls.key] }
        arguments += options
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
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "aiosmtpd did not start (pip install aiosmtpd)"])
    }

    deinit { stop() }

    /// Stops the server (SIGTERM, then SIGKILL).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Received messages: `from`, `to`, `data`, `tls`.
    func received() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: outPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func waitForMessages(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let messages = received()
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(
            .fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "SMTP sink got \(received().count) of \(count) messages"])
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return (directory + "/cert.pem", directory + "/key.pem")
    }
}
