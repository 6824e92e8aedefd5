import GuestAccessCrypto
import Synchronization

/// Random request ids, 12 bytes each from `RAND_bytes`, drawn 4 KiB at a
/// time: one `RAND_bytes` call per request (OpenSSL's locks included) was 3%
/// of the tracking route's CPU (BENCHMARKS.md, 2026-11-27). A request id is
/// not a secret (it is echoed to the client and logged), so bytes waiting in
/// this buffer protect nothing; tokens, codes and keys still come from
/// `SecureRandom` one call each.
final class RequestIDSource: Sendable {
    static let idBytes = 12
    static let batchBytes = 4096 - 4096 % idBytes

    private let pool = Mutex<(bytes: [UInt8], used: Int)>(([], 0))

    /// A fresh id, 16 base64url characters, encoded straight from the pool
    /// into the string, with no slice of the pool and no array of it between.
    func next() -> String {
        pool.withLock { pool in
            if pool.used + Self.idBytes > pool.bytes.count {
                pool = (SecureRandom.bytes(Self.batchBytes), 0)
            }
            defer { pool.used += Self.idBytes }
            return pool.bytes.withUnsafeBytes { bytes in
                let raw = UnsafeRawBufferPointer(rebasing: bytes[pool.used..<pool.used + Self.idBytes])
                return String(unsafeUninitializedCapacity: Base64URL.encodedCount(Self.idBytes)) { Base64URL.encode(raw, into: $0) }
            }
        }
    }
}
