/// The `--mailer` option: `file:PATH`, `smtp://HOST:PORT` or `webhook:URL`.
public enum MailerSpec: Sendable, Equatable {
    case file(path: String)
    case smtp(host: String, port: Int)
    case webhook(url: String)

    /// Parses the option; the error says what form is expected.
    public init(parsing text: String) throws(MailError) {
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw .unsupported("file: needs a path, as in file:/tmp/mail.jsonl") }
            self = .file(path: path)
        } else if text.hasPrefix("smtp://") {
            let rest = text.dropFirst(7)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                (1...65535).contains(port), colon > rest.startIndex
            else { throw .unsupported("smtp needs smtp://HOST:PORT") }
            self = .smtp(host: String(rest[..<colon]), port: port)
        } else if text.hasPrefix("webhook:") {
            let url = String(text.dropFirst(8))
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .unsupported("webhook needs webhook:http(s)://…")
            }
            self = .webhook(url: url)
        } else {
            throw .unsupported("expected file:PATH, smtp://HOST:PORT or webhook:URL")
        }
    }
}
