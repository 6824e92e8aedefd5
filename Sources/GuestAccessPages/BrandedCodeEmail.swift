import Foundation
public import GuestAccessCore
import Mustache

/// The code email in the storefront's branding and the shopper's language:
/// a plain-text part and an HTML part, the code prominent in both, and a
/// line for someone who did not ask. The HTML comes from a mustache
/// template (every value escaped, as on the pages); it carries inline
/// styles because mail clients ignore stylesheets.
public struct BrandedCodeEmail: CodeEmailComposer {
    let branding: Branding
    let catalogue: MessageCatalogue
    let template: MustacheTemplate

    /// Refuses to build when the template does not parse (a build defect, caught by the tests).
    public init(branding: Branding) throws {
        ScalarHTMLEscaping.register()
        self.branding = branding
        self.catalogue = .embedded
        self.template = try MustacheTemplate(string: String(decoding: PackageResources.email_mustache, as: UTF8.self))
    }

    public func compose(_ message: AccessCodeMessage) -> CodeEmail {
        let messages = catalogue(message.language)
        let minutes = max(1, Int((message.expiresAt.timeIntervalSinceNow / 60).rounded()))
        let subject = "\(messages["email_subject"] ?? "") \(message.orderNumber)"
        let validity = (messages["email_validity"] ?? "").replacingOccurrences(of: "{minutes}", with: String(minutes))
        var lines = [
            branding.storeName,
            "",
            "\(messages["email_intro"] ?? "") \(message.orderNumber):",
            "",
            "    \(message.code)",
            "",
            validity,
            messages["email_not_you"] ?? "",
        ]
        if let support = branding.supportContact { lines += ["", "\(messages["support"] ?? "") \(support)"] }
        var context: [String: Any] = [
            "lang": message.language.rawValue, "t": messages, "subject": subject, "store": branding.storeName,
            "accent": branding.accentColour, "orderNumber": message.orderNumber, "code": message.code, "validity": validity,
        ]
        if let support = branding.supportContact { context["support"] = support }
        return CodeEmail(subject: subject, text: lines.joined(separator: "\n"), html: template.render(context))
    }
}
