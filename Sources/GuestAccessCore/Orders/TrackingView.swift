/// The minimized public view served for a tracking token.
///
/// Built field by field from an allow-list: nothing reaches it unless named
/// here. No street, postal code, region, recipient, phone, full email, billing,
/// per-item price, notes or metadata, because the token travels in URLs and emails.
public struct TrackingView: Encodable, Sendable, Equatable {
    /// One item as the public may see it: no SKU, no prices.
    public struct Item: Encodable, Sendable, Equatable {
        public let name: String
        public let quantity: Int
        public let imageUrl: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(quantity, forKey: .quantity)
            try container.encode(imageUrl, forKey: .imageUrl)
        }

        enum CodingKeys: String, CodingKey { case name, quantity, imageUrl }
    }

    public let orderNumber: String
    public let status: OrderStatus
    public let paymentStatus: PaymentStatus
    public let fulfillmentStatus: FulfillmentStatus
    public let currency: String
    public let grandTotal: Int
    public let emailMasked: String
    public let shippingCity: String?
    public let shippingCountry: String?
    public let items: [Item]
    public let createdAt: String

    /// The allow-list itself.
    public init(order: OrderDetail) {
        orderNumber = order.orderNumber
        status = order.status
        paymentStatus = order.paymentStatus
        fulfillmentStatus = order.fulfillmentStatus
        currency = order.currency
        grandTotal = order.grandTotal
        emailMasked = EmailMask.mask(order.email)
        shippingCity = order.shippingAddress?.city
        shippingCountry = order.shippingAddress?.country
        items = order.items.map { Item(name: $0.name, quantity: $0.quantity, imageUrl: $0.imageUrl) }
        createdAt = order.createdAt
    }

    /// Every field always present (null when absent), so the shape never varies.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orderNumber, forKey: .orderNumber)
        try container.encode(status, forKey: .status)
        try container.encode(paymentStatus, forKey: .paymentStatus)
        try container.encode(fulfillmentStatus, forKey: .fulfillmentStatus)
        try container.encode(currency, forKey: .currency)
        try container.encode(grandTotal, forKey: .grandTotal)
        try container.encode(emailMasked, forKey: .emailMasked)
        try container.encode(shippingCity, forKey: .shippingCity)
        try container.encode(shippingCountry, forKey: .shippingCountry)
        try container.encode(items, forKey: .items)
        try container.encode(createdAt, forKey: .createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case orderNumber, status, paymentStatus, fulfillmentStatus, currency, grandTotal
        case emailMasked, shippingCity, shippingCountry, items, createdAt
    }
}
