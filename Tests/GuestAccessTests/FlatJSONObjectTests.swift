import Foundation
import GuestAccessService
import Testing

@testable import GuestAccessCore

@Suite("The one-pass reader of flat string bodies is a shortcut, never a second judge")
struct FlatJSONObjectTests {
    static let keys = ["orderNumber", "email", "code", "Email", "other", ""]
    static let values = [
        "ORD-2026-0042", "jane.doe@example.com", "123456", "", " spaced ", "a\\\"b", "back\\\\slash", "\\u00e9", "é", "tab\there",
        "nul\u{0}", "~!@#$%^&*()_+{}|:<>?`-=[];',./",
    ]
    static let nonStrings = ["null", "12", "true", "{}", "[]", "\"x\" \"y\"", "-0.5e3"]
    static let whitespace = ["", "", " ", "\t", "\n", "\r\n", "  ", "\u{0B}", "\u{A0}", "\u{FEFF}"]

    /// Half the bodies plain (the known keys, printable values, JSON's own whitespace), half anything.
    static func randomBody(_ generator: inout some RandomNumberGenerator) -> [UInt8] {
        let plain = Bool.random(using: &generator)
        func space() -> String { (plain ? Array(whitespace.prefix(6)) : whitespace).randomElement(using: &generator)! }
        var members: [String] = []
        let memberKeys =
            plain
            ? Array(["orderNumber", "email", "code"].shuffled(using: &generator).prefix(Int.random(in: 2...3, using: &generator)))
            : (0..<Int.random(in: 0...4, using: &generator)).map { _ in keys.randomElement(using: &generator)! }
        for key in memberKeys {
            let value =
                !plain && Int.random(in: 0..<8, using: &generator) == 0
                ? nonStrings.randomElement(using: &generator)!
                : "\"" + (plain ? Array(values.prefix(5)) : values).randomElement(using: &generator)! + "\""
            members.append(space() + "\"" + key + "\"" + space() + ":" + space() + value + space())
        }
        var bytes = Array((space() + "{" + members.joined(separator: ",") + "}" + space()).utf8)
        if Int.random(in: 0..<4, using: &generator) == 0, !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.remove(at: at)
            default: bytes.insert(Array("{}[],:\" \\x".utf8).randomElement(using: &generator)!, at: at)
            }
        }
        return bytes
    }

    @Test("On 20,000 random bodies, valid, refused and mutated, the decoder answers exactly as the general path alone")
    func shortcutAgreesWithTheGeneralPath() {
        var generator = SystemRandomNumberGenerator()
        var takenByShortcut = 0
        var accepted = 0
        for index in 0..<20_000 {
            // One body in fifty is valid but not plain (an escaped character), so that the general path's acceptances
            // do not rest on the rare random body that happens to be one.
            let bytes =
                index.isMultiple(of: 50)
                ? Array(
                    #"{"orderNumber":"ORD-2026-0042","email":"jane\\#(["u002e", "u002E", "/"].randomElement(using: &generator)!)doe@example.com"}"#
                        .utf8
                )
                : Self.randomBody(&generator)
            let general = Result { () throws(RequestBodyError) in try StrictJSON.decodeInGeneral(CodeRequestBody.self, from: bytes) }
            let decoded = Result { () throws(RequestBodyError) in try StrictJSON.decode(CodeRequestBody.self, from: bytes) }
            if let fields = FlatJSONObject.fields(bytes, known: CodeRequestBody.knownKeys), CodeRequestBody(flatStrings: fields) != nil {
                takenByShortcut += 1
            }
            switch (general, decoded) {
            case (.success(let expected), .success(let actual)):
                accepted += 1
                #expect(expected == actual, "\(String(decoding: bytes, as: UTF8.self))")
            case (.failure(let expected), .failure(let actual)):
                #expect(expected.message == actual.message, "\(String(decoding: bytes, as: UTF8.self))")
            default:
                Issue.record("the paths disagree on \(String(decoding: bytes, as: UTF8.self)): \(general) against \(decoded)")
            }
        }
        // Both paths are exercised: the shortcut takes a share of the bodies, the general path the rest.
        #expect(takenByShortcut > 500)
        #expect(accepted > takenByShortcut)
        #expect(accepted < 20_000)
    }

    @Test("A plain verify body is read by the shortcut with its three fields")
    func plainBodyIsTaken() throws {
        let bytes = Array(#" { "orderNumber" : "ORD-2026-0042", "email":"jane.doe@example.com","code":"123456"}"#.utf8)
        let fields = try #require(FlatJSONObject.fields(bytes, known: CodeRequestBody.knownKeys))
        #expect(fields == ["orderNumber": "ORD-2026-0042", "email": "jane.doe@example.com", "code": "123456"])
        #expect(
            try StrictJSON.decode(CodeRequestBody.self, from: bytes)
                == CodeRequestBody(orderNumber: "ORD-2026-0042", email: "jane.doe@example.com", code: "123456")
        )
    }
}
