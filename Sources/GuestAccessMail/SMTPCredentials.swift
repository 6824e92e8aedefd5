/// A user name and password for SMTP AUTH (PLAIN or LOGIN, RFC 4616 and the
/// LOGIN draft), as hosted mail services require on ports 587 and 465.
///
/// Sent only over TLS. The description never shows the password, so the
/// value can sit in settings that get logged or printed.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let username: String
    let password: String

    /// Refuses what cannot go into an AUTH exchange: empty parts, a NUL
    /// (PLAIN's separator), CR or LF, or parts longer than any service uses.
    public init(username: String, password: String) throws(MailError) {
        for (name, part) in [("user name", username), ("password", password)] {
            guard !part.isEmpty, part.utf8.count <= 1024 else { throw .unsupported("the SMTP \(name) must be 1 to 1024 bytes") }
            guard !part.unicodeScalars.contains(where: { $0 == "\0" || $0 == "\r" || $0 == "\n" }) else {
                throw .unsupported("the SMTP \(name) must not hold NUL, CR or LF")
            }
        }
        self.username = username
        self.password = password
    }

    public var description: String { "SMTPCredentials(username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "<redacted>"]) }
}
