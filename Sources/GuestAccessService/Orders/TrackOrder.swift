public import GuestAccessCore
public import Logging

/// `GET /v1/tracking/{trackingToken}`: the minimized, masked view of the
/// order a tracking token names. Malformed, unknown, expired and revoked
/// tokens, and tokens whose order the provider no longer knows, are all the
/// same `notFound`.
public struct TrackOrder<Store: TrackingTokenStore, Provider: OrderDetailProvider>: Sendable {
    @usableFromInline let tokens: TrackingTokens<Store>
    @usableFromInline let orders: OrderLookup<Provider>

    @inlinable public func callAsFunction(_ trackingToken: String, logger: Logger) async throws(UseCaseError) -> TrackingView {
        let orderNumber: String?
        do {
            orderNumber = try await tokens.resolve(trackingToken)
        } catch {
            logger.error("tracking lookup failed", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
        guard let orderNumber else { throw .notFound }
        return TrackingView(order: try await orders.order(orderNumber))
    }
}
