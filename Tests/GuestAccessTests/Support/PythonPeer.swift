import Foundation

/// A Python test peer from `scripts/` on loopback, for one test: started with
/// `--port-file` (it writes the port it listens on there) and `--out` (one
/// JSON line per thing it records), stopped when the test lets go of it.
final class PythonPeer: @unchecked Sendable {
    // @unchecked: `process` is started in init and afterwards only read or
    // terminated; the paths are immutable.
    let process = ChildProcess()
    let directory: String
    let port: Int
    let outPath: String

    /// Runs `scripts/SCRIPT --out DIR/OUT --port-file DIR/port ARGUMENTS…`; `name` is for the error.
    init(script: String, out: String, arguments: [String], name: String) async throws {
        directory = try TestEnvironment.temporaryDirectory()
        outPath = directory + "/" + out
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/" + script).path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path, "--out", outPath, "--port-file", directory + "/port"] + arguments
        // Its own streams, never the test runner's: a child holding the runner's
        // stdout open would keep `swift test` waiting after the tests end.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
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
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(name) did not start"])
    }

    deinit { stop() }

    /// Stops the peer (SIGTERM, then SIGKILL).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The records written so far, oldest first.
    func records() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: outPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// Waits until `count` records are written; `what` names them in the error.
    func waitForRecords(_ count: Int, timeout: Duration, what: String) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let records = records()
            if records.count >= count { return records }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "got \(records().count) of \(count) \(what)"])
    }
}
