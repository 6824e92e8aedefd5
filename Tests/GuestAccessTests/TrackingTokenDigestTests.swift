import GuestAccessCrypto
import GuestAccessStorage
import Testing

@testable import GuestAccessService

@Suite("The stored digest of a tracking token")
struct TrackingTokenDigestTests {
    @Test("A token's digest is SHA-256 of the domain, a zero byte and the token, the bytes every earlier release stored")
    func digestMatchesTheStoredFormat() {
        // Computed outside Swift: hashlib.sha256(b"guest-access/v1/tracking-token\x00" + token).hexdigest().
        let digest = TrackingTokens<SQLiteTrackingTokenStore>.digest("gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "58d4633ebcac78366f3b320dcd281e26dab4b40234b1c0522f9c662072a5a41a")
    }

    @Test(
        "A token is well formed exactly when it is the prefix and 24 canonically base64url-encoded bytes, on random near-tokens"
    )
    func wellFormedMatchesDecoding() {
        typealias Tokens = TrackingTokens<SQLiteTrackingTokenStore>
        // The definition the in-place check replaced: decode the part after the prefix and count the bytes.
        func decodes(_ token: String) -> Bool {
            token.utf8.count == Tokens.length && token.hasPrefix(Tokens.prefix)
                && Base64URL.decode(token.dropFirst(Tokens.prefix.count))?.count == 24
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let strays: [String] = ["=", "+", "/", " ", "é", "\u{301}", "\0", "%", "G"]
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for round in 0..<4000 {
            var token = Tokens.prefix + Base64URL.encode(SecureRandom.bytes(24))
            switch round % 5 {
            case 0: break
            case 1:  // one character replaced, by one from the alphabet or a stray
                var characters = Array(token)
                let index = Int.random(in: 0..<characters.count, using: &generator)
                characters[index] = Bool.random(using: &generator) ? alphabet.randomElement()! : Character(strays.randomElement()!)
                token = String(characters)
            case 2: token.removeLast(Int.random(in: 1...3, using: &generator))
            case 3: token += String(alphabet.randomElement()!)
            default: token = ["GT_", "gt-", "g_t", "gtx"].randomElement()! + token.dropFirst(3)
            }
            #expect(Tokens.isWellFormed(token) == decodes(token), "\(token)")
            if decodes(token) { accepted += 1 }
        }
        #expect(accepted >= 800)
    }
}
