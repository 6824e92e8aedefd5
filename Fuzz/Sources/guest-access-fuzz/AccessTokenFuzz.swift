import Foundation
import GuestAccessCrypto

/// Access-token parsing. With a keyring whose secret the input cannot know,
/// no input may verify; and a real token changed in any byte must be refused
/// (the base64url decoder is strict, so no two spellings carry one signature).
enum AccessTokenFuzz {
    static let keyring = try! Keyring(document: .generate())
    static let genuine: String = {
        let claims = AccessTokenClaims(
            iss: "guest-access",
            aud: "guest-access-storefront",
            sub: "ORD-2026-0042",
            scope: AccessTokenClaims.orderReadScope,
            iat: 1_800_000_000,
            exp: 1_800_001_800,
            jti: Base64URL.encode(SecureRandom.bytes(16))
        )
        return AccessTokenCodec.sign(claims, keyring: keyring)
    }()

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if text != genuine {
            require((try? AccessTokenCodec.verifySignature(text, keyring: keyring)) == nil, "a token not ours verified")
        }
        // The input as edits of a genuine token: pairs of (position, xor mask).
        var token = Array(genuine.utf8)
        var index = 0
        while index + 1 < bytes.count {
            let position = Int(bytes[index]) % token.count
            token[position] ^= bytes[index + 1]
            index += 2
        }
        let edited = String(decoding: token, as: UTF8.self)
        if edited != genuine {
            require((try? AccessTokenCodec.verifySignature(edited, keyring: keyring)) == nil, "an edited token verified")
        }
    }
}
