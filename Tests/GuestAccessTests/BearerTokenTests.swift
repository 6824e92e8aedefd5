import HTTPTypes
import Testing

@testable import GuestAccessHTTP

@Suite("The bearer token read from the Authorization header")
struct BearerTokenTests {
    /// The field made with its value as sent: `fields[.authorization] = value`
    /// would trim the blanks around it first, and the reader's own trim would go untested.
    static func token(_ value: String?) -> String? {
        var fields = HTTPFields()
        if let value { fields.append(HTTPField(name: .authorization, lenientValue: Array(value.utf8))) }
        return fields.bearerToken
    }

    @Test(
        "The scheme matches in any case, spaces and tabs around the token are dropped, anything else is no token",
        arguments: [
            ("Bearer abc.def.ghi", "abc.def.ghi"),
            ("bearer abc", "abc"),
            ("BEARER  abc \t ", "abc"),
            ("bEaReR \tabc", "abc"),
            ("Bearer a b", "a b"),
            ("Bearer", nil),
            ("Bearer ", nil),
            ("Bearer  \t ", nil),
            ("Bearer\tabc", nil),
            ("Bearerabc", nil),
            ("Basic abc", nil),
            ("Bearer\u{301} abc", nil),
            ("Béarer abc", nil),
            ("Bearer " + String(repeating: "a", count: 4097), nil),
        ] as [(String, String?)]
    )
    func bearer(header: String, expected: String?) {
        #expect(Self.token(header) == expected)
    }

    @Test("A token of the contract's largest size is read; one byte more is not")
    func sizeLimit() {
        #expect(Self.token("Bearer " + String(repeating: "a", count: 4096)) == String(repeating: "a", count: 4096))
        #expect(Self.token(nil) == nil)
    }

    @Test("Two Authorization headers give no token, whatever each holds")
    func twoHeaders() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .authorization, value: "Bearer abc"))
        fields.append(HTTPField(name: .authorization, value: "Bearer def"))
        #expect(fields.bearerToken == nil)
        var mixedCase = HTTPFields()
        mixedCase.append(HTTPField(name: .authorization, value: "Bearer abc"))
        mixedCase.append(HTTPField(name: HTTPField.Name("AUTHORIZATION")!, value: "Bearer abc"))
        #expect(mixedCase.bearerToken == nil)
        var one = HTTPFields()
        one.append(HTTPField(name: .authorization, value: "Bearer abc"))
        one.append(HTTPField(name: .accept, value: "application/json"))
        #expect(one.bearerToken == "abc")
    }

    /// The header read by scalars and `String` operations: a second reading
    /// the byte reader is held to.
    static func model(_ value: String) -> String? {
        let utf8Count = value.utf8.count
        guard utf8Count > 7, utf8Count <= HTTPFields.maxAuthorizationLength else { return nil }
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 7, scalars.prefix(7).allSatisfy(\.isASCII),
            String(String.UnicodeScalarView(scalars.prefix(7))).lowercased() == "bearer "
        else { return nil }
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        let rest = scalars.dropFirst(7).drop(while: blank)
        let token = rest.reversed().drop(while: blank).reversed()
        return token.isEmpty ? nil : String(String.UnicodeScalarView(token))
    }

    @Test("On random header values the token is what a reading by scalars finds")
    func randomValues() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        let schemes = ["Bearer ", "bearer", "BEARER\t", "Bearer\u{301} ", "bEaReR  ", "Basic ", "Béarer ", ""]
        let pieces = ["a", "Z", "0", ".", "-", "_", " ", "\t", "é", "\u{301}", "🙂", "Bearer", "ß"]
        var read = 0
        for round in 0..<3000 {
            var value = ["", " ", "\t"].randomElement(using: &random)! + schemes.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 0...12, using: &random) { value += pieces.randomElement(using: &random)! }
            if round % 500 == 0 { value += String(repeating: "a", count: 4090 + Int.random(in: 0...20, using: &random)) }
            let token = Self.token(value)
            // Bytes, not `String` equality, which would take one normalisation for another.
            #expect(
                token.map { Array($0.utf8) } == Self.model(value).map { Array($0.utf8) },
                "seed \(seed), round \(round): \(value.debugDescription)"
            )
            if token != nil { read += 1 }
        }
        #expect(read >= 100, "only \(read) tokens read (seed \(seed))")
    }
}
