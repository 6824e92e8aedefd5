/// Payment status of an order, as the contract names it.
public enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    case unpaid = "UNPAID", paid = "PAID", partiallyPaid = "PARTIALLY_PAID"
    case refunded = "REFUNDED", voided = "VOIDED"
}
