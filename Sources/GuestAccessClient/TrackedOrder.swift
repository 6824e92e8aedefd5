/// The minimized, masked view of `orders.track`: never the address, phone or full email.
public struct TrackedOrder: Decodable, Sendable, Equatable {
    public struct Item: Decodable, Sendable, Equatable {
        public let name: String
        public let quantity: Int
        public let imageUrl: String?
    }

    public let orderNumber: String
    public let status: String
    public let paymentStatus: String
    public let fulfillmentStatus: String
    public let currency: String
    /// Minor units (cents) of `currency`.
    public let grandTotal: Int
    /// `j***@e***.com`: fixed width, so it leaks neither length nor full domain.
    public let emailMasked: String
    public let shippingCity: String?
    public let shippingCountry: String?
    public let items: [Item]
    public let createdAt: String
}
