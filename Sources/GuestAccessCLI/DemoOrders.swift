import Foundation

/// Demo orders for `guest-access demo`: the contract's example and the email
/// shapes the mask must handle (one-letter local part, subdomains, IDN).
enum DemoOrders {
    static let json = #"""
        [
          {
            "orderNumber": "ORD-2026-0042", "status": "SHIPPED", "paymentStatus": "PAID",
            "fulfillmentStatus": "FULFILLED", "currency": "USD",
            "subtotal": 5998, "shippingAmount": 599, "taxAmount": 0, "discountAmount": 1200, "grandTotal": 5397,
            "email": "jane.doe@example.com", "phone": "+1 503 555 0100",
            "shippingAddress": { "name": "Jane Doe", "line1": "123 Main St", "line2": "Apt 4B",
                                 "city": "Portland", "region": "OR", "postalCode": "97201", "country": "US" },
            "billingAddress": { "name": "Jane Doe", "line1": "123 Main St", "line2": "Apt 4B",
                                "city": "Portland", "region": "OR", "postalCode": "97201", "country": "US" },
            "items": [ { "name": "Classic T-Shirt", "sku": "CT-WHT-M", "quantity": 2, "unitPrice": 2999,
                         "total": 5998, "imageUrl": "https://shop.example.com/media/ct-white.png" } ],
            "fulfillments": [ { "status": "SHIPPED", "carrier": "UPS", "trackingNumber": "1Z999AA10123456784",
                                "trackingUrl": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
                                "shippedAt": "2026-03-24T09:00:00Z", "deliveredAt": null } ],
            "createdAt": "2026-03-23T14:30:00Z", "updatedAt": "2026-03-24T09:00:00Z"
          },
          {
            "orderNumber": "ORD-2026-0043", "status": "PROCESSING", "paymentStatus": "PAID",
            "fulfillmentStatus": "UNFULFILLED", "currency": "EUR",
            "subtotal": 4500, "shippingAmount": 490, "taxAmount": 855, "discountAmount": 0, "grandTotal": 5845,
            "email": "renée.müller@bücher.example.de", "phone": "+49 30 5550 1234",
            "shippingAddress": { "name": "Renée Müller", "line1": "Torstraße 1", "city": "Berlin",
                                 "postalCode": "10119", "country": "DE" },
            "billingAddress": null,
            "items": [ { "name": "Notebook A5", "sku": "NB-A5", "quantity": 3, "unitPrice": 1500, "total": 4500 } ],
            "fulfillments": [],
            "createdAt": "2026-11-20T08:15:00Z", "updatedAt": "2026-11-20T08:15:00Z"
          },
          {
            "orderNumber": "ORD-2026-0044", "status": "DELIVERED", "paymentStatus": "PAID",
            "fulfillmentStatus": "FULFILLED", "currency": "GBP",
            "subtotal": 12000, "shippingAmount": 0, "taxAmount": 2400, "discountAmount": 0, "grandTotal": 14400,
            "email": "a@mail.shop.example.co.uk", "phone": null,
            "shippingAddress": { "name": "A. Smith", "line1": "1 High Street", "city": "Leeds",
                                 "region": "West Yorkshire", "postalCode": "LS1 1AA", "country": "GB" },
            "billingAddress": null,
            "items": [ { "name": "Walking Boots", "sku": "WB-42", "quantity": 1, "unitPrice": 12000, "total": 12000,
                         "imageUrl": "https://shop.example.co.uk/img/wb.png" } ],
            "fulfillments": [ { "status": "DELIVERED", "carrier": "Royal Mail", "trackingNumber": "RM123456789GB",
                                "shippedAt": "2026-11-02T10:00:00Z", "deliveredAt": "2026-11-04T13:20:00Z" } ],
            "createdAt": "2026-11-01T17:45:00Z", "updatedAt": "2026-11-04T13:20:00Z"
          }
        ]
        """#
}

extension DemoOrders {
    /// The email on record of a demo order, for the lines the demo prints.
    static func email(of orderNumber: String) -> String {
        guard let orders = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]],
            let order = orders.first(where: { $0["orderNumber"] as? String == orderNumber })
        else { return "" }
        return order["email"] as? String ?? ""
    }
}
