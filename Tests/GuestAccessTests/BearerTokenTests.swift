import HTTPTypes
import Testing

@testable import GuestAccessHTTP

@Suite("The bearer token read from the Authorization header")
struct BearerTokenTests {
    static func token(_ value: String?) -> String? {
        var fields = HTTPFields()
        fields[.authorization] = value
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
}
