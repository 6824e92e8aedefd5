/// Fulfillment status of an order, as the contract names it.
public enum FulfillmentStatus: String, Codable, Sendable, CaseIterable {
    case unfulfilled = "UNFULFILLED", partiallyFulfilled = "PARTIALLY_FULFILLED", fulfilled = "FULFILLED"
}
