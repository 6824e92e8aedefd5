import GuestAccessServer
import GuestAccessService
import Logging

/// Sends every logger of the process to JSON lines on standard error.
enum LogBootstrap {
    static func bootstrap(level: String) {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
