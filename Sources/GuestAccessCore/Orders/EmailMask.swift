/// The fixed-width mask of the contract: `jane.doe@example.com` → `j***@e***.com`.
///
/// It shows the first character of the local part, the first character of the
/// domain's first label and the domain from its last dot, with fixed `***`
/// between, so neither the length of any part nor the full domain leaks.
public enum EmailMask {
    /// The masked form. Anything without an `@` masks to `***`.
    public static func mask(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@") else { return "***" }
        let local = email[..<at]
        var domain = email[email.index(after: at)...]
        while domain.hasSuffix(".") { domain = domain.dropLast() }
        guard let localFirst = local.first, let domainFirst = domain.first else { return "***" }
        let tail = domain.lastIndex(of: ".").map { String(domain[$0...]) } ?? ""
        return "\(localFirst)***@\(domainFirst)***\(tail)"
    }
}
