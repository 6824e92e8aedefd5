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
        if let masked = contiguous.withUTF8({ maskOfASCIILeads($0) }) { return masked }
        return maskByCharacters(email)
    }

    /// The mask written byte for byte when each part's first character is one
    /// ASCII byte, which it is when the byte after it, in its part, is ASCII
    /// too or there is none: two ASCII bytes are always two characters, but
    /// for CR LF, and a CR is left to `maskByCharacters`. `***` for a missing
    /// `@` or an empty part, as there; nil for any other lead, which
    /// `maskByCharacters` then masks. Each part made into a string to take its
    /// first character, and the pieces interpolated, cost about 3,500
    /// instructions a tracking request (BENCHMARKS.md, 2026-11-29 (night)).
    static func maskOfASCIILeads(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return "***" }
        let domainStart = at + 1
        var domainEnd = bytes.count
        while domainEnd > domainStart, bytes[domainEnd - 1] == UInt8(ascii: ".") { domainEnd -= 1 }
        guard at > 0, domainEnd > domainStart else { return "***" }
        func isOneByteCharacter(_ index: Int, before end: Int) -> Bool {
            bytes[index] < 0x80 && bytes[index] != UInt8(ascii: "\r") && (index + 1 == end || bytes[index + 1] < 0x80)
        }
        guard isOneByteCharacter(0, before: at), isOneByteCharacter(domainStart, before: domainEnd) else { return nil }
        let domain = UnsafeBufferPointer(rebasing: bytes[domainStart..<domainEnd])
        let tail = domain.lastIndex(of: UInt8(ascii: ".")).map { UnsafeBufferPointer(rebasing: domain[$0...]) }
        // "x***@y***" and the tail: nine bytes, then the tail's.
        let count = 9 + (tail?.count ?? 0)
        return String(unsafeUninitializedCapacity: count) { out in
            let star = UInt8(ascii: "*")
            out[0] = bytes[0]
            out[1] = star
            out[2] = star
            out[3] = star
            out[4] = UInt8(ascii: "@")
            out[5] = bytes[domainStart]
            out[6] = star
            out[7] = star
            out[8] = star
            if let tail { _ = UnsafeMutableBufferPointer(rebasing: out[9..<count]).initialize(fromContentsOf: tail) }
            return count
        }
    }

    /// The mask by characters, for any address `maskOfASCIILeads` declines.
    static func maskByCharacters(_ email: String) -> String {
        let utf8 = email.utf8
        guard let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return "***" }
        let domainStart = utf8.index(after: at)
        var domainEnd = utf8.endIndex
        while domainEnd > domainStart, utf8[utf8.index(before: domainEnd)] == UInt8(ascii: ".") {
            domainEnd = utf8.index(before: domainEnd)
        }
        // Each part's first character is read from a string of its own, so a mark after the `@`
        // begins the domain's character rather than joining the `@`'s.
        guard let localFirst = String(email[..<at]).first, let domainFirst = String(email[domainStart..<domainEnd]).first else {
            return "***"
        }
        let tail = utf8[domainStart..<domainEnd].lastIndex(of: UInt8(ascii: ".")).map { String(email[$0..<domainEnd]) } ?? ""
        return "\(localFirst)***@\(domainFirst)***\(tail)"
    }
}
