public import GuestAccessService
public import Hummingbird

/// Guards the service-to-service routes: `Authorization: Bearer <admin key>`,
/// or 401 `unauthorized` — the same answer for a missing, malformed or wrong key.
public struct AdminAuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let key: AdminKey

    public init(key: AdminKey) { self.key = key }

    public func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let presented = request.headers.bearerToken, key.matches(presented) else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }
}
