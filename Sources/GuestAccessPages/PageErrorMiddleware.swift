import GuestAccessHTTP
import Hummingbird

/// Around every page: what the API would answer as a JSON error becomes a
/// page with the same status (and `Retry-After`), and a refused form post
/// becomes the 403 page; every response leaves with the page headers.
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let kit: PageKit

    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let refusal as PageRefusal {
            switch refusal {
            case .crossSite: response = kit.message(.forbidden, status: .forbidden, for: request)
            case .malformed: response = kit.message(.badRequest, status: .badRequest, for: request)
            }
        } catch let error as APIError {
            switch error.status.code {
            case 429: response = kit.message(.rateLimited, status: .tooManyRequests, for: request, retryAfter: error.retryAfter)
            case 400, 413, 415: response = kit.message(.badRequest, status: error.status, for: request)
            default: response = kit.message(.unavailable, status: .serviceUnavailable, for: request, retryAfter: error.retryAfter ?? 5)
            }
        }
        PageHeaders.apply(to: &response.headers)
        return response
    }
}
