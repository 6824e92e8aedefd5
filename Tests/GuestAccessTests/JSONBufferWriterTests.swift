import Foundation
import GuestAccessCore
import HTTPTypes
import NIOCore
import Testing

@testable import GuestAccessHTTP

@Suite("Answers written straight into the response buffer")
struct JSONBufferWriterTests {
    /// Strings an order provider might send: quotes, backslashes, slashes,
    /// every control character, DEL, non-ASCII, combining marks, emoji.
    static func randomString(_ random: inout SeededGenerator) -> String {
        let pieces: [String] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "'", "\u{7F}", "é", "e\u{301}", "\u{2028}", "\u{2029}",
            "\u{FEFF}", "😀", "👍🏽", "中", "\u{10FFFF}", "\u{0}",
        ]
        let controls = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        return (0..<Int.random(in: 0...12, using: &random)).map { _ in
            Bool.random(using: &random) ? pieces.randomElement(using: &random)! : controls.randomElement(using: &random)!
        }.joined()
    }

    static func maybe(_ random: inout SeededGenerator) -> String? {
        Bool.random(using: &random) ? randomString(&random) : nil
    }

    static func address(_ random: inout SeededGenerator) -> PostalAddress? {
        guard Bool.random(using: &random) else { return nil }
        return PostalAddress(
            name: randomString(&random),
            line1: randomString(&random),
            line2: maybe(&random),
            city: randomString(&random),
            region: maybe(&random),
            postalCode: maybe(&random),
            country: randomString(&random)
        )
    }

    /// An order with every string random and every optional present or not.
    static func randomOrder(_ random: inout SeededGenerator) -> OrderDetail {
        OrderDetail(
            orderNumber: randomString(&random),
            status: OrderStatus.allCases.randomElement(using: &random)!,
            paymentStatus: PaymentStatus.allCases.randomElement(using: &random)!,
            fulfillmentStatus: FulfillmentStatus.allCases.randomElement(using: &random)!,
            currency: randomString(&random),
            subtotal: Int.random(in: Int.min...Int.max, using: &random),
            shippingAmount: Int.random(in: -1000...1000, using: &random),
            taxAmount: Int.random(in: 0...1_000_000, using: &random),
            discountAmount: Int.random(in: 0...1_000_000, using: &random),
            grandTotal: Int.random(in: Int.min...Int.max, using: &random),
            email: randomString(&random) + "@" + randomString(&random),
            phone: maybe(&random),
            shippingAddress: address(&random),
            billingAddress: address(&random),
            items: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                OrderItem(
                    name: randomString(&random),
                    sku: maybe(&random),
                    quantity: Int.random(in: -5...1_000_000, using: &random),
                    unitPrice: Int.random(in: 0...100_000, using: &random),
                    total: Int.random(in: 0...100_000_000, using: &random),
                    imageUrl: maybe(&random)
                )
            },
            fulfillments: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                Fulfillment(
                    status: randomString(&random),
                    carrier: maybe(&random),
                    trackingNumber: maybe(&random),
                    trackingUrl: maybe(&random),
                    shippedAt: maybe(&random),
                    deliveredAt: maybe(&random)
                )
            },
            createdAt: randomString(&random),
            updatedAt: randomString(&random)
        )
    }

    @Test("On random orders the tracking view's bytes are exactly JSONEncoder's with sorted keys and unescaped slashes")
    func trackingViewBytesMatchTheEncoder() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        for round in 0..<2000 {
            let view = TrackingView(order: Self.randomOrder(&random))
            let expected = try JSONResponseEncoder.encoder.encode(view)
            #expect(Array(view.jsonBuffer().readableBytesView) == Array(expected), "seed \(seed), round \(round)")
        }
    }

    @Test("On random orders the full order's bytes are exactly JSONEncoder's, absent optionals left out")
    func orderBytesMatchTheEncoder() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        for round in 0..<2000 {
            let order = Self.randomOrder(&random)
            let expected = try JSONResponseEncoder.encoder.encode(order)
            var json = JSONBufferWriter(capacity: 256)
            order.write(to: &json)
            #expect(
                Array(json.buffer.readableBytesView) == Array(expected),
                "seed \(seed), round \(round):\n\(String(buffer: json.buffer))\n\(String(decoding: expected, as: UTF8.self))"
            )
        }
    }

    /// The envelope as `JSONEncoder` wrote it before the error bodies were written by hand.
    struct Envelope: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
    }

    @Test("Every error envelope's bytes are exactly JSONEncoder's, for the fixed errors and random messages")
    func errorEnvelopeBytesMatchTheEncoder() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        let fixed: [APIError] = [
            .unauthorized, .notFound, .payloadTooLarge, .unsupportedMediaType, .unavailable, .invalidCode, .internalError,
            .invalidRequest(), .methodNotAllowed(allow: [.get, .head]), .rateLimited(retryAfter: 3),
        ]
        let generated = (0..<2000).map { _ in
            APIError(status: .badRequest, code: Self.randomString(&random), message: Self.randomString(&random))
        }
        for error in fixed + generated {
            let expected = try JSONResponseEncoder.encoder.encode(Envelope(error: .init(code: error.code, message: error.message)))
            #expect(Array(error.bodyBuffer.readableBytesView) == Array(expected), "seed \(seed): \(error.code) \(error.message)")
        }
    }

    @Test("A byte JSON escapes is escaped at every offset of runs longer than the eight bytes scanned at once, and its neighbours are not")
    func escapesAtEveryOffsetMatchTheEncoder() throws {
        let escaped = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\"", "\\"]
        let neighbours = [" ", "!", "#", "[", "]", "/", "\u{7F}", "é", "😀", "\u{2028}"]
        for special in escaped + neighbours {
            for length in 0..<20 {
                for offset in 0...length {
                    let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: length - offset)
                    var json = JSONBufferWriter(capacity: 8)
                    json.string(text)
                    #expect(
                        Array(json.buffer.readableBytesView) == Array(try JSONResponseEncoder.encoder.encode(text)),
                        "\(text.debugDescription)"
                    )
                }
            }
        }
        let word = { (bytes: [UInt8]) in bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        for byte in UInt8.min...UInt8.max {
            for place in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[place] = byte
                #expect(JSONBufferWriter.needsEscape(word(bytes)) == (byte < 0x20 || byte == 0x22 || byte == 0x5C), "\(byte) at \(place)")
            }
        }
    }

    @Test("Integers at every power of ten and its neighbours, both signs, and both ends of Int, are written as JSONEncoder writes them")
    func integersMatchTheEncoder() throws {
        var values = [0, 1, -1, Int.max, Int.min, Int.min + 1]
        var power = 1
        while power <= Int.max / 10 {
            power *= 10
            values += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
        }
        for value in values {
            var json = JSONBufferWriter(capacity: 1)
            json.integer(value)
            #expect(Array(json.buffer.readableBytesView) == Array(try JSONResponseEncoder.encoder.encode(value)), "\(value)")
        }
    }

    @Test("One-character keys, empty strings, negative integers, nulls and nested arrays come out as JSONEncoder writes them")
    func edgeShapesMatchTheEncoder() throws {
        struct Shape: Encodable {
            let a: [Int]
            let b: String
            let c: Int?
            let d: [[String: String]]
        }
        var json = JSONBufferWriter(capacity: 8)
        json.beginObject()
        json.key("a")
        json.beginArray()
        json.integer(-42)
        json.integer(Int.min)
        json.endArray()
        json.key("b")
        json.string("")
        json.key("c")
        json.null()
        json.key("d")
        json.beginArray()
        json.beginObject()
        json.key("e")
        json.string("\u{1}\"\\")
        json.endObject()
        json.beginObject()
        json.endObject()
        json.endArray()
        json.endObject()
        struct Explicit: Encodable {
            let shape: Shape
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(shape.a, forKey: .a)
                try container.encode(shape.b, forKey: .b)
                try container.encodeNil(forKey: .c)
                try container.encode(shape.d, forKey: .d)
            }
            enum Key: String, CodingKey { case a, b, c, d }
        }
        let expected = try JSONResponseEncoder.encoder.encode(
            Explicit(shape: Shape(a: [-42, Int.min], b: "", c: nil, d: [["e": "\u{1}\"\\"], [:]]))
        )
        #expect(Array(json.buffer.readableBytesView) == Array(expected))
    }
}
