public import Foundation
public import GuestAccessService
public import Hummingbird
import NIOCore

/// The contract's error envelope: `{"error":{"code":…,"message":…}}`.
///
/// Every failure leaves through this type, with a fixed message per code, so
/// a body never depends on anything but the kind of failure.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let retryAfter: Int?
    /// The `Allow` header of a 405: the methods the path does serve.
    public let allow: String?

    public init(status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil, allow: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.allow = allow
    }

    public static func invalidRequest(_ message: String = "The request is malformed.") -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: message)
    }
    public static let unauthorized = APIError(status: .unauthorized, code: "unauthorized", message: "Missing or invalid credentials.")
    public static let notFound = APIError(status: .notFound, code: "not_found", message: "Not found.")
    public static let payloadTooLarge = APIError(
        status: .contentTooLarge,
        code: "payload_too_large",
        message: "The request body is too large."
    )
    public static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType,
        code: "unsupported_media_type",
        message: "The request body must be application/json."
    )
    public static let unavailable = APIError(
        status: .serviceUnavailable,
        code: "unavailable",
        message: "The service is temporarily unavailable.",
        retryAfter: 5
    )
    public static let invalidCode = APIError(status: .unauthorized, code: "invalid_code", message: "The code is invalid or has expired.")
    public static let internalError = APIError(status: .internalServerError, code: "internal", message: "Something went wrong.")

    /// The one answer for each way a use case can fail.
    public init(_ error: UseCaseError) {
        self =
            switch error {
            case .invalidRequest(let message): .invalidRequest(message)
            case .invalidCode: .invalidCode
            case .unauthorized: .unauthorized
            case .notFound: .notFound
            case .unavailable: .unavailable
            }
    }

    /// A path the service serves, with a method it does not (RFC 9110 §15.5.6).
    public static func methodNotAllowed(allow: [HTTPRequest.Method]) -> APIError {
        APIError(
            status: .methodNotAllowed,
            code: "method_not_allowed",
            message: "The method is not allowed on this path.",
            allow: allow.map(\.rawValue).joined(separator: ", ")
        )
    }

    public static func rateLimited(retryAfter: Int) -> APIError {
        APIError(status: .tooManyRequests, code: "rate_limited", message: "Too many requests.", retryAfter: retryAfter)
    }

    /// The envelope's exact bytes: sorted keys, so equal errors are byte-identical.
    public var body: Data { Data(bodyBuffer.readableBytesView) }

    /// The envelope written straight into a buffer: the bytes `JSONEncoder`
    /// (sorted keys, slashes unescaped) wrote, which `JSONBufferWriterTests` checks,
    /// without its cost on the hottest failures (a wrong code, an unknown
    /// tracking token).
    var bodyBuffer: ByteBuffer {
        var json = JSONBufferWriter(capacity: 48 + code.utf8.count + message.utf8.count)
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.key("code")
        json.string(code)
        json.key("message")
        json.string(message)
        json.endObject()
        json.endObject()
        return json.buffer
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The response, headers included.
    public func response() -> Response {
        var headers: HTTPFields = [.contentType: JSONResponseEncoder.contentType]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow }
        if status == .unauthorized && code == "unauthorized" { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: bodyBuffer))
    }
}
