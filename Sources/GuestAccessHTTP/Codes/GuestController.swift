import Foundation
import GuestAccessCore
import GuestAccessCrypto
import Hummingbird
import Logging

/// `GET /v1/guest/order` and `DELETE /v1/guest/token`, with an access token.
/// Anything wrong with the token is the same 401 `unauthorized`.
public struct GuestController<Revocations: AccessTokenRevocationStore, Orders: TrackingTokenStore, Provider: OrderDetailProvider>:
    Sendable
{
    let issuer: AccessTokenIssuer
    let keyring: KeyringHolder
    let revocations: Revocations
    let orderRevocations: Orders
    let provider: Provider
    let clock: any WallClock
    let logger: Logger
    let metrics: ServiceMetrics
    let audit: AuditLog

    public init(
        issuer: AccessTokenIssuer, keyring: KeyringHolder, revocations: Revocations, orderRevocations: Orders, provider: Provider,
        clock: any WallClock, logger: Logger, metrics: ServiceMetrics, audit: AuditLog
    ) {
        self.issuer = issuer
        self.keyring = keyring
        self.revocations = revocations
        self.orderRevocations = orderRevocations
        self.provider = provider
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.audit = audit
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/guest/order", use: order)
        group.delete("/guest/token", use: signOut)
    }

    private func authenticate(_ request: Request) async throws -> AccessTokenClaims {
        guard let token = BearerToken.parse(request.headers[.authorization]) else {
            metrics.count("access_tokens_refused", [("reason", "missing")])
            throw APIError.unauthorized
        }
        do {
            return try await issuer.authenticate(
                token, keyring: keyring.keyring, now: clock.now(), revocations: revocations, orderRevocations: orderRevocations)
        } catch let error as AccessTokenError {
            logger.info("access token refused", metadata: ["reason": "\(error)"])
            metrics.count("access_tokens_refused", [("reason", "\(error)")])
            throw APIError.unauthorized
        } catch {
            logger.error("access token check failed", metadata: ["reason": "\(error)"])
            throw APIError.unavailable
        }
    }

    @Sendable func order(_ request: Request, context: AppRequestContext) async throws -> Response {
        let claims = try await authenticate(request)
        let order: OrderDetail?
        do { order = try await provider.order(number: claims.sub) } catch { throw APIError.unavailable }
        guard let order else { throw APIError.notFound }
        return try JSONResponse.make(order)
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let claims = try await authenticate(request)
        do {
            try await revocations.revoke(jti: claims.jti, expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp + 60)))
        } catch {
            throw APIError.unavailable
        }
        await audit.record(.tokenRevoked, orderNumber: claims.sub, detail: "sign-out")
        logger.info("access token signed out", metadata: ["request_id": "\(context.requestID)"])
        return Response(status: .noContent)
    }
}
