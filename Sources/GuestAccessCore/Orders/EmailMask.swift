/// The fixed-width mask of the contract: `jane.doe@example.com` → `j***@e***.com`.
///
/// It shows the first character of the local part, the first character of the
/// domain's first label and the domain from its last dot, with fixed `***`
/// between, so neither the length of any part nor the full domain leaks.
public enum EmailMask {
    /// The masked form. Anything without an `@` masks to `***`.
    ///
    /// `@` and `.` are found as code points, as `EmailAddress` splits: a
    /// combining mark after a dot joins it into one character, and a character
    /// search would then take an earlier dot and show a subdomain. They are
    /// found in the UTF-8 bytes, which is the same: an ASCII byte never occurs
    /// inside another code point's encoding, and a scalar-by-scalar search was
    /// about 1,400 instructions of every tracking request (BENCHMARKS.md,
    /// 2026-11-29 afternoon). `EmailMaskTests` holds it to the scalar search.
    public static func mask(_ email: String) -> String {
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
