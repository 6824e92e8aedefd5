import Foundation
import GuestAccessCore
import Testing

@testable import GuestAccessMail
@testable import GuestAccessServer

/// A combining mark after `.`, `@` or `:` joins it into one character, and a
/// search by character then misses it. Where those characters carry meaning
/// (SMTP dot-stuffing, user information in a URL), they are found as code points.
@Suite("Dots, at signs and colons found as code points")
struct CodePointSplitTests {
    @Test("A mail line starting with a dot and a combining mark is dot-stuffed, so the server keeps its dot")
    func dotStuffingSeesADotWithAMark() {
        let email = CodeEmail(subject: "Code", text: "first\n.\u{301}second\n.third\n..", html: nil)
        let message = SMTPMessage(
            from: "no-reply@shop.example",
            message: AccessCodeMessage(to: "a@b.example", orderNumber: "ORD-1", code: "123456", expiresAt: Date()),
            email: email
        )
        let lines = message.dotStuffed.components(separatedBy: "\r\n")
        #expect(lines.contains("..\u{301}second"))
        #expect(lines.contains("..third"))
        #expect(lines.contains("..."))
        #expect(!lines.contains(".\u{301}second"))
    }

    @Test(
        "A mailer URL with user information is refused even when a combining mark follows its @",
        arguments: [
            "smtp://u:pw@\u{301}mail.example:587", "smtps://u@\u{301}mail.example:465", "webhook:https://u:pw@\u{301}hooks.example/x",
        ]
    )
    func userInformationBehindAMarkIsRefused(spec: String) {
        #expect(throws: MailError.self) { try MailerSpec(parsing: spec) }
    }

    @Test("--print-config redacts a URL password even when a combining mark follows its @ or its colon")
    func redactionSeesMarkedSeparators() {
        #expect(ConfigurationSources.withoutURLPassword("https://u:pw@\u{301}h.example/") == "https://u:<redacted>@\u{301}h.example/")
        #expect(ConfigurationSources.withoutURLPassword("https://u:\u{301}pw@h.example/") == "https://u:<redacted>@h.example/")
        #expect(ConfigurationSources.withoutURLPassword("https://pw@\u{301}h.example/") == "https://<redacted>@\u{301}h.example/")
    }
}
