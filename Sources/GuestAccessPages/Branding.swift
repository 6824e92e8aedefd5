import Foundation

/// What makes the pages and the code email look like the storefront's own:
/// its name, logo, accent colour and a support contact. Checked at start, so
/// nothing the operator typed can break out of an attribute or a stylesheet.
public struct Branding: Sendable, Equatable {
    public let storeName: String
    /// An `https:` image URL, or nil.
    public let logoURL: String?
    /// `#rrggbb`.
    public let accentColour: String
    /// An email address or an `https:` URL, or nil.
    public let supportContact: String?

    public init(
        storeName: String? = nil,
        logoURL: String? = nil,
        accentColour: String? = nil,
        supportContact: String? = nil
    ) throws(PagesSettingError) {
        let name = (storeName ?? "Order lookup").trimmingCharacters(in: .whitespaces)
        guard (1...80).contains(name.count),
            !name.unicodeScalars.contains(where: {
                [.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
            })
        else {
            throw PagesSettingError("--brand-name must be 1 to 80 characters without control characters")
        }
        self.storeName = name
        if let logoURL {
            guard Self.isHTTPSURL(logoURL) else { throw PagesSettingError("--brand-logo-url must be an https URL") }
        }
        self.logoURL = logoURL
        let colour = (accentColour ?? "#1f5fbf").lowercased()
        guard colour.count == 7, colour.first == "#", colour.dropFirst().allSatisfy(\.isHexDigit) else {
            throw PagesSettingError("--brand-accent must be a colour as #rrggbb")
        }
        self.accentColour = colour
        if let supportContact {
            let isEmail =
                supportContact.utf8.count <= 254 && supportContact.contains("@")
                && !supportContact.unicodeScalars.contains(where: {
                    $0.properties.isWhitespace || $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
                        || $0.properties.generalCategory == .nonspacingMark || "<>\"'".unicodeScalars.contains($0)
                })
            guard isEmail || Self.isHTTPSURL(supportContact) else {
                throw PagesSettingError("--brand-support must be an email address or an https URL")
            }
        }
        self.supportContact = supportContact
    }

    /// `https://host/…` and nothing that could be read as script or data.
    static func isHTTPSURL(_ text: String) -> Bool {
        guard text.utf8.count <= 254, isPrintableURLText(text), let url = URL(string: text), url.scheme == "https", let host = url.host,
            !host.isEmpty
        else { return false }
        return true
    }

    /// Printable ASCII without quotes, angle brackets, backticks or backslashes,
    /// judged one Unicode scalar at a time (a `Character` can hide a quote
    /// behind a combining mark).
    static func isPrintableURLText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>\"'`\\".unicodeScalars.contains($0) }
    }

    /// The stylesheet that carries the accent colour: served from the service
    /// (`/assets/brand.css`), since the pages' policy allows no inline style.
    var stylesheet: String { ":root{--accent:\(accentColour)}\n" }
}
