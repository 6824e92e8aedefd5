import GuestAccessCore
import Hummingbird
import Logging

/// `GET /v1/tracking/{trackingToken}`: the minimized, masked view.
///
/// Malformed, unknown, expired and revoked tokens, and tokens whose order the
/// provider no longer knows, all get the same 404 body.
public struct TrackingController<Store: TrackingTokenStore, Provider: OrderDetailProvider>: Sendable {
    let tokens: TrackingTokens<Store>
    let provider: Provider
    let logger: Logger

    public init(tokens: TrackingTokens<Store>, provider: Provider, logger: Logger) {
        self.tokens = tokens
        self.provider = provider
        self.logger = logger
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/tracking/{trackingToken}", use: track)
    }

    @Sendable func track(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = context.parameters.get("trackingToken") else { throw APIError.notFound }
        let orderNumber: String?
        do {
            orderNumber = try await tokens.resolve(token)
        } catch {
            logger.error("tracking lookup failed", metadata: ["reason": "\(error)"])
            throw APIError.unavailable
        }
        guard let orderNumber else { throw APIError.notFound }
        let order: OrderDetail?
        do {
            order = try await provider.order(number: orderNumber)
        } catch {
            throw APIError.unavailable
        }
        guard let order else { throw APIError.notFound }
        return try JSONResponse.make(TrackingView(order: order))
    }
}
