import COpenSSL

/// SHA-256 through OpenSSL's EVP interface.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                ga_sha256(sha256Implementation, input.baseAddress, input.count, output.baseAddress)
            }
        }
        guard ok == 1 else { fatalError("EVP_Digest(SHA-256) failed") }
        return out
    }

    /// The digest of a UTF-8 string.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }
}

/// OpenSSL's SHA-256, fetched once (a lazy global: initialized once, thread-safe). Passing `EVP_sha256()`
/// instead makes every `EVP_Digest` fetch it again: half of a tracking token's digest time in a profile.
/// A fetched `EVP_MD` is never changed after the fetch and OpenSSL lets threads share it.
nonisolated(unsafe) private let sha256Implementation: OpaquePointer? = {
    guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("EVP_MD_fetch(SHA256) failed") }
    return md
}()
