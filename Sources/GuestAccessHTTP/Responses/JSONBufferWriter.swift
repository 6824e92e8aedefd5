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

    @inline(__always)
    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma = false
    }

    @inline(__always)
    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma = true
    }

    /// A key of plain ASCII letters (the views' own), followed by its value.
    /// Its comma, quotes and colon go in with the name in one reservation:
    /// appended one by one, a key was about 100 instructions, and an order's
    /// own object has 29, its addresses more (BENCHMARKS.md, 2026-11-29 evening).
    mutating func key(_ name: StaticString) {
        let comma = needsComma
        name.withUTF8Buffer { name in
            bytes.append(count: name.count + (comma ? 4 : 3)) { out in
                var next = out
                if comma {
                    next.initialize(to: UInt8(ascii: ","))
                    next += 1
                }
                next.initialize(to: UInt8(ascii: "\""))
                (next + 1).initialize(from: name.baseAddress!, count: name.count)
                next += 1 + name.count
                next.initialize(to: UInt8(ascii: "\""))
                (next + 1).initialize(to: UInt8(ascii: ":"))
                return next + 2 - out
            }
        }
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        // The string's own bytes where it has them (every native string, small ones copied to the
        // stack), without the copy `withUTF8` needs as a mutating call.
        if value.utf8.withContiguousStorageIfAvailable({ Self.escape($0, into: &bytes) }) == nil {
            var value = value
            value.withUTF8 { Self.escape($0, into: &bytes) }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Appends `utf8` to `bytes`, escaped as `JSONEncoder` escapes a string's content.
    private static func escape(_ utf8: UnsafeBufferPointer<UInt8>, into bytes: inout GrowableBytes) {
        // Most strings need no escape at all: checked whole, they are one copy.
        guard needsEscape(utf8) else {
            bytes.append(utf8)
            return
        }
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
            case UInt8(ascii: "\""): bytes.append(static: "\\\"")
            case UInt8(ascii: "\\"): bytes.append(static: "\\\\")
            case 0x08: bytes.append(static: "\\b")
            case 0x0C: bytes.append(static: "\\f")
            case 0x0A: bytes.append(static: "\\n")
            case 0x0D: bytes.append(static: "\\r")
            case 0x09: bytes.append(static: "\\t")
            default:
                bytes.append(static: "\\u00")
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0x0F))
            }
            index += 1
            start = index
        }
        if start < utf8.count { bytes.append(UnsafeBufferPointer(rebasing: utf8[start...])) }
    }

    /// Whether any byte of `utf8` is one JSON escapes: eight bytes at a time,
    /// the last eight read again when the length is not a multiple of eight.
    static func needsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let count = utf8.count
        guard count >= 8 else {
            for index in 0..<count {
                let byte = base[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            }
            return false
        }
        var offset = 0
        while offset + 8 <= count {
            if needsEscape(UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)) { return true }
            offset += 8
        }
        return offset < count && needsEscape(UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self))
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

    /// The integer's decimal digits, written from the last without a `String`
    /// (`String(value)` went through `description`, about 200 instructions a
    /// number; an order has sixteen).
    mutating func integer(_ value: Int) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var first = digits.count
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(UnsafeBufferPointer(rebasing: digits[first...]))
        }
        needsComma = true
    }

    mutating func null() {
        separate()
        bytes.append(static: "null")
        needsComma = true
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
