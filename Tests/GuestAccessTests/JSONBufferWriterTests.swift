import Foundation
import GuestAccessCore
import NIOCore
import Testing

@testable import GuestAccessHTTP

@Suite("The tracking view written straight into the response buffer")
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

    @Test("On random orders the written bytes are exactly JSONEncoder's with sorted keys and unescaped slashes")
    func bytesMatchTheEncoder() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        for round in 0..<2000 {
            var order = Fixtures.order(
                Self.randomString(&random),
                email: Self.randomString(&random) + "@" + Self.randomString(&random),
                city: Self.randomString(&random),
                country: Self.randomString(&random),
                status: OrderStatus.allCases.randomElement(using: &random)!,
                items: Int.random(in: 0...3, using: &random)
            )
            order = OrderDetail(
                orderNumber: order.orderNumber,
                status: order.status,
                paymentStatus: PaymentStatus.allCases.randomElement(using: &random)!,
                fulfillmentStatus: FulfillmentStatus.allCases.randomElement(using: &random)!,
                currency: Self.randomString(&random),
                subtotal: order.subtotal,
                shippingAmount: order.shippingAmount,
                taxAmount: order.taxAmount,
                discountAmount: order.discountAmount,
                grandTotal: Int.random(in: Int.min...Int.max, using: &random),
                email: order.email,
                phone: order.phone,
                shippingAddress: Bool.random(using: &random) ? order.shippingAddress : nil,
                billingAddress: order.billingAddress,
                items: order.items.map {
                    OrderItem(
                        name: Self.randomString(&random),
                        sku: $0.sku,
                        quantity: Int.random(in: -5...1_000_000, using: &random),
                        unitPrice: $0.unitPrice,
                        total: $0.total,
                        imageUrl: Bool.random(using: &random) ? Self.randomString(&random) : nil
                    )
                },
                fulfillments: order.fulfillments,
                createdAt: Self.randomString(&random),
                updatedAt: order.updatedAt
            )
            let view = TrackingView(order: order)
            let expected = try JSONResponseEncoder.encoder.encode(view)
            let written = view.jsonBuffer()
            #expect(Array(written.readableBytesView) == Array(expected), "seed \(seed), round \(round)")
        }
    }
}
