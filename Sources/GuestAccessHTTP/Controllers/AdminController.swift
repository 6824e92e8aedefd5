import Foundation
import GuestAccessCore
import Hummingbird
import Logging

/// Service-to-service routes for storefront backends, behind `AdminAuthMiddleware`:
/// minting tracking tokens and revoking an order's access (its tracking
/// tokens, pending codes and every access token issued so far).
public struct AdminController<Store: TrackingTokenStore, Codes: AccessCodeStore, Provider: OrderDetailProvider>: Sendable {
    let tokens: TrackingTokens<Store>
    let store: Store
    let codes: Codes
    let provider: Provider
    let json: JSONRequest
    let clock: any WallClock
    let logger: Logger
    let audit: AuditLog

    public init(
        tokens: TrackingTokens<Store>, store: Store, codes: Codes, provider: Provider, json: JSONRequest,
        clock: any WallClock, logger: Logger, audit: AuditLog
    ) {
        self.tokens = tokens
        self.store = store
        self.codes = codes
        self.provider = provider
        self.json = json
        self.clock = clock
        self.logger = logger
        self.audit = audit
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/tracking-tokens", use: mint)
        group.post("/orders/{orderNumber}/revoke", use: revoke)
    }

    struct MintRequest: Decodable, StrictlyKeyed {
        static var knownKeys: Set<String> { ["orderNumber"] }
        let orderNumber: String
    }

    struct MintResponse: Encodable {
        let trackingToken: String
    }

    @Sendable func mint(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await json.decode(MintRequest.self, from: request)
        guard OrderNumber.isWellFormed(body.orderNumber) else { throw APIError.invalidRequest("orderNumber is not well-formed.") }
        let order: OrderDetail?
        do { order = try await provider.order(number: body.orderNumber) } catch { throw APIError.unavailable }
        guard order != nil else { throw APIError.notFound }
        do {
            let token = try await tokens.mint(orderNumber: body.orderNumber)
            await audit.record(.trackingTokenMinted, orderNumber: body.orderNumber)
            logger.info("tracking token minted", metadata: ["request_id": "\(context.requestID)"])
            return try JSONResponse.make(MintResponse(trackingToken: token), status: .created)
        } catch let error as StoreError {
            logger.error("tracking token mint failed", metadata: ["reason": "\(error)"])
            throw APIError.unavailable
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let orderNumber = context.parameters.get("orderNumber"), OrderNumber.isWellFormed(orderNumber) else {
            throw APIError.invalidRequest("orderNumber is not well-formed.")
        }
        do {
            let clock = clock
            try await codes.revokeOrder(orderNumber) { clock.now() }
        } catch {
            logger.error("order revoke failed", metadata: ["reason": "\(error)"])
            throw APIError.unavailable
        }
        await audit.record(.orderRevoked, orderNumber: orderNumber)
        logger.info("order access revoked", metadata: ["request_id": "\(context.requestID)"])
        return Response(status: .noContent)
    }
}
