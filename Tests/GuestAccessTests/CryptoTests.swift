import CGuestAccessDigest
import COpenSSL
import Foundation
import GuestAccessCrypto
import Testing

@Suite("Crypto primitives through OpenSSL")
struct CryptoTests {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("HMAC-SHA256 matches RFC 4231 test cases 1 and 2")
    func hmacVectors() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            hex(HMACKey(secret: key1).authenticate("Hi There"))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        )
        #expect(
            hex(HMACKey(secret: Array("Jefe".utf8)).authenticate("what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
    }

    @Test("HMAC-SHA256 matches RFC 4231 test cases 3, 4, 6 and 7, keys longer than a block among them")
    func hmacVectorsOfEveryKeySize() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array(
                    ("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8
                ),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for (key, data, mac) in cases {
            #expect(hex(HMACKey(secret: key).authenticate(data)) == mac)
        }
    }

    /// The service's HMAC starts each message from the key's prepared SHA-256
    /// states; OpenSSL's `EVP_Q_mac` keys a fresh context every call. Keys
    /// around the block size (64) and messages around it and past it.
    @Test("HMAC-SHA256 equals OpenSSL's own HMAC for random keys of 1 to 200 bytes and messages of 0 to 300")
    func hmacMatchesOpenSSL() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        let lengths = [1, 31, 32, 55, 56, 63, 64, 65, 119, 128, 129, 200]
        for round in 0..<2_000 {
            let keyCount = round < lengths.count ? lengths[round] : Int.random(in: 1...200, using: &random)
            let key = (0..<keyCount).map { _ in UInt8.random(in: 0...255, using: &random) }
            let message = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var expected = [UInt8](repeating: 0, count: 32)
            let ok = key.withUnsafeBufferPointer { key in
                message.withUnsafeBufferPointer { message in
                    expected.withUnsafeMutableBufferPointer { out in
                        ga_hmac_sha256_openssl(key.baseAddress, key.count, message.baseAddress, message.count, out.baseAddress)
                    }
                }
            }
            #expect(ok == 1)
            let hmac = HMACKey(secret: key)
            var inPlace = [UInt8](repeating: 0, count: 32)
            message.withUnsafeBufferPointer { message in
                inPlace.withUnsafeMutableBufferPointer { hmac.authenticate(message, into: $0) }
            }
            #expect(hmac.authenticate(message) == expected, "seed \(seed), key \(keyCount), message \(message.count)")
            #expect(inPlace == expected, "seed \(seed), key \(keyCount), message \(message.count)")
        }
    }

    @Test("SHA-256 equals OpenSSL's EVP digest for random messages of 0 to 300 bytes")
    func sha256MatchesEVP() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        for _ in 0..<1_000 {
            let message = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var expected = [UInt8](repeating: 0, count: 32)
            var length: Int = 0
            let ok = message.withUnsafeBufferPointer { message in
                expected.withUnsafeMutableBufferPointer { out in
                    EVP_Q_digest(
                        nil,
                        "SHA256",
                        nil,
                        message.baseAddress ?? UnsafePointer(out.baseAddress!),
                        message.count,
                        out.baseAddress,
                        &length
                    )
                }
            }
            #expect(ok == 1 && length == 32)
            #expect(SHA256.hash(message) == expected, "seed \(seed), message \(message.count)")
        }
    }

    @Test("SHA-256 of 'abc', the empty message and the 448-bit message are the FIPS 180-2 values")
    func sha256Vector() {
        #expect(hex(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
    }

    @Test("HMAC verification refuses a tag with one flipped bit")
    func hmacVerify() {
        let key = HMACKey(secret: SecureRandom.bytes(32))
        var tag = key.authenticate("message")
        #expect(key.verify(tag, for: Array("message".utf8)))
        tag[31] ^= 1
        #expect(!key.verify(tag, for: Array("message".utf8)))
    }

    @Test("Constant-time comparison answers equality and refuses unequal lengths")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.secretsEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.secretsEqual(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test("base64url round-trips every length and refuses padding, foreign characters and non-canonical tails")
    func base64url() {
        for length in 0..<40 {
            let bytes = SecureRandom.bytes(length)
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        #expect(Base64URL.decode("AA==") == nil)
        #expect(Base64URL.decode("A+/B") == nil)
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("AB") == nil)  // trailing bits set: not canonical
        #expect(Base64URL.decode("AA") == [0])
        // RFC 4648 §10's vectors, and one byte of each alphabet end.
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Base64URL.encode(Array(plain.utf8)) == encoded) }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test(
        "base64url decodes as the bit-by-bit decoder it replaced, for every length to 64 and a foreign or altered character at every place"
    )
    func base64urlDecodesAsTheBitwiseDecoder() {
        var generator = SeededGenerator(seed: 0xB64)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let foreign = Array("=+/ .\0\u{7F}".utf8) + [0x80, 0xC3, 0xFF]
        for length in 0...64 {
            for round in 0..<40 {
                var text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                if round % 2 == 1, length > 0 {
                    let place = Int.random(in: 0..<length, using: &generator)
                    text[place] = round % 4 == 1 ? foreign.randomElement(using: &generator)! : alphabet.randomElement(using: &generator)!
                }
                let decoded = Base64URL.decode(String(decoding: text, as: UTF8.self))
                #expect(decoded == Self.bitwiseDecode(text), "\(String(decoding: text, as: UTF8.self))")
                let canonical = decoded != nil && Base64URL.isCanonical(String(decoding: text, as: UTF8.self), byteCount: decoded!.count)
                #expect(canonical == (decoded != nil), "\(String(decoding: text, as: UTF8.self))")
            }
        }
    }

    /// The decoder as written before 2026-11-29: six bits at a time into a
    /// buffer, a byte out whenever eight are there, the leftover bits zero.
    static func bitwiseDecode(_ input: [UInt8]) -> [UInt8]? {
        if input.count % 4 == 1 { return nil }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in input {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        if bits > 0 && (buffer & ((1 << UInt32(bits)) - 1)) != 0 { return nil }
        return output
    }

    @Test("RAND_bytes never repeats a 32-byte value and 6-digit codes are 6 digits")
    func randomness() {
        var seen = Set<[UInt8]>()
        for _ in 0..<1000 { seen.insert(SecureRandom.bytes(32)) }
        #expect(seen.count == 1000)
        for _ in 0..<1000 {
            let code = SecureRandom.decimalCode(digits: 6)
            #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        }
    }

    @Test("uniform(below:) fills every bucket evenly (chi-square well under the 0.999 quantile)")
    func uniformity() {
        let buckets = 10
        let draws = 100_000
        var counts = [Int](repeating: 0, count: buckets)
        for _ in 0..<draws { counts[Int(SecureRandom.uniform(below: UInt32(buckets)))] += 1 }
        let expected = Double(draws) / Double(buckets)
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        #expect(chiSquare < 27.88)  // χ²(9) at p = 0.999
    }

    @Test("Each purpose derives a different subkey from the same keyring key")
    func domainSeparation() throws {
        let keyring = try Keyring(document: .generate())
        let macs = KeyPurpose.allCases.map { keyring.active.mac(for: $0).authenticate("same input") }
        #expect(Set(macs).count == KeyPurpose.allCases.count)
    }
}
