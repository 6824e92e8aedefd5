public import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// Service-to-service routes for storefront backends, behind `AdminAuthMiddleware`:
/// minting tracking tokens and revoking an order's access.
public struct AdminController<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    let app: GuestAccess<Stores, Provider>

    public init(_ app: GuestAccess<Stores, Provider>) { self.app = app }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("/tracking-tokens", use: mint)
            .post("/orders/{orderNumber}/revoke", use: revoke)
    }

    @Sendable func mint(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MintResponse> {
        let body = try await request.decode(as: MintRequestBody.self, context: context)
        do {
            let token = try await app.mintTrackingToken(body, logger: context.logger)
            return EditedResponse(status: .created, response: MintResponse(trackingToken: token))
        } catch {
            throw APIError(error)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        do {
            try await app.revokeOrder(orderNumber: context.parameters.get("orderNumber") ?? "", logger: context.logger)
        } catch {
            throw APIError(error)
        }
        return .noContent
    }
}
