public import Hummingbird

extension HTTPFields {
    /// Longest Authorization value looked at (the contract caps tokens at 4 KiB).
    static let maxAuthorizationLength = 4096 + 7

    /// The token of `Authorization: Bearer <token>`, or nil for a missing,
    /// repeated, oversized or non-Bearer header. Read through `withUTF8` at
    /// integer offsets (the `UTF8View`'s indices and a `zip` cost about 1,500
    /// instructions a re-fetch, BENCHMARKS.md 2026-11-29 (night)): the scheme
    /// compared without case, spaces and tabs around the token dropped
    /// (Foundation's `trimmingCharacters` went through `NSString` and cost a
    /// tenth of the token re-fetch's time in a profile). The field is found by
    /// walking the fields: the subscript joins every value with ", " through
    /// unspecialized generic code (1.1% of re-fetch's samples), and a second
    /// Authorization header makes the request carry no token at all.
    @usableFromInline var bearerToken: String? {
        var found: String?
        for field in self where field.name == .authorization {
            guard found == nil else { return nil }
            found = field.value
        }
        guard var header = found else { return nil }
        return header.withUTF8 { bytes -> String? in
            guard bytes.count > 7, bytes.count <= Self.maxAuthorizationLength else { return nil }
            let scheme: StaticString = "bearer "
            for offset in 0..<7 {
                // Lower-cases ASCII letters only; the space must be a space.
                let byte = bytes[offset]
                let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                guard folded == scheme.utf8Start[offset] else { return nil }
            }
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var start = 7
            var end = bytes.count
            while start < end, isBlank(bytes[start]) { start += 1 }
            while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            guard start < end else { return nil }
            // Cut after ASCII bytes, so on scalar boundaries: the same string as the field's.
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }
}
