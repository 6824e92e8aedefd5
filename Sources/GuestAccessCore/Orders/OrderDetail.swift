/// The full order as a storefront's provider returns it. Shown whole only
/// after verified access; the public tracking view is built from an allow-list.
///
/// Decoding ignores fields the contract does not name, so a provider's extra
/// data (notes, metadata, payment details) is dropped at the door.
public struct OrderDetail: Codable, Sendable, Equatable {
    public var orderNumber: String
    public var status: OrderStatus
    public var paymentStatus: PaymentStatus
    public var fulfillmentStatus: FulfillmentStatus
    /// ISO 4217.
    public var currency: String
    public var subtotal: Int
    public var shippingAmount: Int
    public var taxAmount: Int
    public var discountAmount: Int
    public var grandTotal: Int
    public var email: String
    public var phone: String?
    public var shippingAddress: PostalAddress?
    public var billingAddress: PostalAddress?
    public var items: [OrderItem]
    public var fulfillments: [Fulfillment]
    /// RFC 3339.
    public var createdAt: String
    /// RFC 3339.
    public var updatedAt: String

    public init(
        orderNumber: String,
        status: OrderStatus,
        paymentStatus: PaymentStatus,
        fulfillmentStatus: FulfillmentStatus,
        currency: String,
        subtotal: Int,
        shippingAmount: Int,
        taxAmount: Int,
        discountAmount: Int,
        grandTotal: Int,
        email: String,
        phone: String?,
        shippingAddress: PostalAddress?,
        billingAddress: PostalAddress?,
        items: [OrderItem],
        fulfillments: [Fulfillment],
        createdAt: String,
        updatedAt: String
    ) {
        self.orderNumber = orderNumber
        self.status = status
        self.paymentStatus = paymentStatus
        self.fulfillmentStatus = fulfillmentStatus
        self.currency = currency
        self.subtotal = subtotal
        self.shippingAmount = shippingAmount
        self.taxAmount = taxAmount
        self.discountAmount = discountAmount
        self.grandTotal = grandTotal
        self.email = email
        self.phone = phone
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.items = items
        self.fulfillments = fulfillments
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
