/// The fixed-width mask of the contract: `jane.doe@example.com` → `j***@e***.com`.
///
/// It shows the first character of the local part, the first character of the
/// domain's first label and the domain from its last dot, with fixed `***`
/// between, so neither the length of any part nor the full domain leaks.
public enum EmailMask {
    /// The masked form. Anything without an `@`, or with nothing before it or
    /// after it (trailing dots dropped), masks to `***`. Addresses whose parts
    /// each begin with a lone ASCII character are written byte for byte
    /// (`maskOfASCIILeads`); any other takes `maskByCharacters`.
    ///
    /// `@` and `.` are found as code points, as `EmailAddress` splits: a
    /// combining mark after a dot joins it into one character, and a character
    /// search would then take an earlier dot and show a subdomain. They are
    /// found in the UTF-8 bytes, which is the same: an ASCII byte never occurs
    /// inside another code point's encoding, and a scalar-by-scalar search was
    /// about 1,400 instructions of every tracking request (BENCHMARKS.md,
    /// 2026-11-29 afternoon). `EmailMaskTests` holds it to the scalar search.
    public static func mask(_ email: String) -> String {
        var contiguous = email
        return contiguous.withUTF8 { maskOfASCIILeads($0) ?? maskByCharacters($0) }
    }

    /// Where an address's parts are, as byte offsets: the last `@`, the
    /// domain's end with trailing dots dropped, and where the tail (the
    /// domain from its last dot) starts, the domain's end if it has no dot.
    /// Nil for a missing `@` or an empty part. Both masks read these.
    static func parts(of bytes: UnsafeBufferPointer<UInt8>) -> (at: Int, domainEnd: Int, tail: Int)? {
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        var domainEnd = bytes.count
        while domainEnd > at + 1, bytes[domainEnd - 1] == UInt8(ascii: ".") { domainEnd -= 1 }
        guard at > 0, domainEnd > at + 1 else { return nil }
        let tail = bytes[(at + 1)..<domainEnd].lastIndex(of: UInt8(ascii: ".")) ?? domainEnd
        return (at, domainEnd, tail)
    }

    /// The mask written byte for byte when each part's first character is one
    /// ASCII byte, which it is when the byte after it, in its part, is ASCII
    /// too or there is none: two ASCII bytes are always two characters, but
    /// for CR LF, and a CR is left to `maskByCharacters`. `***` for a missing
    /// `@` or an empty part; nil for any other lead, which `maskByCharacters`
    /// then masks. Each part made into a string to take its first character,
    /// and the pieces interpolated, cost about 3,500 instructions a tracking
    /// request (BENCHMARKS.md, 2026-11-29 (night)).
    static func maskOfASCIILeads(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let (at, domainEnd, tail) = parts(of: bytes) else { return "***" }
        func isOneByteCharacter(_ index: Int, before end: Int) -> Bool {
            bytes[index] < 0x80 && bytes[index] != UInt8(ascii: "\r") && (index + 1 == end || bytes[index + 1] < 0x80)
        }
        guard isOneByteCharacter(0, before: at), isOneByteCharacter(at + 1, before: domainEnd) else { return nil }
        // "x***@y***" and the tail: nine bytes, then the tail's.
        let count = 9 + domainEnd - tail
        return String(unsafeUninitializedCapacity: count) { out in
            let star = UInt8(ascii: "*")
            out[0] = bytes[0]
            out[1] = star
            out[2] = star
            out[3] = star
            out[4] = UInt8(ascii: "@")
            out[5] = bytes[at + 1]
            out[6] = star
            out[7] = star
            out[8] = star
            _ = UnsafeMutableBufferPointer(rebasing: out[9..<count]).initialize(fromContentsOf: bytes[tail..<domainEnd])
            return count
        }
    }

    /// The mask by characters, for any address `maskOfASCIILeads` declines.
    static func maskByCharacters(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard let (at, domainEnd, tail) = parts(of: bytes) else { return "***" }
        // Cut at ASCII bytes, so on scalar boundaries. Each part's first character is read from a
        // string of its own, so a mark after the `@` begins the domain's character rather than
        // joining the `@`'s.
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        guard let localFirst = text(0..<at).first, let domainFirst = text((at + 1)..<domainEnd).first else { return "***" }
        return "\(localFirst)***@\(domainFirst)***\(text(tail..<domainEnd))"
    }
}
