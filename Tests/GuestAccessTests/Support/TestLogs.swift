import GuestAccessHTTP
import Logging

/// Every log line of the in-process services, captured once per test process.
enum TestLogs {
    static let sink: LogSink = {
        let sink = LogSink.capturing()
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .debug, sink: sink) }
        return sink
    }()

    /// Call before building an application so its logs are captured.
    static func start() { _ = sink }
}
