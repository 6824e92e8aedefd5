public import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// `GET /v1/guest/order` and `DELETE /v1/guest/token`, with an access token.
/// Anything wrong with the token is the same 401 `unauthorized`.
public struct GuestController<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    @usableFromInline let app: GuestAccess<Stores, Provider>

    @inlinable public init(_ app: GuestAccess<Stores, Provider>) { self.app = app }

    @inlinable public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("/guest/order", use: order)
            .delete("/guest/token", use: signOut)
    }

    @inlinable @Sendable func order(_ request: Request, context: AppRequestContext) async throws -> OrderDetail {
        do {
            return try await app.readOrder(accessToken: request.headers.bearerToken, logger: context.logger)
        } catch {
            throw APIError(error)
        }
    }

    @inlinable @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        do {
            try await app.signOut(accessToken: request.headers.bearerToken, logger: context.logger)
        } catch {
            throw APIError(error)
        }
        return .noContent
    }
}
