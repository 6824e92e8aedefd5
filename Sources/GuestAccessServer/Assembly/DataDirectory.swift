import Foundation

/// The data directory must exist, be a directory, be writable, and be closed
/// to group and others: it holds the keyring, the database (code and token
/// digests, budgets, the audit trail) and, in development, the outbox.
enum DataDirectory {
    static func check(_ path: String) throws(StartupError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw StartupError("data directory \(path) does not exist") }
            throw StartupError("data directory \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw StartupError("data directory \(path) is not a directory") }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o066 == 0 else {
            throw StartupError(
                "data directory \(path) is readable or writable by group or others (mode \(String(mode, radix: 8))); chmod 700 it"
            )
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw StartupError("data directory \(path) is not writable")
        }
    }
}
