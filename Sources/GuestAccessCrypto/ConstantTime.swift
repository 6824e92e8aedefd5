import COpenSSL

/// Comparisons of secrets whose running time does not depend on where they differ.
public enum ConstantTime {
    /// `CRYPTO_memcmp` over equal-length inputs. Unequal lengths are unequal at once:
    /// callers compare fixed-length digests, so length is never the secret.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { l in
            rhs.withUnsafeBytes { r in
                CRYPTO_memcmp(l.baseAddress, r.baseAddress, l.count) == 0
            }
        }
    }

    /// `equals` over bytes in place.
    public static func equals(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }

    /// Compares two secrets of any length by their SHA-256 digests, so neither the
    /// content nor the length of the expected value shapes the timing.
    public static func secretsEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        equals(SHA256.hash(lhs), SHA256.hash(rhs))
    }
}
