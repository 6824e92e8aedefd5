import Foundation

/// Starts the tests' child processes one at a time. swift-corelibs-foundation's
/// `Process.run()` crashed once in CI (a bad pointer in `memcpy` inside
/// `run`, signal 11) while parallel tests were starting children at once —
/// the configuration tests start a dozen `serve` processes together. The
/// cause inside Foundation is not pinned down; serializing the launch (a few
/// milliseconds each) takes the concurrency out of it.
enum ProcessLaunch {
    private static let lock = NSLock()

    static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
