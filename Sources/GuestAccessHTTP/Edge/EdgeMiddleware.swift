import Foundation
import GuestAccessCrypto
import Hummingbird
import Logging

/// The outermost layer of every request, matched or not: 405 with `Allow` for
/// a known path asked with another method (see `RouteTable`),
/// a fresh request id, header limits, the error envelope for anything thrown,
/// the contract's headers on every response, and one access-log line that
/// names the route template — never the raw path, which may hold a token.
public struct EdgeMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let maxHeaderBytes: Int
    let maxHeaderCount: Int
    let logger: Logger
    let metrics: ServiceMetrics

    public init(maxHeaderBytes: Int, maxHeaderCount: Int, logger: Logger, metrics: ServiceMetrics) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.logger = logger
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = Base64URL.encode(SecureRandom.bytes(12))
        var response: Response
        do {
            try checkHeaders(request)
            if let allowed = RouteTable.methods(for: request.uri.path), !allowed.contains(request.method) {
                throw APIError.methodNotAllowed(allow: allowed)
            }
            response = try await next(request, context)
        } catch let error as APIError {
            response = error.response()
        } catch let error as any HTTPResponseError {
            response = Self.envelope(for: error.status).response()
        } catch {
            logger.error("unhandled error", metadata: ["request_id": "\(context.requestID)", "error_type": "\(type(of: error))"])
            response = APIError.internalError.response()
        }
        response.headers[.init("X-Request-Id")!] = context.requestID
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        metrics.count("http_requests", [("route", route), ("status", "\(response.status.code)")])
        metrics.time("http_request", elapsed, [("route", route)])
        logger.info(
            "request",
            metadata: [
                "request_id": "\(context.requestID)",
                "method": "\(request.method.rawValue.prefix(16))",
                "route": "\(route)",
                "status": "\(response.status.code)",
                "duration_ms":
                    "\(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))",
            ])
        return response
    }

    private func checkHeaders(_ request: Request) throws {
        var bytes = 0
        var count = 0
        for field in request.headers {
            bytes += field.name.rawName.utf8.count + field.value.utf8.count
            count += 1
        }
        if bytes > maxHeaderBytes || count > maxHeaderCount {
            throw APIError.invalidRequest("The request headers are too large.")
        }
    }

    /// Maps the framework's own errors (unknown route, wrong method, …) to the envelope.
    static func envelope(for status: HTTPResponse.Status) -> APIError {
        switch status.code {
        case 404, 405: .notFound
        case 413: .payloadTooLarge
        case 415: .unsupportedMediaType
        case 401: .unauthorized
        case 400..<500: .invalidRequest()
        default: .unavailable
        }
    }
}
