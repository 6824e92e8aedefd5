import NIOCore

/// Writes a response's JSON bytes directly, byte for byte as
/// `JSONResponseEncoder` (Foundation's `JSONEncoder`, sorted keys, slashes
/// unescaped) would, for views of a fixed shape on hot routes: no `Encoder`
/// boxes, no intermediate `Data`. The caller writes keys in sorted order;
/// `JSONBufferWriterTests` holds the bytes to `JSONEncoder`'s on random values.
///
/// The bytes go to an array and into a `ByteBuffer` once, at the end: each
/// of `ByteBuffer`'s small writes checks its storage's uniqueness and
/// capacity, and the order's 980 bytes, written that way, were 9% of the
/// re-fetch route's CPU (BENCHMARKS.md, 2026-11-27 evening).
struct JSONBufferWriter {
    private var bytes: [UInt8]
    private var needsComma = false

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The document written so far, in a buffer of its own.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

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
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index])) }
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
                start = index + 1
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
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
        text.withUTF8 { bytes.append(contentsOf: $0) }
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
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
