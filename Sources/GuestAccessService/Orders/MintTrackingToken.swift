public import GuestAccessCore
public import Logging

/// `POST /v1/admin/tracking-tokens`: a storefront backend mints the link for
/// a confirmation email. Only for an order the provider knows.
public struct MintTrackingToken<Store: TrackingTokenStore, Provider: OrderDetailProvider>: Sendable {
    let tokens: TrackingTokens<Store>
    let orders: OrderLookup<Provider>
    let audit: AuditLog

    /// The new token (shown once; only its digest is kept).
    public func callAsFunction(_ body: MintRequestBody, logger: Logger) async throws(UseCaseError) -> String {
        guard OrderNumber.isWellFormed(body.orderNumber) else { throw .invalidRequest("orderNumber is not well-formed.") }
        _ = try await orders.order(body.orderNumber)
        let token: String
        do {
            token = try await tokens.mint(orderNumber: body.orderNumber)
        } catch {
            logger.error("tracking token mint failed", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
        await audit.record(.trackingTokenMinted, orderNumber: body.orderNumber)
        logger.info("tracking token minted")
        return token
    }
}
