/// A shipment of (part of) an order.
public struct Fulfillment: Codable, Sendable, Equatable {
    public var status: String
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingUrl: String?
    /// RFC 3339.
    public var shippedAt: String?
    /// RFC 3339.
    public var deliveredAt: String?

    public init(
        status: String,
        carrier: String? = nil,
        trackingNumber: String? = nil,
        trackingUrl: String? = nil,
        shippedAt: String? = nil,
        deliveredAt: String? = nil
    ) {
        self.status = status
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.trackingUrl = trackingUrl
        self.shippedAt = shippedAt
        self.deliveredAt = deliveredAt
    }
}
