import Foundation

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without Foundation when there is
    /// nothing to trim. `.whitespaces` holds two ASCII characters, space and tab;
    /// a string that starts and ends with any other ASCII character is returned
    /// as it is (every code request's email, as a shopper's client sends it),
    /// and anything else goes to Foundation. The bridging was 2–3% of a
    /// request-code flood's samples; `SpacesAndTabsTests` holds the two ways to
    /// the same answers.
    public var trimmingSpacesAndTabs: String {
        guard let first = utf8.first, let last = utf8.last, Self.isKeptASCII(first), Self.isKeptASCII(last) else {
            return trimmingCharacters(in: .whitespaces)
        }
        return self
    }

    /// `precomposedStringWithCanonicalMapping` (NFC), which leaves ASCII as it is.
    public var precomposedIfNeeded: String {
        utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping
    }

    private static func isKeptASCII(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && byte != 0x09
    }
}
