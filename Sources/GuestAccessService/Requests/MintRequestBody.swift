public import GuestAccessCore

/// `POST /v1/admin/tracking-tokens` body.
public struct MintRequestBody: Codable, Sendable, Equatable, StrictlyKeyed {
    public static var knownKeys: Set<String> { ["orderNumber"] }

    public let orderNumber: String

    public init(orderNumber: String) { self.orderNumber = orderNumber }
}
