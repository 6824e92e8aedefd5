import NIOCore

/// Writes a response's JSON bytes directly, byte for byte as
/// `JSONResponseEncoder` (Foundation's `JSONEncoder`, sorted keys, slashes
/// unescaped) would, for views of a fixed shape on hot routes: no `Encoder`
/// boxes, no intermediate `Data`. The caller writes keys in sorted order;
/// `JSONBufferWriterTests` holds the bytes to `JSONEncoder`'s on random values.
///
/// The bytes go to memory of the writer's own (`GrowableBytes`) and into a
/// `ByteBuffer` once, at the end: each of `ByteBuffer`'s small writes checks
/// its storage's uniqueness and capacity, and the order's 980 bytes, written
/// that way, were 9% of the re-fetch route's CPU (BENCHMARKS.md, 2026-11-27
/// evening).
struct JSONBufferWriter: ~Copyable {
    private var bytes: GrowableBytes
    private var needsComma = false

    init(capacity: Int) {
        bytes = GrowableBytes(capacity: capacity)
    }

    /// The document written so far, in a buffer of its own.
    var buffer: ByteBuffer { bytes.withBytes { ByteBuffer(bytes: $0) } }

    mutating func beginObject() { open(UInt8(ascii: "{")) }

    mutating func endObject() { close(UInt8(ascii: "}")) }

    mutating func beginArray() { open(UInt8(ascii: "[")) }

    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma = true
    }

    /// A key of plain ASCII letters (the views' own), followed by its value.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        write(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            var index = 0
            while index < utf8.count {
                // Eight bytes at a time past a run that needs no escape: byte by byte, the scan was
                // about 2,000 instructions of a tracking view (BENCHMARKS.md, 2026-11-29 afternoon).
                if index + 8 <= utf8.count,
                    !Self.needsEscape(UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self))
                {
                    index += 8
                    continue
                }
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    index += 1
                    continue
                }
                if start < index { bytes.append(UnsafeBufferPointer(rebasing: utf8[start..<index])) }
                switch byte {
                case UInt8(ascii: "\""): write("\\\"")
                case UInt8(ascii: "\\"): write("\\\\")
                case 0x08: write("\\b")
                case 0x0C: write("\\f")
                case 0x0A: write("\\n")
                case 0x0D: write("\\r")
                case 0x09: write("\\t")
                default:
                    write("\\u00")
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0x0F))
                }
                index += 1
                start = index
            }
            if start < utf8.count { bytes.append(UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Whether any of the eight bytes in `word` is one JSON escapes: below
    /// 0x20, `"` or `\`. Each test is the classic has-zero-byte one
    /// (`(x - 0x01…) & ~x & 0x80…`), on the word itself for "below 0x20" and on
    /// the word XOR the byte for the other two; as a yes or no it is exact (a
    /// borrow can only mark bytes after a byte that truly matched), and bytes
    /// from 0x80 up never match, so UTF-8's multi-byte sequences pass.
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let below = (word &- ones &* 0x20) & ~word
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        return (below | isQuote | isBackslash) & highs != 0
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A key and its string, or nothing when absent (as `encodeIfPresent`).
    mutating func field(_ name: StaticString, ifPresent value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func integer(_ value: Int) {
        separate()
        var text = String(value)
        text.withUTF8 { bytes.append($0) }
        needsComma = true
    }

    mutating func null() {
        separate()
        write("null")
        needsComma = true
    }

    private mutating func write(_ text: StaticString) {
        // `withUTF8Buffer`, not `utf8Start`: `utf8Start` requires a pointer representation, which a
        // `StaticString` made from a single Unicode scalar lacks; this one reads either form.
        text.withUTF8Buffer { bytes.append($0) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
