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
    /// search would then take an earlier dot and show a subdomain.
    public static func mask(_ email: String) -> String {
        let scalars = email.unicodeScalars
        guard let at = scalars.lastIndex(of: "@") else { return "***" }
        let local = String(scalars[..<at])
        var domain = Substring(scalars[scalars.index(after: at)...]).unicodeScalars
        while domain.last == "." { domain = domain.dropLast() }
        guard let localFirst = local.first, let domainFirst = String(domain).first else { return "***" }
        let tail = domain.lastIndex(of: ".").map { String(domain[$0...]) } ?? ""
        return "\(localFirst)***@\(domainFirst)***\(tail)"
    }
}
