public import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// `GET /v1/tracking/{trackingToken}`: the minimized, masked view. Every
/// token that leads nowhere gets the same 404 body.
public struct TrackingController<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    @usableFromInline let app: GuestAccess<Stores, Provider>

    @inlinable public init(_ app: GuestAccess<Stores, Provider>) { self.app = app }

    @inlinable public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("/tracking/{trackingToken}", use: track)
    }

    @inlinable @Sendable func track(_ request: Request, context: AppRequestContext) async throws -> TrackingView {
        guard let token = context.parameters.get("trackingToken") else { throw APIError.notFound }
        return try await track(token: token, context: context)
    }

    /// The route's work once the token is read: the router's route and
    /// `ServiceResponder` (through `ReadHandlers`) both end here.
    @inlinable func track(token: String, context: AppRequestContext) async throws -> TrackingView {
        do {
            return try await app.trackOrder(token, logger: context.logger)
        } catch {
            throw APIError(error)
        }
    }
}
