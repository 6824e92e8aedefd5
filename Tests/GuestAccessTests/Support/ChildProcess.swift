import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, with the few members of
/// Foundation's `Process` the tests use. swift-corelibs-foundation's
/// `Process.run()` reads `/proc/self/fd` to close the child's descriptors and
/// copies each directory entry's whole 256-byte name, reading past glibc's
/// buffer when an entry sits at its end: an intermittent SIGSEGV in `memcpy`
/// (swiftlang/swift-corelibs-foundation#5472, fixed after Swift 6.3.1). It
/// took down whole test runs here, in CI and locally. This spawns directly
/// and closes the child's descriptors from 3 up with
/// `posix_spawn_file_actions_addclosefrom_np`.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: the configuration is set before `run()` and only read after;
    // the pid and exit status live in `state`.
    var executableURL: URL?
    var arguments: [String] = []
    /// Nil: the test runner's own environment.
    var environment: [String: String]?
    var standardInput: FileHandle?
    var standardOutput: FileHandle?
    var standardError: FileHandle?

    private struct State {
        var pid: pid_t = 0
        var status: Int32?
    }
    private let state = Mutex(State())

    struct SpawnFailed: Error, CustomStringConvertible {
        let errno: Int32
        let executable: String
        var description: String { "posix_spawn \(executable): \(String(cString: strerror(errno)))" }
    }

    var processIdentifier: pid_t { state.withLock { $0.pid } }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which its
    /// headers declare only for `_DEFAULT_SOURCE` builds, so Swift's Glibc module lacks it.
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed for posix_spawn_file_actions_addclosefrom_np")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    func run() throws {
        guard let executable = executableURL?.path else { throw SpawnFailed(errno: ENOENT, executable: "") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (handle, target) in [(standardInput, Int32(0)), (standardOutput, 1), (standardError, 2)] {
            guard let handle else { continue }
            if handle === FileHandle.nullDevice {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            } else {
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            }
        }
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw SpawnFailed(errno: ENOSYS, executable: executable) }

        // Default dispositions and an empty mask, as `Process` gives its children: the runner's
        // ignored signals (SIGPIPE) must not be inherited by a service under test.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environment = (self.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnFailed(errno: result, executable: executable) }
        state.withLock { $0.pid = pid }
    }

    /// Whether the child has not exited yet (reaps it once it has).
    var isRunning: Bool {
        state.withLock { state in
            guard state.pid != 0, state.status == nil else { return false }
            var status: Int32 = 0
            let reaped = waitpid(state.pid, &status, WNOHANG)
            if reaped == state.pid {
                state.status = status
            } else if reaped == -1 && errno == ECHILD {
                state.status = Self.lost  // reaped elsewhere: its status is unknown, never a success
            }
            return state.status == nil
        }
    }

    /// A status no `waitpid` gives: the child was reaped by someone else.
    private static let lost: Int32 = -1

    /// The exit status, or the number of the signal that ended the child; -1 if unknown.
    var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.status }), status != Self.lost else { return -1 }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : signal
    }

    /// SIGTERM.
    func terminate() {
        let pid = processIdentifier
        if pid != 0, isRunning { kill(pid, SIGTERM) }
    }

    func waitUntilExit() {
        while isRunning { usleep(5_000) }
    }
}
