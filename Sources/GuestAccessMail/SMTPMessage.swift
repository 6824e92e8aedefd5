import Foundation
import GuestAccessCore
import GuestAccessCrypto

/// The RFC 5322 message for one code: fixed headers (every value validated
/// before it gets here; a non-ASCII subject RFC 2047-encoded), then the
/// plain-text part alone, or the plain-text and HTML parts as
/// multipart/alternative (text first, so a client that shows only text
/// shows the code). The text part is 8-bit UTF-8 with short lines; the HTML
/// part is base64, so no line of it can be too long or start with a dot.
struct SMTPMessage {
    let text: String

    init(from: String, message: AccessCodeMessage, email: CodeEmail) {
        let date = Self.dateFormatter.string(from: Date())
        let domain = from.split(separator: "@").last.map(String.init) ?? "guest-access.invalid"
        var lines = [
            "From: <\(from)>",
            "To: <\(message.to)>",
            "Subject: \(Self.encodedHeader(email.subject))",
            "Date: \(date)",
            "Message-ID: <\(Base64URL.encode(SecureRandom.bytes(12)))@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Language: \(message.language.rawValue)",
            "Auto-Submitted: auto-generated",
        ]
        let textBody = email.text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        if let html = email.html {
            let boundary = "=_guest-access_" + Base64URL.encode(SecureRandom.bytes(12))
            let encodedHTML = Data(html.utf8).base64EncodedString(options: [
                .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
            ])
            lines += [
                "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
                "",
                "--" + boundary,
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                textBody,
                "--" + boundary,
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
                encodedHTML,
                "--" + boundary + "--",
            ]
        } else {
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", textBody]
        }
        text = lines.joined(separator: "\r\n") + "\r\n"
    }

    /// ASCII as it is; anything else as one RFC 2047 encoded word per 30
    /// characters (each stays under 76 bytes).
    static func encodedHeader(_ value: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        let clean = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
        if clean.unicodeScalars.allSatisfy(\.isASCII) { return clean }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            chunk.append(character)
            if chunk.count == 30 {
                words.append("=?utf-8?B?" + Data(chunk.utf8).base64EncodedString() + "?=")
                chunk = ""
            }
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + Data(chunk.utf8).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Lines starting with a dot get a second one (RFC 5321 §4.5.2). The dot
    /// is looked for as a byte: a combining mark after it makes one character
    /// that `hasPrefix(".")` does not match, and the server would strip the dot.
    var dotStuffed: String {
        text.split(separator: "\r\n", omittingEmptySubsequences: false).map { $0.utf8.first == UInt8(ascii: ".") ? "." + $0 : String($0) }
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
