import GuestAccessPolicy
import Testing

@testable import GuestAccessCore
@testable import GuestAccessService

@Suite("Fixed-width email masks")
struct EmailMaskTests {
    @Test(
        "The mask keeps only the first characters and the domain from its last dot",
        arguments: [
            ("jane.doe@example.com", "j***@e***.com"),  // the contract's example
            ("a@b.io", "a***@b***.io"),  // one-letter local part and label
            ("x@mail.shop.example.co.uk", "x***@m***.uk"),  // subdomains never leak
            ("renée.müller@bücher.example.de", "r***@b***.de"),  // IDN, whole characters
            ("émile@exämple.fr", "é***@e***.fr"),
            ("bob@localhost", "b***@l***"),  // single-label domain
            ("a.very.long.local.part.indeed@example.museum", "a***@e***.museum"),
            ("trailing@example.com.", "t***@e***.com"),
            ("no-at-sign", "***"),
            ("@example.com", "***"),
            ("user@", "***"),
            ("x@mail.shop.\u{301}example", "x***@m***.\u{301}example"),  // a mark after the last dot: still the last dot
            ("s@\u{1F3FB}b.com", "s***@\u{1F3FB}***.com"),  // an emoji modifier after the @
        ]
    )
    func masks(email: String, masked: String) {
        #expect(EmailMask.mask(email) == masked)
    }

    @Test("Found in the UTF-8 bytes, the mask is the one a search by code points gives, for random addresses of letters, marks and emoji")
    func bytesSearchMatchesScalarSearch() {
        var generator = SeededGenerator(seed: 0xE_3A11)
        let pieces = [
            "a", "Z", "0", "@", "@", ".", ".", ".", "é", "ü", "\u{301}", "\u{1F3FB}", "\u{200D}", "👩", "中", "-", "+", "\u{50917}", " ",
            "\r", "\n",
        ]
        for _ in 0..<20_000 {
            let email = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(EmailMask.mask(email) == Self.maskByScalars(email), "\(email.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("Parts that begin with a lone ASCII character are masked byte for byte; any other is left to the character path")
    func asciiLeadsTakeTheBytePath() {
        for (email, expected) in [
            ("jane.doe@example.com", "j***@e***.com"), ("bob@localhost", "b***@l***"), ("a@b.io", "a***@b***.io"),
            ("a@b", "a***@b***"), ("a@.com", "a***@.***.com"), ("a@b.", "a***@b***"), ("a@", "***"), ("@b", "***"),
            ("a@...", "***"), ("\n@x.com", "\n***@x***.com"), ("a\r@x.com", "a***@x***.com"),
            ("émile@example.fr", nil), ("e\u{301}mile@example.fr", nil), ("jane@e\u{301}xample.fr", nil), ("\r\n@example.com", nil),
            ("a中@x.com", nil),
        ] as [(String, String?)] {
            var copy = email
            #expect(copy.withUTF8 { EmailMask.maskOfASCIILeads($0) } == expected, "\(email)")
            #expect(EmailMask.mask(email) == Self.maskByScalars(email), "\(email)")
        }
    }

    /// The mask as written before 2026-11-29: `@` and `.` searched for code point by code point.
    static func maskByScalars(_ email: String) -> String {
        let scalars = email.unicodeScalars
        guard let at = scalars.lastIndex(of: "@") else { return "***" }
        let local = String(scalars[..<at])
        var domain = Substring(scalars[scalars.index(after: at)...]).unicodeScalars
        while domain.last == "." { domain = domain.dropLast() }
        guard let localFirst = local.first, let domainFirst = String(domain).first else { return "***" }
        let tail = domain.lastIndex(of: ".").map { String(domain[$0...]) } ?? ""
        return "\(localFirst)***@\(domainFirst)***\(tail)"
    }

    @Test("Two addresses of different lengths on one domain mask to the same width")
    func fixedWidth() {
        #expect(EmailMask.mask("j@example.com").count == EmailMask.mask("jxxxxxxxxxxxxxxxxxxx@example.com").count)
        #expect(EmailMask.mask("j@e.com") == EmailMask.mask("jane@enormous-domain.com"))
    }

    @Test("Acceptable emails refuse CR/LF, controls, header characters and over-long parts")
    func acceptable() {
        #expect(EmailAddress.isAcceptable("jane.doe@example.com"))
        #expect(EmailAddress.isAcceptable("renée@bücher.de"))
        #expect(!EmailAddress.isAcceptable("jane@example.com\r\nBcc: x@y.z"))
        #expect(!EmailAddress.isAcceptable("jane@exa\u{0}mple.com"))
        #expect(!EmailAddress.isAcceptable("<jane@example.com>"))
        #expect(!EmailAddress.isAcceptable("a@b@c"))
        #expect(!EmailAddress.isAcceptable(String(repeating: "a", count: 65) + "@example.com"))
        #expect(!EmailAddress.isAcceptable("a@" + String(repeating: "b", count: 250) + ".com"))
        #expect(!EmailAddress.isAcceptable("a@example..com"))
        // `@` and `.` are split as code points, as the contract's pattern reads them: an emoji modifier or a
        // combining mark after one joins it into one character, and a character split then found no `@`.
        #expect(EmailAddress.isAcceptable("s+\u{50917}@\u{1F3FB}\u{9DB1F}\u{A3}\u{C375D}"))
        #expect(EmailAddress.isAcceptable("a@b.\u{301}com"))
        #expect(!EmailAddress.isAcceptable("a@\u{301}@b.com"))
        #expect(!EmailAddress.isAcceptable("a@-b.com") && !EmailAddress.isAcceptable("a@b-.com"))
        #expect(EmailAddress.normalized("  Jane.Doe@Example.COM ") == "jane.doe@example.com")
    }
}
