import Foundation
import GuestAccessCore
import Testing

@testable import GuestAccessHTTP

/// The code routes' shortcuts past Foundation (trimming, NFC, the address
/// check, the content type) against the readings they stand in for, on
/// random strings built to hit every branch: ASCII and Unicode spaces, tabs,
/// newlines, controls, combining marks, decomposed letters, emoji.
@Suite("Shortcuts past Foundation give Foundation's answers")
struct SpacesAndTabsTests {
    /// Pieces the random strings are made of.
    static let pieces: [String] = [
        "a", "Z", "0", "@", ".", "-", "_", "+", "jane", "example.com", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}",
        "\u{00}", "\u{1F}", "\u{7F}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2009}", "\u{200A}", "\u{200B}",
        "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}", "\u{2028}", "é", "e\u{301}", "\u{301}", "ü", "u\u{308}", "ß",
        "İ", "\u{1F600}", "\u{1F3FB}", "<", ">", ",", ";", "\"", "\\", "(", ")", "[", "]", ":", "ä@b.de",
    ]

    static func randomString(_ random: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...8, using: &random)
        return (0..<count).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
    }

    /// `EmailAddress.isAcceptable` as it was before its ASCII shortcut.
    static func referenceAcceptable(_ email: String) -> Bool {
        guard email.utf8.count <= EmailAddress.maxLength else { return false }
        let forbidden: Set<Unicode.Scalar> = ["<", ">", ",", ";", "\"", "\\", "(", ")", "[", "]", ":"]
        for scalar in email.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format || forbidden.contains(scalar)
            {
                return false
            }
        }
        let parts = email.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.count <= EmailAddress.maxLocalLength else { return false }
        guard !domain.isEmpty, domain.count <= 253 else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let hyphen = UInt8(ascii: "-")
        return labels.allSatisfy { !$0.isEmpty && $0.count <= 63 && $0.first != hyphen && $0.last != hyphen }
    }

    /// The content-type check as it was before its shortcut.
    static func referenceIsJSON(_ value: String?) -> Bool {
        guard let value else { return false }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }

    @Test("Trimming, NFC, normalizing and the address check agree with Foundation's on 50,000 random strings")
    func agreeOnRandomStrings() {
        var random = SeededGenerator(seed: 20_261_127)
        var trimmed = 0
        var accepted = 0
        for round in 0..<50_000 {
            var email = Self.randomString(&random)
            if round % 2 == 0 {
                // Half of them shaped like addresses, so the later checks are reached too.
                email = Self.randomString(&random) + "jane@example" + Self.randomString(&random) + ".com" + Self.randomString(&random)
            } else if round % 4 == 1 {
                // A quarter from letters an address may hold, with spaces or tabs around some.
                let safe = ["a", "Z", "0", ".", "-", "_", "+", "jane", "é", "e\u{301}", "ü", "ß", "\u{1F600}"]
                let part = { (random: inout SeededGenerator) in
                    (0..<Int.random(in: 1...3, using: &random)).map { _ in safe.randomElement(using: &random)! }.joined()
                }
                let around = ["", "", " ", "\t", "\u{A0}", "\u{3000}"]
                email =
                    around.randomElement(using: &random)! + part(&random) + "@" + part(&random) + "." + part(&random)
                    + around.randomElement(using: &random)!
            }
            let foundationTrim = email.trimmingCharacters(in: .whitespaces)
            #expect(email.trimmingSpacesAndTabs == foundationTrim, "seed 20261127 round \(round): \(email.debugDescription)")
            #expect(email.trimmingSpacesAndTabs.utf8.elementsEqual(foundationTrim.utf8), "round \(round): bytes")
            #expect(email.precomposedIfNeeded.utf8.elementsEqual(email.precomposedStringWithCanonicalMapping.utf8), "round \(round)")
            #expect(
                EmailAddress.normalized(email).utf8.elementsEqual(
                    email.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased().utf8
                ),
                "round \(round): \(email.debugDescription)"
            )
            // As given, and trimmed as `CodeRequestBody.validate` checks it.
            for candidate in [email, foundationTrim] {
                #expect(
                    EmailAddress.isAcceptable(candidate) == Self.referenceAcceptable(candidate),
                    "round \(round): \(candidate.debugDescription)"
                )
            }
            if foundationTrim != email { trimmed += 1 }
            if Self.referenceAcceptable(foundationTrim) { accepted += 1 }
        }
        // The strings reached both sides of each check.
        #expect(trimmed > 5_000 && accepted > 1_000, "trimmed \(trimmed), accepted \(accepted)")
    }

    @Test("Every ASCII character alone, at either end and inside an address gets Foundation's answers")
    func everyASCIICharacter() {
        var accepted = 0
        for value in UInt8(0)..<0x80 {
            let character = String(UnicodeScalar(value))
            for text in [
                character, character + "a", "a" + character, character + "jane@example.com", "jane@example.com" + character,
                "ja" + character + "ne@example.com", "jane@exa" + character + "mple.com",
            ] {
                #expect(text.trimmingSpacesAndTabs.utf8.elementsEqual(text.trimmingCharacters(in: .whitespaces).utf8), "\(value)")
                #expect(EmailAddress.isAcceptable(text) == Self.referenceAcceptable(text), "\(value): \(text.debugDescription)")
                #expect(
                    EmailAddress.normalized(text).utf8.elementsEqual(
                        text.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased().utf8
                    ),
                    "\(value)"
                )
                if Self.referenceAcceptable(text) { accepted += 1 }
            }
        }
        #expect(accepted > 100)
    }

    @Test("The content-type check agrees with its general reading, shortcut or not")
    func contentType() {
        var random = SeededGenerator(seed: 7)
        let pieces = ["application/json", "Application/JSON", "text/plain", ";", " ", "\t", "charset=utf-8", "charset=\"utf-8\"", "x"]
        var values: [String?] = [nil, "", "application/json", "application/json; charset=utf-8", " application/json"]
        for _ in 0..<5_000 {
            values.append((0..<Int.random(in: 1...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        var yes = 0
        for value in values {
            #expect(StrictJSONRequestDecoder.isJSON(value) == Self.referenceIsJSON(value), "\(String(describing: value))")
            if Self.referenceIsJSON(value) { yes += 1 }
        }
        #expect(yes > 100)
    }
}
