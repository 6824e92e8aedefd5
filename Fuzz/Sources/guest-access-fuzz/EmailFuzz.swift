import GuestAccessCore

/// Email rules. Nothing traps on any input; an accepted address has exactly
/// one `@`; and the mask shows only the first character of the local part:
/// two addresses that differ after it mask the same.
enum EmailFuzz {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = EmailAddress.normalized(text)
        let mask = EmailMask.mask(text)
        guard EmailAddress.isAcceptable(text), let at = text.firstIndex(of: "@") else { return }
        require(text.filter { $0 == "@" }.count == 1, "accepted an address without exactly one @")
        require(mask.filter { $0 == "@" }.count == 1, "the mask of an accepted address has no single @")
        let local = text[..<at]
        let widened = String(local.prefix(1)) + "zz" + String(local.dropFirst()) + String(text[at...])
        require(EmailMask.mask(widened) == mask, "the mask depends on more than the local part's first character")
        require(
            EmailAddress.isAcceptable(EmailAddress.normalized(text)) || text.unicodeScalars.contains { $0.value > 0x7F },
            "an accepted ASCII address is refused once normalized"
        )
    }
}
