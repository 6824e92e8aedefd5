import Foundation

/// A small tmpfs mounted for one test, so a test can fill it up or make it
/// read-only under a running service. Needs root (CI runs as root).
struct ScratchMount {
    let path: String

    static var isAvailable: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    init(kibibytes: Int) throws {
        path = try TestEnvironment.temporaryDirectory()
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k,mode=0700", "tmpfs", path])
    }

    func remount(readOnly: Bool) throws {
        try Self.run("/bin/mount", ["-o", readOnly ? "remount,ro" : "remount,rw", path])
    }

    /// Detaches the mount (lazily, so open files do not keep it busy).
    func unmount() { try? Self.run("/bin/umount", ["-l", path]) }

    /// Writes `filler` until the file system refuses; returns the bytes written.
    func fill() -> Int {
        guard let handle = FileHandle(forWritingAtPath: createFiller()) else { return 0 }
        defer { try? handle.close() }
        let chunk = Data(repeating: 0x5A, count: 16 * 1024)
        var written = 0
        while (try? handle.write(contentsOf: chunk)) != nil { written += chunk.count }
        // Byte by byte into the last partial block.
        while (try? handle.write(contentsOf: Data([0x5A]))) != nil { written += 1 }
        try? handle.synchronize()
        return written
    }

    /// Frees what `fill` took.
    func free() { try? FileManager.default.removeItem(atPath: path + "/filler") }

    private func createFiller() -> String {
        _ = FileManager.default.createFile(atPath: path + "/filler", contents: nil)
        return path + "/filler"
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments) failed"])
        }
    }
}
