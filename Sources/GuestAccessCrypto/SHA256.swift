import CGuestAccessDigest

/// SHA-256 through OpenSSL's libcrypto, on a context on the stack
/// (`CGuestAccessDigest`): `EVP_Digest` allocated and freed a context per
/// call.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                ga_sha256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        guard ok == 1 else { fatalError("SHA-256 failed") }
        return out
    }

    /// The digest of a UTF-8 string.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }
}
