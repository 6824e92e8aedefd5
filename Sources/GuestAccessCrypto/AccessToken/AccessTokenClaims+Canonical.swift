import Foundation

extension AccessTokenClaims {
    /// Reads claims in the exact form `AccessTokenCodec.sign` writes them
    /// (sorted keys, no whitespace, no escapes), without `JSONDecoder`; nil
    /// for anything else, and the caller then uses `JSONDecoder`.
    ///
    /// Only ever called after the MAC has verified, so the bytes are ones this
    /// service signed; the fast path is for speed, not for trust.
    static func canonical(_ bytes: [UInt8]) -> AccessTokenClaims? {
        bytes.withUnsafeBufferPointer { canonical($0) }
    }

    /// `canonical` over bytes in place.
    static func canonical(_ bytes: UnsafeBufferPointer<UInt8>) -> AccessTokenClaims? {
        var reader = CanonicalReader(bytes: bytes)
        guard reader.literal("{\"aud\":"), let aud = reader.string(), reader.literal(",\"exp\":"), let exp = reader.integer(),
            reader.literal(",\"iat\":"), let iat = reader.integer(), reader.literal(",\"iss\":"), let iss = reader.string(),
            reader.literal(",\"jti\":"), let jti = reader.string(), reader.literal(",\"scope\":"), let scope = reader.string(),
            reader.literal(",\"sub\":"), let sub = reader.string(), reader.literal("}"), reader.atEnd
        else { return nil }
        return AccessTokenClaims(iss: iss, aud: aud, sub: sub, scope: scope, iat: iat, exp: exp, jti: jti)
    }
}

/// A cursor over canonical JSON bytes: literals, escape-free strings, integers.
struct CanonicalReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let matches = text.withUTF8Buffer { expected in
            memcmp(bytes.baseAddress! + index, expected.baseAddress!, count) == 0
        }
        if matches { index += count }
        return matches
    }

    /// A JSON string without escapes or control characters.
    ///
    /// ASCII, which every claim the service writes is, becomes a string
    /// directly: `String(validating:as:)` is generic and unspecialized here,
    /// and its five calls were about 5,000 instructions of a token re-fetch
    /// (BENCHMARKS.md, 2026-11-29, evening). Anything else is still validated.
    mutating func string() -> String? {
        guard index < bytes.count, let base = bytes.baseAddress, base[index] == UInt8(ascii: "\"") else { return nil }
        var end = index + 1
        var bits: UInt8 = 0
        while end < bytes.count {
            let byte = base[end]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            bits |= byte
            end += 1
        }
        guard end < bytes.count else { return nil }
        let content = UnsafeBufferPointer(start: base + index + 1, count: end - index - 1)
        let text = bits < 0x80 ? String(decoding: content, as: UTF8.self) : String(validating: content, as: UTF8.self)
        index = end + 1
        return text
    }

    /// A JSON integer of at most 18 digits, optionally negative.
    mutating func integer() -> Int64? {
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 18 {
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
            digits += 1
        }
        guard digits > 0, index == bytes.count || !(bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")) else {
            return nil
        }
        return negative ? -value : value
    }
}
