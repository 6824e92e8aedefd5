import Hummingbird

extension HTTPFields {
    /// Longest Authorization value looked at (the contract caps tokens at 4 KiB).
    static let maxAuthorizationLength = 4096 + 7

    /// The token of `Authorization: Bearer <token>`, or nil for a missing,
    /// repeated, oversized or non-Bearer header. Read as bytes: the scheme
    /// compared without case, spaces and tabs around the token dropped
    /// (Foundation's `trimmingCharacters` went through `NSString` and cost a
    /// tenth of the token re-fetch's time in a profile). The field is found by
    /// walking the fields: the subscript joins every value with ", " through
    /// unspecialized generic code (1.1% of re-fetch's samples), and a second
    /// Authorization header makes the request carry no token at all.
    var bearerToken: String? {
        var found: String?
        for field in self where field.name == .authorization {
            guard found == nil else { return nil }
            found = field.value
        }
        guard let header = found else { return nil }
        let bytes = header.utf8
        guard bytes.count > 7, bytes.count <= Self.maxAuthorizationLength else { return nil }
        let scheme = "bearer ".utf8
        for (byte, expected) in zip(bytes.prefix(7), scheme) {
            // Lower-cases ASCII letters only; the space must be a space.
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == expected else { return nil }
        }
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = bytes.index(bytes.startIndex, offsetBy: 7)
        var end = bytes.endIndex
        while start < end, isBlank(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isBlank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        guard start < end else { return nil }
        return String(Substring(bytes[start..<end]))
    }
}
