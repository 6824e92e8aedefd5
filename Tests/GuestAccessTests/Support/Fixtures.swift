import Foundation
import GuestAccessCore
import GuestAccessPolicy

@testable import GuestAccessService

/// Orders whose every sensitive field holds a value that must never appear
/// in a tracking view or a log line.
enum Fixtures {
    static func order(
        _ number: String,
        email: String,
        city: String = "Portland",
        country: String = "US",
        status: OrderStatus = .shipped,
        items: Int = 1
    ) -> OrderDetail {
        OrderDetail(
            orderNumber: number,
            status: status,
            paymentStatus: .paid,
            fulfillmentStatus: .fulfilled,
            currency: "USD",
            subtotal: 5998,
            shippingAmount: 599,
            taxAmount: 0,
            discountAmount: 1200,
            grandTotal: 5397,
            email: email,
            phone: "+1 503 555 0199",
            shippingAddress: PostalAddress(
                name: "Secret Recipient \(number)",
                line1: "742 Evergreen Terrace",
                line2: "Apt 9Z",
                city: city,
                region: "ZZ-REGION",
                postalCode: "99999-0000",
                country: country
            ),
            billingAddress: PostalAddress(
                name: "Billing Person",
                line1: "1 Billing Plaza",
                city: "Billtown",
                region: "BR",
                postalCode: "11111",
                country: "CA"
            ),
            items: (0..<items).map {
                OrderItem(
                    name: "Item \($0)",
                    sku: "SKU-SECRET-\($0)",
                    quantity: $0 + 1,
                    unitPrice: 7777,
                    total: 7777 * ($0 + 1),
                    imageUrl: "https://img.example.com/\($0).png"
                )
            },
            fulfillments: [Fulfillment(status: "SHIPPED", carrier: "UPS", trackingNumber: "1ZSECRET", shippedAt: "2026-03-24T09:00:00Z")],
            createdAt: "2026-03-23T14:30:00Z",
            updatedAt: "2026-03-24T09:00:00Z"
        )
    }

    static let orders: [OrderDetail] = [
        order("ORD-2026-0042", email: "jane.doe@example.com"),
        order("ORD-2026-0043", email: "x@mail.shop.example.co.uk", city: "Leeds", country: "GB", status: .delivered, items: 3),
        order("ORD-2026-0044", email: "renée.müller@bücher.example.de", city: "Berlin", country: "DE", status: .processing, items: 2),
        order("ORD-2026-0045", email: "Bob.Smith@Localhost", city: "Lyon", country: "FR", status: .pending),
    ]

    static func json(_ orders: [OrderDetail]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(orders)
    }
}
