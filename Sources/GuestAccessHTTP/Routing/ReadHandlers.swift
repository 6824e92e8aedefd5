public import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// The work of the two reads' routes once `ServiceResponder` has recognised
/// them: the `/v1` group's rate limit, then the same controller function the
/// router's route calls. It repeats the `/v1` group's middleware by hand:
/// a middleware added to that group in `buildRouter` must be added here too,
/// or plain-form reads would skip it (`ReadRoutesTests` compares the two
/// forms' answers, so one that changes an answer would show there).
@usableFromInline
struct ReadHandlers<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    @usableFromInline let tracking: TrackingController<Stores, Provider>
    @usableFromInline let guest: GuestController<Stores, Provider>
    /// The `/v1` group's rate limit, the same instance (the same buckets).
    @usableFromInline let limits: RateLimitMiddleware

    @inlinable init(_ app: GuestAccess<Stores, Provider>, limits: RateLimitMiddleware) {
        self.tracking = TrackingController(app)
        self.guest = GuestController(app)
        self.limits = limits
    }

    @inlinable func respond(to route: ReadRoute, request: Request, context: AppRequestContext) async throws -> Response {
        try await limits.handle(request, context: context) { request, context in
            switch route {
            case .tracking(let token):
                try await tracking.track(token: token, context: context).response(from: request, context: context)
            case .guestOrder:
                try await guest.order(request, context: context).response(from: request, context: context)
            }
        }
    }
}
