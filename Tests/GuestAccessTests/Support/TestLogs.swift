import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import Logging
import Synchronization

@testable import GuestAccessServer
@testable import GuestAccessService

/// Every log line of the in-process services, captured once per test process.
///
/// With `GUEST_ACCESS_TEST_LOG_DIR` set (as `.ci/run` does), the lines are also
/// appended to `logs.jsonl` there and every secret a test meets is appended to
/// `secrets.txt`, so `scripts/scan_test_logs.py` can check the whole run.
enum TestLogs {
    static let directory = ProcessInfo.processInfo.environment["GUEST_ACCESS_TEST_LOG_DIR"]

    static let sink: LogSink = {
        let sink = directory.map { LogSink.capturing(alsoAppendingTo: $0 + "/logs.jsonl") } ?? LogSink.capturing()
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .debug, sink: sink) }
        for order in Fixtures.orders { secret(order.email) }
        return sink
    }()

    private static let secrets = Mutex<FileHandle?>(
        directory.flatMap { directory in
            let path = directory + "/secrets.txt"
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
            return handle
        }
    )

    /// Call before building an application so its logs are captured.
    static func start() { _ = sink }

    /// Records a value that must never appear in any log line of the run.
    static func secret(_ value: String) {
        secrets.withLock { $0?.write(Data((value + "\n").utf8)) }
    }
}
