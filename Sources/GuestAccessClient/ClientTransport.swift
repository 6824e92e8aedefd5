import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request, one answer: JSON in, JSON out, the contract's errors mapped
/// to `GuestAccessError` (every error this client throws is made here).
struct ClientTransport: Sendable {
    let baseURL: String
    let httpClient: HTTPClient
    let timeout: Duration
    /// Added to every request (`GuestAccessClient.with(headers:)`); never `Authorization` or `Content-Type`.
    var headers: [(name: String, value: String)] = []

    /// Headers a caller may not set: the client's own.
    static let reservedHeaders: Set<String> = ["authorization", "content-type", "content-length", "host"]

    /// The most of a response body read (a full order is far smaller).
    static let maxResponseBytes = 1 << 20

    func send<Answer: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        bearer: String? = nil,
        body: (some Encodable)? = String?.none,
        expecting status: Int,
        as type: Answer.Type
    ) async throws(GuestAccessError) -> Answer {
        let bytes = try await exchange(method, path, bearer: bearer, body: body, expecting: status)
        do { return try JSONDecoder().decode(Answer.self, from: Data(bytes)) } catch {
            throw .unexpectedResponse(status: status, code: nil)
        }
    }

    func send(
        _ method: HTTPMethod,
        _ path: String,
        bearer: String? = nil,
        body: (some Encodable)? = String?.none,
        expecting status: Int
    ) async throws(GuestAccessError) {
        _ = try await exchange(method, path, bearer: bearer, body: body, expecting: status)
    }

    private func exchange(
        _ method: HTTPMethod,
        _ path: String,
        bearer: String?,
        body: (some Encodable)?,
        expecting status: Int
    ) async throws(GuestAccessError) -> [UInt8] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            guard let data = try? JSONEncoder().encode(body) else { throw .unencodableRequest }
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let seconds = Int64(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0)
        let answer: (status: Int, headers: HTTPHeaders, body: [UInt8])
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(seconds))
            let collected = try await response.body.collect(upTo: Self.maxResponseBytes)
            answer = (Int(response.status.code), response.headers, Array(collected.readableBytesView))
        } catch {
            throw Self.classify(error)
        }
        guard answer.status != status else { return answer.body }
        throw Self.error(status: answer.status, headers: answer.headers, body: answer.body)
    }

    static func classify(_ error: any Error) -> GuestAccessError {
        if error is CancellationError { return .cancelled }
        if let client = error as? HTTPClientError {
            if client == .deadlineExceeded || client == .readTimeout || client == .connectTimeout { return .timedOut }
            if client == .cancelled { return .cancelled }
        }
        if Task.isCancelled { return .cancelled }
        return .transport(String(describing: type(of: error)))
    }

    static func error(status: Int, headers: HTTPHeaders, body: [UInt8]) -> GuestAccessError {
        struct Envelope: Decodable {
            struct Detail: Decodable {
                let code: String
                let message: String
            }
            let error: Detail
        }
        let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body))
        let retryAfter = headers.first(name: "Retry-After").flatMap(Int.init)
        // A status alone is not enough: a proxy's 401 or 404 is not the contract's,
        // so it stays `unexpectedResponse`. Any 503 is `unavailable`, because a
        // proxy in front of a down service answers 503 too and retrying is right.
        switch (status, envelope?.error.code) {
        case (400, "invalid_request"): return .invalidRequest(message: envelope?.error.message ?? "")
        case (401, "invalid_code"): return .invalidCode
        case (401, "unauthorized"): return .unauthorized
        case (404, "not_found"): return .notFound
        case (413, "payload_too_large"): return .payloadTooLarge
        case (415, "unsupported_media_type"): return .unsupportedMediaType
        case (429, "rate_limited"): return .rateLimited(retryAfter: retryAfter)
        case (503, _): return .unavailable(retryAfter: retryAfter)
        default: return .unexpectedResponse(status: status, code: envelope?.error.code)
        }
    }
}
