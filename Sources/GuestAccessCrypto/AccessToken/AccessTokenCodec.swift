import Foundation

/// Compact JWS (RFC 7515) with `alg` pinned to HS256, signed through OpenSSL
/// with the keyring's access-token subkeys.
///
/// Verification order: size, shape, header (exactly `alg` HS256, `kid`, and
/// optionally `typ` JWT — `jwk`, `jku`, `x5u`, `crit` and everything else
/// refused), key by `kid` (never a default), MAC in constant time, and only
/// then the claims are parsed.
public enum AccessTokenCodec {
    /// Tokens longer than this are refused before any parsing.
    public static let maxLength = 4096

    struct Header: Codable {
        let alg: String
        let kid: String
        let typ: String?
    }

    /// Signs `claims` with the keyring's active key.
    public static func sign(_ claims: AccessTokenClaims, keyring: Keyring) -> String {
        let key = keyring.active
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = (try? encoder.encode(claims)).map { [UInt8]($0) } ?? []
        let signingInput = String(decoding: key.tokenHeader, as: UTF8.self) + "." + Base64URL.encode(payload)
        let mac = key.mac(for: .accessToken).authenticate(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(mac)
    }

    /// The verified claims (signature only; call `claims.verify` for time and audience).
    public static func verifySignature(_ token: String, keyring: Keyring) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= maxLength else { throw .tooLarge }
        var token = token
        if let claims = token.withUTF8({ inPlace($0, keyring: keyring) }) { return claims }
        return try parsed(token, keyring: keyring)
    }

    /// The claims of a token exactly as `sign` writes them, read in place:
    /// the header compared as base64url bytes with each usable key's own,
    /// the MAC over the token's own bytes, the signature and claims decoded
    /// into stack memory. Nil for anything else — bad signatures included —
    /// and `parsed` then decides, naming the reason.
    static func inPlace(_ token: UnsafeBufferPointer<UInt8>, keyring: Keyring) -> AccessTokenClaims? {
        guard let first = dot(in: token, from: 0) else { return nil }
        let header = UnsafeBufferPointer(rebasing: token[..<first])
        guard let key = keyring.keys.first(where: { equals($0.tokenHeader, header) }) else { return nil }
        guard let second = dot(in: token, from: first + 1), second > first + 1 else { return nil }
        // A third dot, or any other foreign character, fails the strict decode.
        let signature = UnsafeBufferPointer(rebasing: token[(second + 1)...])
        guard signature.count == 43 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { macs -> AccessTokenClaims? in
            let presented = UnsafeMutableBufferPointer(rebasing: macs[0..<32])
            let computed = UnsafeMutableBufferPointer(rebasing: macs[32..<64])
            guard Base64URL.decode(signature, into: presented) == 32 else { return nil }
            key.mac(for: .accessToken).authenticate(UnsafeBufferPointer(rebasing: token[..<second]), into: computed)
            guard ConstantTime.equals(UnsafeBufferPointer(presented), UnsafeBufferPointer(computed)) else { return nil }
            let payload = UnsafeBufferPointer(rebasing: token[(first + 1)..<second])
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: payload.count) { claims -> AccessTokenClaims? in
                guard let count = Base64URL.decode(payload, into: claims) else { return nil }
                return AccessTokenClaims.canonical(UnsafeBufferPointer(rebasing: claims[..<count]))
            }
        }
    }

    /// The offset of the first `.` at or after `start`, found by libc's
    /// vectorised `memchr`: `firstIndex(of:)` walked a re-fetch's token a byte
    /// at a time, and with the header compared by `elementsEqual` it was about
    /// 2,300 instructions a request (BENCHMARKS.md, 2026-11-29 (night)).
    static func dot(in token: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = token.baseAddress, start < token.count,
            let found = memchr(base + start, Int32(UInt8(ascii: ".")), token.count - start)
        else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Whether a key's header is the token's header, byte for byte. Headers
    /// are public (they name the key), so an early exit leaks nothing.
    static func equals(_ expected: [UInt8], _ header: UnsafeBufferPointer<UInt8>) -> Bool {
        guard expected.count == header.count else { return false }
        guard let headerBase = header.baseAddress, !header.isEmpty else { return true }
        return expected.withUnsafeBufferPointer { memcmp($0.baseAddress!, headerBase, header.count) == 0 }
    }

    /// The general path: every segment decoded, any header parsed for the
    /// reason it is refused, claims in any JSON form `JSONDecoder` reads.
    static func parsed(_ token: String, keyring: Keyring) throws(AccessTokenError) -> AccessTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        // Only the exact header `sign` writes is accepted; anything else is
        // refused, after a parse that names why (for the refusal metrics).
        guard let kid = canonicalKid(headerBytes) else { throw refusal(forHeader: headerBytes) }
        guard let key = keyring.key(kid: kid) else { throw .unknownKey }
        guard signature.count == 32 else { throw .badSignature }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.mac(for: .accessToken).verify(signature, for: signingInput) else { throw .badSignature }
        if let claims = AccessTokenClaims.canonical(payloadBytes) { return claims }
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes)) else { throw .malformed }
        return claims
    }

    /// The key id in a token's header, if the header is the one `sign` writes (nothing is verified).
    public static func kid(of token: String) -> String? {
        guard token.utf8.count <= maxLength, let header = token.split(separator: ".").first, let bytes = Base64URL.decode(header) else {
            return nil
        }
        return canonicalKid(bytes)
    }

    private static let headerPrefix = Array(#"{"alg":"HS256","kid":""#.utf8)
    private static let headerSuffix = Array(#"","typ":"JWT"}"#.utf8)

    /// The key id of a header byte-identical to the one `sign` writes, or nil.
    static func canonicalKid(_ header: [UInt8]) -> String? {
        guard header.count > headerPrefix.count + headerSuffix.count, header.starts(with: headerPrefix),
            header.suffix(headerSuffix.count).elementsEqual(headerSuffix)
        else { return nil }
        let kid = String(decoding: header[headerPrefix.count..<(header.count - headerSuffix.count)], as: UTF8.self)
        return KeyringDocument.isWellFormedKid(kid) ? kid : nil
    }

    /// Why a header that is not the canonical one is refused. Never accepts.
    static func refusal(forHeader bytes: [UInt8]) -> AccessTokenError {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return .malformed }
        guard object["alg"] as? String == "HS256" else { return .unsupportedAlgorithm }
        guard Set(object.keys).isSubset(of: ["alg", "kid", "typ"]) else { return .forbiddenHeader }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(bytes)), header.typ == nil || header.typ == "JWT" else {
            return .malformed
        }
        guard KeyringDocument.isWellFormedKid(header.kid) else { return .unknownKey }
        return .malformed  // well-formed, but not byte for byte what this codec writes
    }
}
