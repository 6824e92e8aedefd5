public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and writes `keyring.json`: mode 0600, written atomically
/// (temp file, fsync, rename, fsync of the directory).
public struct KeyringFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The keyring file inside a data directory.
    public init(dataDirectory: String) {
        self.path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("keyring.json").path
    }

    /// Loads and validates the document, refusing a file group or others can read.
    public func load() throws(KeyringError) -> KeyringDocument {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path: path) }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: mode) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "read failed")
        }
        guard data.count <= 1 << 20 else { throw .malformed("file is larger than 1 MiB") }
        let document: KeyringDocument
        do {
            document = try Self.decoder.decode(KeyringDocument.self, from: data)
        } catch {
            throw .malformed("not a keyring JSON document")
        }
        try document.validate()
        return document
    }

    /// Writes the document atomically with mode 0600.
    public func save(_ document: KeyringDocument) throws(KeyringError) {
        try document.validate()
        let data: Data
        do { data = try Self.encoder.encode(document) } catch { throw .writeFailed(path: path, reason: "encoding failed") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let temp = path + ".tmp-" + Base64URL.encode(SecureRandom.bytes(6))
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        if fchmod(fd, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil {
            let written = data.withUnsafeBytes { raw -> Int in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue }; return -1 }
                    offset += n
                }
                return offset
            }
            if written != data.count { failure = String(cString: strerror(errno)) }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(temp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temp)
            throw .writeFailed(path: path, reason: failure)
        }
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    /// Creates a new keyring; refuses to overwrite one.
    public func create(now: Date = Date()) throws(KeyringError) -> KeyringDocument {
        if FileManager.default.fileExists(atPath: path) { throw .alreadyExists(path: path) }
        let document = KeyringDocument.generate(now: now)
        try save(document)
        return document
    }

    /// Loads, transforms and saves under an exclusive lock, so two operators
    /// rotating at once cannot lose a key.
    public func update(
        _ change: (KeyringDocument) throws(KeyringError) -> KeyringDocument
    ) throws(KeyringError) -> KeyringDocument {
        let lockPath = path + ".lock"
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw .writeFailed(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX) == 0 else { throw .writeFailed(path: lockPath, reason: "lock failed") }
        defer { flock(lockFD, LOCK_UN) }
        let updated = try change(try load())
        try save(updated)
        return updated
    }

    /// The file's identity and modification time, to notice a replacement.
    public func fingerprint() -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_ino)-\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec)"
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()
}
