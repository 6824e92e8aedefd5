/// The words of one code email: its subject, a plain-text part and, when
/// the composer makes one, an HTML part (sent together as
/// multipart/alternative). Never logged: it holds the code.
public struct CodeEmail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String?

    public init(subject: String, text: String, html: String?) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Writes a code email for a message: in its language and the storefront's
/// branding (`GuestAccessPages.BrandedCodeEmail`), or plain English
/// (`GuestAccessMail.PlainCodeEmail`). A port, so the SMTP mailer needs
/// neither templates nor catalogues.
public protocol CodeEmailComposer: Sendable {
    func compose(_ message: AccessCodeMessage) -> CodeEmail
}
