import COpenSSL

/// The only source of secrets in guest-access: OpenSSL's `RAND_bytes`.
///
/// A failing CSPRNG is not something to recover from: continuing would mint
/// guessable tokens, so a failure stops the process.
public enum SecureRandom {
    /// `count` bytes from `RAND_bytes`.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max))
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress, count > 0 else { return 1 }
            return RAND_bytes(base, Int32(count))
        }
        guard ok == 1 else { fatalError("RAND_bytes failed: refusing to continue without a CSPRNG") }
        return out
    }

    /// A value uniform in `0..<bound`, by rejection sampling (no modulo bias).
    public static func uniform(below bound: UInt32) -> UInt32 {
        precondition(bound > 0)
        // Largest multiple of `bound` that fits in 2^32; values at or above it are redrawn.
        let limit = UInt64(UInt32.max) + 1 - (UInt64(UInt32.max) + 1) % UInt64(bound)
        while true {
            let raw = bytes(4).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            if raw < limit { return UInt32(raw % UInt64(bound)) }
        }
    }

    /// A string of `digits` decimal digits, each position uniform.
    public static func decimalCode(digits: Int) -> String {
        precondition(digits > 0 && digits <= 9)
        var bound: UInt32 = 1
        for _ in 0..<digits { bound *= 10 }
        let value = uniform(below: bound)
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
