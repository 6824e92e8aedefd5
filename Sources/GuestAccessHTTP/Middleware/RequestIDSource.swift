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

    /// A fresh id, 16 base64url characters.
    func next() -> String {
        let raw = pool.withLock { pool -> ArraySlice<UInt8> in
            if pool.used + Self.idBytes > pool.bytes.count {
                pool = (SecureRandom.bytes(Self.batchBytes), 0)
            }
            defer { pool.used += Self.idBytes }
            return pool.bytes[pool.used..<pool.used + Self.idBytes]
        }
        return Base64URL.encode(Array(raw))
    }
}
