import Foundation

/// The data directory must exist, be a directory, and be writable.
enum DataDirectory {
    static func check(_ path: String) throws(StartupError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StartupError("data directory \(path) does not exist")
        }
        guard isDirectory.boolValue else { throw StartupError("data directory \(path) is not a directory") }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw StartupError("data directory \(path) is not writable")
        }
    }
}
