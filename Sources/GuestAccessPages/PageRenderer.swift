import Foundation
import Mustache

/// Renders the pages from the mustache templates embedded in the binary.
/// Every `{{value}}` is escaped for HTML (`&`, `<`, `>`, `"`, `'`) one
/// Unicode scalar at a time (`ScalarHTMLEscaping`), and
/// the templates never use the unescaped `{{{…}}}` form (a test holds them
/// to that), so a provider's field is text wherever it lands.
struct PageRenderer: Sendable {
    /// The templates a page can be rendered with.
    enum Template: String, CaseIterable, Sendable {
        case tracking, lookup, code, order, message
    }

    static let sources: [String: [UInt8]] = [
        "head": PackageResources.head_mustache, "foot": PackageResources.foot_mustache,
        "tracking": PackageResources.tracking_mustache, "lookup": PackageResources.lookup_mustache,
        "code": PackageResources.code_mustache, "order": PackageResources.order_mustache,
        "message": PackageResources.message_mustache,
    ]

    let library: MustacheLibrary

    init() throws {
        ScalarHTMLEscaping.register()
        var library = MustacheLibrary()
        for (name, bytes) in Self.sources { try library.register(String(decoding: bytes, as: UTF8.self), named: name) }
        self.library = library
    }

    func render(_ template: Template, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template.rawValue) ?? ""
    }
}
