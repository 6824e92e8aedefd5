/// Lifecycle status of an order, as the contract names it.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING", confirmed = "CONFIRMED", processing = "PROCESSING"
    case shipped = "SHIPPED", delivered = "DELIVERED", cancelled = "CANCELLED", refunded = "REFUNDED"
}
