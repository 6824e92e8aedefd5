import Foundation
import GuestAccessCore
import GuestAccessCrypto

/// The RFC 5322 message for one code: plain text, UTF-8, fixed headers, every
/// header value validated before it gets here.
struct SMTPMessage {
    let text: String

    init(from: String, message: AccessCodeMessage) {
        let date = Self.dateFormatter.string(from: Date())
        let domain = from.split(separator: "@").last.map(String.init) ?? "guest-access.invalid"
        let minutes = max(1, Int((message.expiresAt.timeIntervalSinceNow / 60).rounded()))
        text =
            [
                "From: <\(from)>",
                "To: <\(message.to)>",
                "Subject: Your access code for order \(message.orderNumber)",
                "Date: \(date)",
                "Message-ID: <\(Base64URL.encode(SecureRandom.bytes(12)))@\(domain)>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "Auto-Submitted: auto-generated",
                "",
                "Your code to view order \(message.orderNumber) is:",
                "",
                "    \(message.code)",
                "",
                "It is valid for \(minutes) minutes, until \(Timestamp.format(message.expiresAt)), and works once.",
                "If you did not ask for it, you can ignore this email: nobody can see the order without the code.",
            ].joined(separator: "\r\n") + "\r\n"
    }

    /// Lines starting with a dot get a second one (RFC 5321 §4.5.2).
    var dotStuffed: String {
        text.split(separator: "\r\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }
            .joined(separator: "\r\n")
    }

    static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter
    }()
}
