/// One line of an order. Prices stay in the verified view only.
public struct OrderItem: Codable, Sendable, Equatable {
    public var name: String
    public var sku: String?
    public var quantity: Int
    /// Minor units.
    public var unitPrice: Int
    /// Minor units.
    public var total: Int
    public var imageUrl: String?

    public init(name: String, sku: String? = nil, quantity: Int, unitPrice: Int, total: Int, imageUrl: String? = nil) {
        self.name = name
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.total = total
        self.imageUrl = imageUrl
    }
}
