import Mustache

/// HTML escaping one Unicode scalar at a time. swift-mustache's own HTML
/// escaping compares whole `Character`s (grapheme clusters), so a `"` or
/// `<` that a combining mark (U+0338) or a prepended mark (U+0600) joins
/// into one cluster goes out unescaped — an outside review injected
/// elements and broke out of attributes that way with a provider's item
/// name. Every template opens with `{{% CONTENT_TYPE: guest-access-html }}`
/// (a test holds them to it), partials included, since a partial starts
/// again from the library's default.
struct ScalarHTMLEscaping: MustacheContentType {
    static let name = "guest-access-html"

    /// Makes the content type known to swift-mustache (idempotent).
    static func register() { MustacheContentTypes.register(ScalarHTMLEscaping(), named: name) }

    func escapeText(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
