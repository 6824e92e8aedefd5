/// The `--mailer` option: `file:PATH`, `smtp://HOST:PORT`, `smtps://HOST:PORT` or `webhook:URL`.
public enum MailerSpec: Sendable, Equatable {
    case file(path: String)
    case smtp(host: String, port: Int, security: SMTPSecurity)
    case webhook(url: String)

    /// Parses the option; the error says what form is expected.
    public init(parsing text: String) throws(MailError) {
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw .unsupported("file: needs a path, as in file:/tmp/mail.jsonl") }
            self = .file(path: path)
        } else if text.hasPrefix("smtp://") || text.hasPrefix("smtps://") {
            let implicit = text.hasPrefix("smtps://")
            let scheme = implicit ? "smtps" : "smtp"
            let rest = text.dropFirst(scheme.count + 3)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                (1...65535).contains(port), colon > rest.startIndex
            else { throw .unsupported("\(scheme) needs \(scheme)://HOST:PORT") }
            // `@` as a byte: a combining mark after it makes a character `contains("@")` would not match.
            guard !rest[..<colon].utf8.contains(UInt8(ascii: "@")) else {
                throw .unsupported("\(scheme): credentials go in --smtp-username and the SMTP password, never in the URL")
            }
            self = .smtp(host: String(rest[..<colon]), port: port, security: implicit ? .implicitTLS : .startTLS)
        } else if text.hasPrefix("webhook:") {
            let url = String(text.dropFirst(8))
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .unsupported("webhook needs webhook:http(s)://…")
            }
            let authority = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
            guard !authority.utf8.contains(UInt8(ascii: "@")) else {
                throw .unsupported("webhook: no user information in the URL; the request is signed with the webhook secret")
            }
            self = .webhook(url: url)
        } else {
            throw .unsupported("expected file:PATH, smtp://HOST:PORT, smtps://HOST:PORT or webhook:URL")
        }
    }
}
