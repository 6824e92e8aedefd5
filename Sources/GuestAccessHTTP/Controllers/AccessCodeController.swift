public import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// `POST /v1/access-codes` (always 202 once well-formed) and
/// `POST /v1/access-codes/verify` (one 401 for every failure).
public struct AccessCodeController<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    let app: GuestAccess<Stores, Provider>

    public init(_ app: GuestAccess<Stores, Provider>) { self.app = app }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("/access-codes", use: request)
            .post("/access-codes/verify", use: verify)
    }

    @Sendable func request(_ request: Request, context: AppRequestContext) async throws -> Accepted {
        let body = try await request.decode(as: CodeRequestBody.self, context: context)
        do {
            try await app.requestCode(
                body,
                clientKey: context.clientKey,
                language: ShopperLanguage.negotiate(request.headers[.acceptLanguage]),
                logger: context.logger
            )
        } catch {
            throw APIError(error)
        }
        return Accepted()
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> VerifyResponse {
        let started = ContinuousClock.now
        let body = try await request.decode(as: CodeRequestBody.self, context: context)
        do {
            return VerifyResponse(try await app.verifyCode(body, startedAt: started, logger: context.logger))
        } catch {
            throw APIError(error)
        }
    }
}
