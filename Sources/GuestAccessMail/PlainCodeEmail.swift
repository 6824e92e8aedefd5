import Foundation
public import GuestAccessCore

/// The code email without branding: English, plain text only.
public struct PlainCodeEmail: CodeEmailComposer {
    public init() {}

    public func compose(_ message: AccessCodeMessage) -> CodeEmail {
        let minutes = max(1, Int((message.expiresAt.timeIntervalSinceNow / 60).rounded()))
        return CodeEmail(
            subject: "Your access code for order \(message.orderNumber)",
            text: [
                "Your code to view order \(message.orderNumber) is:",
                "",
                "    \(message.code)",
                "",
                "It is valid for \(minutes) minutes, until \(Timestamp.format(message.expiresAt)), and works once.",
                "If you did not ask for it, you can ignore this email: nobody can see the order without the code.",
            ].joined(separator: "\n"),
            html: nil
        )
    }
}
