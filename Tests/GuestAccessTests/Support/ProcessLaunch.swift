import Foundation

/// Starts the tests' child processes one at a time: a few milliseconds each,
/// and a launch never overlaps another's descriptor juggling.
enum ProcessLaunch {
    private static let lock = NSLock()

    static func run(_ process: ChildProcess) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
