import Foundation

/// Rules for email addresses: what is accepted, how two are compared, how one is shown.
public enum EmailAddress {
    /// Characters that would let an address break out of a header or a list.
    static let forbidden: Set<Unicode.Scalar> = ["<", ">", ",", ";", "\"", "\\", "(", ")", "[", "]", ":"]

    /// RFC 5321 path limit.
    public static let maxLength = 254
    public static let maxLocalLength = 64

    /// Trimmed, Unicode NFC, lower-cased: the form two addresses are compared in.
    public static func normalized(_ email: String) -> String {
        email.trimmingSpacesAndTabs.precomposedIfNeeded.lowercased()
    }

    /// One `@`, a 1–64 byte local part, a dotted or single-label domain of
    /// non-empty labels, no whitespace, controls or header-significant characters.
    /// Unicode (IDN, SMTPUTF8) is accepted.
    public static func isAcceptable(_ email: String) -> Bool {
        guard email.utf8.count <= maxLength else { return false }
        for scalar in email.unicodeScalars {
            if scalar.isASCII {
                // ASCII's whitespace (tab to carriage return, space) and controls are below `!`, with DEL;
                // ASCII has no format characters.
                if scalar.value < 0x21 || scalar.value == 0x7F || forbidden.contains(scalar) { return false }
            } else if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format
            {
                return false
            }
        }
        // Split on the `@` and `.` code points, not on characters: a combining
        // mark or emoji modifier after either joins it into one grapheme, and a
        // character split would then see no `@` at all. The contract's pattern
        // counts code points too.
        let parts = email.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.count <= maxLocalLength else { return false }
        guard !domain.isEmpty, domain.count <= 253 else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let hyphen = UInt8(ascii: "-")
        return labels.allSatisfy { !$0.isEmpty && $0.count <= 63 && $0.first != hyphen && $0.last != hyphen }
    }
}
