import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import Testing

@testable import GuestAccessCrypto
@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Access tokens: HS256 only, kid without fallback, and the attack corpus")
struct AccessTokenTests {
    static let policy = Policy.default.accessTokens
    let keyring: Keyring
    let issuer = AccessTokenIssuer(policy: AccessTokenTests.policy)
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    init() throws { keyring = try Keyring(document: .generate()) }

    private func b64(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }

    /// Signs arbitrary header and payload JSON with a real key, as an attacker who had the key would.
    private func forge(header: String, payload: String, key: Keyring.Key? = nil) -> String {
        let input = b64(header) + "." + b64(payload)
        return input + "." + Base64URL.encode((key ?? keyring.active).mac(for: .accessToken).authenticate(Array(input.utf8)))
    }

    private func claimsJSON(sub: String = "ORD-A", aud: String? = nil, exp: Int64? = nil) -> String {
        let iat = Int64(now.timeIntervalSince1970)
        return
            #"{"aud":"\#(aud ?? Self.policy.audience)","exp":\#(exp ?? iat + 1800),"iat":\#(iat),"iss":"\#(Self.policy.issuer)","jti":"\#(Base64URL.encode(SecureRandom.bytes(16)))","scope":"order:read","sub":"\#(sub)"}"#
    }

    private func check(_ token: String) throws -> AccessTokenClaims {
        let claims = try AccessTokenCodec.verifySignature(token, keyring: keyring)
        try claims.verify(issuer: Self.policy.issuer, audience: Self.policy.audience, now: now, leeway: 30)
        return claims
    }

    @Test("A token it issued verifies, carries kid and alg HS256, and is scoped to one order")
    func roundTrip() throws {
        let token = issuer.issue(orderNumber: "ORD-A", keyring: keyring, now: now)
        let header = String(decoding: Base64URL.decode(token.split(separator: ".")[0])!, as: UTF8.self)
        #expect(header == #"{"alg":"HS256","kid":"\#(keyring.active.kid)","typ":"JWT"}"#)
        let claims = try check(token)
        #expect(claims.sub == "ORD-A" && claims.scope == "order:read" && claims.exp - claims.iat == 1800)
        #expect(Base64URL.decode(claims.jti)?.count == 16)
    }

    @Test(
        "Forged and damaged tokens are refused for the right reason",
        arguments: [
            "alg none", "alg HS384", "alg RS256", "jwk header", "jku header", "crit header", "flipped signature bit",
            "truncated signature", "empty signature", "unknown kid", "path kid", "expired", "wrong aud", "wrong iss",
            "other order's payload", "5 KiB token", "two parts", "not base64", "header not byte for byte ours",
        ]
    )
    func corpus(attack: String) throws {
        let kid = keyring.active.kid
        let good = issuer.issue(orderNumber: "ORD-A", keyring: keyring, now: now)
        let parts = good.split(separator: ".").map(String.init)
        let token: String
        let expected: AccessTokenError
        switch attack {
        case "alg none":
            token = b64(#"{"alg":"none","kid":"\#(kid)"}"#) + "." + parts[1] + "."
            expected = .unsupportedAlgorithm
        case "alg HS384":
            (token, expected) = (forge(header: #"{"alg":"HS384","kid":"\#(kid)"}"#, payload: claimsJSON()), .unsupportedAlgorithm)
        case "alg RS256":
            (token, expected) = (forge(header: #"{"alg":"RS256","kid":"\#(kid)"}"#, payload: claimsJSON()), .unsupportedAlgorithm)
        case "jwk header":
            (token, expected) = (
                forge(header: #"{"alg":"HS256","kid":"\#(kid)","jwk":{"kty":"oct","k":"AAAA"}}"#, payload: claimsJSON()), .forbiddenHeader
            )
        case "jku header":
            (token, expected) = (
                forge(header: #"{"alg":"HS256","kid":"\#(kid)","jku":"https://evil.example/keys"}"#, payload: claimsJSON()),
                .forbiddenHeader
            )
        case "crit header":
            (token, expected) = (forge(header: #"{"alg":"HS256","kid":"\#(kid)","crit":["exp"]}"#, payload: claimsJSON()), .forbiddenHeader)
        case "flipped signature bit":
            var signature = Base64URL.decode(parts[2])!
            signature[0] ^= 0x01
            (token, expected) = (parts[0] + "." + parts[1] + "." + Base64URL.encode(signature), .badSignature)
        case "truncated signature": (token, expected) = (parts[0] + "." + parts[1] + "." + parts[2].prefix(20), .badSignature)
        case "empty signature": (token, expected) = (parts[0] + "." + parts[1] + ".", .badSignature)
        case "unknown kid":
            (token, expected) = (
                forge(header: #"{"alg":"HS256","kid":"k0000000000000000","typ":"JWT"}"#, payload: claimsJSON()), .unknownKey
            )
        case "path kid":
            (token, expected) = (forge(header: #"{"alg":"HS256","kid":"../../keyring.json"}"#, payload: claimsJSON()), .unknownKey)
        case "expired":
            let exp = Int64(now.timeIntervalSince1970) - 31
            (token, expected) = (forge(header: #"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#, payload: claimsJSON(exp: exp)), .expired)
        case "wrong aud":
            (token, expected) = (
                forge(header: #"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#, payload: claimsJSON(aud: "someone-else")), .wrongAudience
            )
        case "wrong iss":
            let payload = claimsJSON().replacingOccurrences(of: #""iss":"\#(Self.policy.issuer)""#, with: #""iss":"evil""#)
            (token, expected) = (forge(header: #"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#, payload: payload), .wrongIssuer)
        case "other order's payload":
            (token, expected) = (parts[0] + "." + b64(claimsJSON(sub: "ORD-B")) + "." + parts[2], .badSignature)
        case "header not byte for byte ours":  // valid JSON, right key, but not the exact header `sign` writes
            (token, expected) = (forge(header: #"{"kid":"\#(kid)","alg":"HS256"}"#, payload: claimsJSON()), .malformed)
        case "5 KiB token": (token, expected) = (good + String(repeating: "A", count: 5 * 1024), .tooLarge)
        case "two parts": (token, expected) = (parts[0] + "." + parts[1], .malformed)
        default: (token, expected) = ("!!!." + parts[1] + "." + parts[2], .malformed)
        }
        #expect(throws: expected) { try check(token) }
    }

    @Test("A retired key's tokens are refused; a rotated-out but not retired key's still verify")
    func rotation() throws {
        let first = KeyringDocument.generate()
        let old = try Keyring(document: first)
        let token = issuer.issue(orderNumber: "ORD-A", keyring: old, now: now)
        let rotated = first.rotated()
        let afterRotation = try Keyring(document: rotated)
        #expect(try AccessTokenCodec.verifySignature(token, keyring: afterRotation).sub == "ORD-A")
        let fresh = issuer.issue(orderNumber: "ORD-A", keyring: afterRotation, now: now)
        let freshHeader = String(decoding: Base64URL.decode(fresh.split(separator: ".")[0])!, as: UTF8.self)
        #expect(freshHeader.contains(afterRotation.active.kid) && afterRotation.active.kid != old.active.kid)
        let retired = try Keyring(document: rotated.retiring(kid: first.keys[0].kid))
        #expect(throws: AccessTokenError.unknownKey) { try AccessTokenCodec.verifySignature(token, keyring: retired) }
        #expect(try AccessTokenCodec.verifySignature(fresh, keyring: retired).sub == "ORD-A")
    }

    @Test("Expiry allows at most the configured leeway")
    func leeway() throws {
        let exp = Int64(now.timeIntervalSince1970) - 29
        let token = forge(header: #"{"alg":"HS256","kid":"\#(keyring.active.kid)","typ":"JWT"}"#, payload: claimsJSON(exp: exp))
        #expect(try check(token).sub == "ORD-A")
    }

    @Test("A token is refused when signed out, or issued in or before the second its order was revoked, and only then")
    func standingRefuses() {
        let revoked = Date(timeIntervalSince1970: 1_000.5)
        let order = AccessTokenStanding(signedOut: false, orderRevokedAt: revoked)
        #expect(order.refuses(issuedAt: 999))
        #expect(order.refuses(issuedAt: 1_000))
        #expect(!order.refuses(issuedAt: 1_001))
        let exact = AccessTokenStanding(signedOut: false, orderRevokedAt: Date(timeIntervalSince1970: 1_000))
        #expect(exact.refuses(issuedAt: 1_000))
        #expect(!exact.refuses(issuedAt: 1_001))
        #expect(AccessTokenStanding(signedOut: true, orderRevokedAt: nil).refuses(issuedAt: 5_000))
        #expect(AccessTokenStanding(signedOut: true, orderRevokedAt: revoked).refuses(issuedAt: 5_000))
        #expect(!AccessTokenStanding(signedOut: false, orderRevokedAt: nil).refuses(issuedAt: 5_000))
    }
}

@Suite("Access-token claims read without JSONDecoder")
struct CanonicalClaimsTests {
    /// Claims in the form `sign` writes them.
    static let canonical = #"{"aud":"a","exp":2,"iat":1,"iss":"i","jti":"j","scope":"order:read","sub":"s"}"#

    /// The canonical claims changed in one way: no longer the form `sign` writes, so left to JSONDecoder.
    struct OtherForm: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String

        var testDescription: String { name }
    }

    static let otherForms = [
        OtherForm(name: "whitespace", text: canonical.replacingOccurrences(of: ",", with: ", ")),
        OtherForm(name: "an escape", text: canonical.replacingOccurrences(of: #""iss":"i""#, with: #""iss":"i\"x""#)),
        OtherForm(name: "too many digits", text: canonical.replacingOccurrences(of: #""exp":2"#, with: #""exp":12345678901234567890"#)),
        OtherForm(name: "not an integer", text: canonical.replacingOccurrences(of: #""exp":2"#, with: #""exp":2.5"#)),
        OtherForm(name: "trailing bytes", text: canonical + " "),
        OtherForm(name: "truncated", text: String(canonical.dropLast())),
        OtherForm(name: "key order", text: canonical.replacingOccurrences(of: #""aud":"a","exp":2"#, with: #""exp":2,"aud":"a""#)),
    ]

    @Test(
        "Claims as sign writes them read the same as JSONDecoder reads them",
        arguments: ["ORD-1", "ORD-2026-0042", String(repeating: "9", count: 64)]
    )
    func canonicalMatchesDecoder(subject: String) throws {
        let keyring = try Keyring(document: .generate())
        let claims = AccessTokenClaims(
            iss: "guest-access",
            aud: "guest-access-storefront",
            sub: subject,
            scope: AccessTokenClaims.orderReadScope,
            iat: 1_800_000_000,
            exp: 1_800_001_800,
            jti: Base64URL.encode(SecureRandom.bytes(16))
        )
        let token = AccessTokenCodec.sign(claims, keyring: keyring)
        let payload = try #require(Base64URL.decode(token.split(separator: ".")[1]))
        #expect(AccessTokenClaims.canonical(payload) == claims)
        #expect(try JSONDecoder().decode(AccessTokenClaims.self, from: Data(payload)) == claims)
        #expect(try AccessTokenCodec.verifySignature(token, keyring: keyring) == claims)
    }

    /// ASCII strings take a shortcut past UTF-8 validation; any other string
    /// must still read exactly as `String(validating:)` reads it, invalid
    /// sequences refused rather than repaired.
    @Test("A subject of random bytes reads as UTF-8 validation reads it: ASCII and other scripts kept, invalid sequences refused")
    func subjectBytesReadAsValidationReadsThem() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        let pieces: [[UInt8]] = [
            Array("A".utf8), Array("z9-".utf8), Array("é".utf8), Array("中".utf8), Array("😀".utf8),
            [0x80], [0xC3], [0xE4, 0xB8], [0xF0, 0x9F, 0x98], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x7F],
        ]
        var refused = 0
        var nonASCII = 0
        for _ in 0..<5000 {
            var subject: [UInt8] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                subject += pieces[Int.random(in: 0..<pieces.count, using: &random)]
            }
            let text = Array(#"{"aud":"a","exp":2,"iat":1,"iss":"i","jti":"j","scope":"s","sub":""#.utf8) + subject + Array(#""}"#.utf8)
            let read = AccessTokenClaims.canonical(text)
            let expected = subject.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
            #expect(read?.sub == expected, "seed \(seed): \(subject)")
            if expected == nil { refused += 1 }
            if subject.contains(where: { $0 >= 0x80 }) { nonASCII += 1 }
        }
        #expect(refused > 100, "seed \(seed): the run tried invalid UTF-8")
        #expect(nonASCII > refused, "seed \(seed): the run tried valid non-ASCII text")
    }

    @Test("Any other form of the claims is left to JSONDecoder", arguments: CanonicalClaimsTests.otherForms)
    func otherFormsAreLeftToTheDecoder(_ other: OtherForm) {
        #expect(AccessTokenClaims.canonical(Array(Self.canonical.utf8)) != nil)  // the unchanged form is read
        #expect(AccessTokenClaims.canonical(Array(other.text.utf8)) == nil, "\(other.text)")
    }
}

@Suite("Access tokens read in place")
struct InPlaceTokenTests {
    /// The in-place reader is a shortcut, never a second judge: on every
    /// token it either agrees with the general parser or steps aside.
    @Test("On random valid and mutated tokens the in-place reader returns what the general parser returns, or nothing")
    func inPlaceAgreesWithTheParser() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        // Two usable keys (the older verify-only), and a key the keyring never held.
        let older = KeyringDocument.generate(now: Date() - 60)
        let keyring = try Keyring(document: older.rotated())
        let olderSigner = try Keyring(document: older)
        let stranger = try Keyring(document: .generate())
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"".utf8)
        var agreed = 0
        var readInPlace = 0
        for round in 0..<4000 {
            let claims = AccessTokenClaims(
                iss: "guest-access",
                aud: "guest-access-storefront",
                sub: "ORD-\(round)",
                scope: AccessTokenClaims.orderReadScope,
                iat: Int64.random(in: 0...2_000_000_000, using: &random),
                exp: Int64.random(in: 0...2_000_000_000, using: &random),
                jti: Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) })
            )
            let signer = [keyring, olderSigner, stranger].randomElement(using: &random)!
            var bytes = Array(AccessTokenCodec.sign(claims, keyring: signer).utf8)
            // Half unchanged; the rest with one to three bytes replaced, removed or inserted.
            if round % 2 == 1 {
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[index] = alphabet.randomElement(using: &random)!
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(alphabet.randomElement(using: &random)!, at: index)
                    }
                }
            }
            let token = String(decoding: bytes, as: UTF8.self)
            let general = try? AccessTokenCodec.parsed(token, keyring: keyring)
            var copy = token
            let inPlace = copy.withUTF8 { AccessTokenCodec.inPlace($0, keyring: keyring) }
            if let inPlace {
                readInPlace += 1
                #expect(inPlace == general, "seed \(seed), round \(round): \(token)")
            } else if round % 2 == 0 && keyring.key(kid: signer.active.kid) != nil {
                Issue.record("seed \(seed), round \(round): an unchanged token of this keyring was not read in place")
            }
            #expect((try? AccessTokenCodec.verifySignature(token, keyring: keyring)) == general, "seed \(seed), round \(round)")
            agreed += 1
        }
        #expect(agreed == 4000)
        #expect(readInPlace >= 800, "only \(readInPlace) tokens read in place (seed \(seed))")
    }

    @Test("Dots anywhere but the two separators, and empty or missing segments, are never read in place")
    func misplacedDotsAreNotReadInPlace() throws {
        let keyring = try Keyring(document: .generate())
        let claims = AccessTokenClaims(
            iss: "guest-access",
            aud: "guest-access-storefront",
            sub: "ORD-1",
            scope: AccessTokenClaims.orderReadScope,
            iat: 1_790_000_000,
            exp: 1_790_001_800,
            jti: Base64URL.encode([UInt8](repeating: 7, count: 16))
        )
        let token = AccessTokenCodec.sign(claims, keyring: keyring)
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        let (header, payload, signature) = (parts[0], parts[1], parts[2])
        var cases = [
            "", ".", "..", "...", header, header + ".", header + "..", header + ".." + signature,
            header + "." + payload + ".", header + "." + payload + "." + signature + ".",
            "." + header + "." + payload + "." + signature, header + "." + payload + ".." + signature,
        ]
        for offset in 0..<signature.utf8.count {
            var bytes = Array(signature.utf8)
            bytes[offset] = UInt8(ascii: ".")
            cases.append(header + "." + payload + "." + String(decoding: bytes, as: UTF8.self))
        }
        for candidate in cases {
            var copy = candidate
            #expect(copy.withUTF8 { AccessTokenCodec.inPlace($0, keyring: keyring) } == nil, "\(candidate)")
            #expect((try? AccessTokenCodec.verifySignature(candidate, keyring: keyring)) == nil, "\(candidate)")
        }
        var valid = token
        #expect(valid.withUTF8 { AccessTokenCodec.inPlace($0, keyring: keyring) } == claims)
    }

    @Test("The dot search finds the first dot at or after its start, and nothing past the end")
    func dotSearch() {
        var text = ".a.b."
        text.withUTF8 { bytes in
            #expect(AccessTokenCodec.dot(in: bytes, from: 0) == 0)
            #expect(AccessTokenCodec.dot(in: bytes, from: 1) == 2)
            #expect(AccessTokenCodec.dot(in: bytes, from: 3) == 4)
            #expect(AccessTokenCodec.dot(in: bytes, from: 4) == 4)
            #expect(AccessTokenCodec.dot(in: bytes, from: 5) == nil)
        }
        var none = "abc"
        none.withUTF8 { #expect(AccessTokenCodec.dot(in: $0, from: 0) == nil) }
        #expect(AccessTokenCodec.dot(in: UnsafeBufferPointer(start: nil, count: 0), from: 0) == nil)
    }
}
