import Foundation

/// Runs the built `guest-access` executable, as an operator would.
struct BinaryRunner {
    /// The executable beside the test bundle (or `GUEST_ACCESS_BINARY`).
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["GUEST_ACCESS_BINARY"] { return URL(fileURLWithPath: path) }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("guest-access")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/guest-access")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs to completion (bounded by `timeout`).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Result {
        let process = try RunningProcess(arguments, environment: environment)
        let status = try await process.wait(timeout: timeout)
        return Result(status: status, stdout: process.stdout, stderr: process.stderr)
    }
}

/// A started `guest-access` process whose output goes to files.
final class RunningProcess: @unchecked Sendable {
    // @unchecked: `process` is configured before `run()` and afterwards only
    // read through Foundation's thread-safe accessors; the paths are immutable.
    let process = ChildProcess()
    let stdoutPath: String
    let stderrPath: String

    /// `standardError`: where the process's standard error goes instead of
    /// the file `stderr` reads.
    init(_ arguments: [String], environment: [String: String] = [:], standardError: FileHandle? = nil) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        stdoutPath = directory + "/stdout"
        stderrPath = directory + "/stderr"
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
            FileManager.default.createFile(atPath: stderrPath, contents: nil)
        else { throw CocoaError(.fileWriteUnknown) }
        process.executableURL = BinaryRunner.executable
        process.arguments = arguments
        // Settings come from the environment too: none of the runner's own
        // GUEST_ACCESS_* variables (settings, or the tests' own) may reach the service.
        // (Removed from the inherited dictionary in place, as before this rule: a CI run with
        // a `filter`ed copy crashed twice inside Foundation's Process.run, in memcpy.)
        var env = ProcessInfo.processInfo.environment
        for name in Array(env.keys) where name == "CREDENTIALS_DIRECTORY" || name.hasPrefix("GUEST_ACCESS_") {
            env.removeValue(forKey: name)
        }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try standardError ?? FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try ProcessLaunch.run(process)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit; kills it after `timeout`.
    func wait(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw CocoaError(.executableLoad)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Waits for a stderr line containing `marker`.
    func waitForLog(_ marker: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stderr.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no log line with \(marker); stderr: \(stderr)"])
    }

    /// The port from the service's `listening` log line.
    func waitForPort() async throws -> Int {
        let line = try await waitForLog("\"msg\":\"listening\"")
        guard let range = line.range(of: "\"port\":\""), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return port
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }
}
