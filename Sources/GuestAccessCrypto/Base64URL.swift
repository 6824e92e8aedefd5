/// Unpadded base64url (RFC 4648 §5), strict: decoding refuses padding, foreign
/// characters and non-canonical trailing bits, so one value has one spelling.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Encodes without padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { input in
            String(unsafeUninitializedCapacity: encodedCount(input.count)) { encode(input, into: $0) }
        }
    }

    /// The length of `count` bytes encoded without padding.
    public static func encodedCount(_ count: Int) -> Int { (count * 4 + 2) / 3 }

    /// Encodes `input` without padding into `output`, which holds at least
    /// `encodedCount(input.count)` bytes; the number written. For callers that
    /// write an encoding straight into its string, with no array between.
    public static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(output.count >= encodedCount(input.count), "the output holds the encoding")
        var written = 0
        func put(_ n: UInt32, _ shift: UInt32) {
            output[written] = alphabet[Int((n >> shift) & 63)]
            written += 1
        }
        var index = 0
        while index + 3 <= input.count {
            let n = (UInt32(input[index]) << 16) | (UInt32(input[index + 1]) << 8) | UInt32(input[index + 2])
            put(n, 18)
            put(n, 12)
            put(n, 6)
            put(n, 0)
            index += 3
        }
        let rest = input.count - index
        if rest == 1 {
            let n = UInt32(input[index]) << 16
            put(n, 18)
            put(n, 12)
        } else if rest == 2 {
            let n = (UInt32(input[index]) << 16) | (UInt32(input[index + 1]) << 8)
            put(n, 18)
            put(n, 12)
            put(n, 6)
        }
        return written
    }

    /// Decodes, or nil for anything that is not canonical unpadded base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        var canonical = true
        let out = chars.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: chars.count * 3 / 4) { output, count in
                guard let written = decode(input, into: output) else {
                    canonical = false
                    count = 0
                    return
                }
                count = written
            }
        }
        return canonical ? out : nil
    }

    /// Decodes `input` into `output` in place, strict as `decode`; the number
    /// of bytes written, or nil for anything not canonical or too long for `output`.
    ///
    /// Four characters to three bytes a step, the table read through one
    /// pointer: a character at a time, each read of the static table through
    /// its accessor, this was about 3% of a re-fetch's instructions
    /// (BENCHMARKS.md, 2026-11-29 afternoon). `CryptoTests` holds it to the
    /// bit-by-bit decoder it replaced.
    public static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        if input.count % 4 == 1 || input.count * 3 / 4 > output.count { return nil }
        return reverse.withUnsafeBufferPointer { table -> Int? in
            var written = 0
            var index = 0
            while index + 4 <= input.count {
                let (a, b, c, d) = (
                    table[Int(input[index])], table[Int(input[index + 1])], table[Int(input[index + 2])], table[Int(input[index + 3])]
                )
                // A foreign character reads 0xFF; every alphabet value is below 64.
                if (a | b | c | d) & 0xC0 != 0 { return nil }
                let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output[written] = UInt8(truncatingIfNeeded: n >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: n >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: n)
                written += 3
                index += 4
            }
            // Two or three characters left make one or two bytes; the bits left over must be zero,
            // or two spellings would decode alike.
            switch input.count - index {
            case 2:
                let (a, b) = (table[Int(input[index])], table[Int(input[index + 1])])
                if (a | b) & 0xC0 != 0 || b & 0x0F != 0 { return nil }
                output[written] = a << 2 | b >> 4
                written += 1
            case 3:
                let (a, b, c) = (table[Int(input[index])], table[Int(input[index + 1])], table[Int(input[index + 2])])
                if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 { return nil }
                output[written] = a << 2 | b >> 4
                output[written + 1] = b << 4 | c >> 2
                written += 2
            default:
                break
            }
            return written
        }
    }

    /// Whether `text` is canonical unpadded base64url of exactly `byteCount`
    /// bytes, checked without decoding into memory.
    public static func isCanonical(_ text: String, byteCount: Int) -> Bool {
        var text = text
        return text.withUTF8 { isCanonical($0, byteCount: byteCount) }
    }

    /// `isCanonical` over UTF-8 bytes in place (a token's after its prefix).
    /// Not generic: a generic collection, unspecialized across modules, cost
    /// twice what decoding into an array did (`instructions_per_request.py`).
    public static func isCanonical(_ chars: UnsafeBufferPointer<UInt8>, byteCount: Int) -> Bool {
        guard chars.count == (byteCount * 4 + 2) / 3 else { return false }
        var last: UInt8 = 0
        let foreign = reverse.withUnsafeBufferPointer { table in
            chars.contains { char in
                last = table[Int(char)]
                return last == 0xFF
            }
        }
        if foreign { return false }
        // The unused low bits of the last character must be zero.
        let unusedBits = (chars.count * 6) - byteCount * 8
        return unusedBits == 0 || last & UInt8((1 << unusedBits) - 1) == 0
    }
}
