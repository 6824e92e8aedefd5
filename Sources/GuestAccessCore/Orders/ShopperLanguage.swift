import Foundation

/// The languages the pages and the code email speak, chosen per request from
/// `Accept-Language` and kept with a queued code request, so the email
/// speaks the language of the page or API call that asked for it. Adding
/// one means adding its catalogue (`GuestAccessPages/Resources/messages-XX.json`,
/// the same keys as English — a test holds every catalogue to that) and a case here.
public enum ShopperLanguage: String, CaseIterable, Sendable {
    case en
    case de

    /// The best supported language by the header's q-values (ties go to the
    /// earlier entry); English when nothing matches or the header is absent.
    /// Reads at most 32 entries of at most 512 bytes: it is a client's claim.
    public static func negotiate(_ header: String?) -> ShopperLanguage {
        guard let header else { return .en }
        var best: (language: ShopperLanguage, quality: Double)?
        for entry in header.utf8.prefix(512).split(separator: UInt8(ascii: ",")).prefix(32) {
            let parts = String(decoding: entry, as: UTF8.self).split(separator: ";")
            guard let tag = parts.first?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix("q="), let value = Double(pair.dropFirst(2)), (0...1).contains(value) { quality = value }
            }
            guard quality > 0, let language = ShopperLanguage(rawValue: primary) else { continue }
            if best == nil || quality > best!.quality { best = (language, quality) }
        }
        return best?.language ?? .en
    }

    /// The locale amounts and dates are written in.
    public var localeIdentifier: String {
        switch self {
        case .en: "en_US"
        case .de: "de_DE"
        }
    }
}
