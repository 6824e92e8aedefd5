import Foundation
public import GuestAccessCore

/// The pages' words, one JSON catalogue per language embedded in the binary
/// (`Resources/messages-en.json`, …), so no text is spelt in a template and a
/// translator edits one flat file.
public struct MessageCatalogue: Sendable {
    /// Messages by language, each a flat key → text map.
    public let messages: [ShopperLanguage: [String: String]]

    /// The embedded catalogues. A catalogue that does not parse is a build
    /// defect a test catches, not a runtime condition.
    public static let embedded = MessageCatalogue(
        messages: [
            .en: parse(PackageResources.messages_en_json),
            .de: parse(PackageResources.messages_de_json),
        ]
    )

    static func parse(_ bytes: [UInt8]) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(bytes))) ?? [:]
    }

    /// The messages of `language`.
    public func callAsFunction(_ language: ShopperLanguage) -> [String: String] { messages[language] ?? [:] }
}
