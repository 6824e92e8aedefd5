import Foundation
import GuestAccessCore
public import Hummingbird
import NIOCore

/// Reads a JSON request body under the policy's limits: content type first
/// (415), then size (413) within the request's deadline (503), then shape
/// (400: duplicate or unknown keys, wrong types — see `StrictJSON`). Every
/// outcome depends only on the request's own bytes.
public struct StrictJSONRequestDecoder: RequestDecoder {
    let maxBodyBytes: Int
    let deadline: ContinuousClock.Instant

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        guard Self.isJSON(request.headers[.contentType]) else { throw APIError.unsupportedMediaType }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError.payloadTooLarge
        }
        let body = request.body
        let limit = maxBodyBytes
        let buffer: ByteBuffer
        do {
            buffer = try await withDeadline(max(deadline - .now, .zero)) { try await body.collect(upTo: limit) }
        } catch is DeadlineExceeded {
            throw APIError.unavailable
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge
        } catch {
            throw APIError.invalidRequest("The request body could not be read.")
        }
        do {
            return try StrictJSON.decode(T.self, from: buffer.readableBytesView)
        } catch {
            throw APIError.invalidRequest(error.message)
        }
    }

    /// `application/json`, optionally with `charset=utf-8`, and nothing else.
    static func isJSON(_ value: String?) -> Bool {
        guard let value else { return false }
        // The usual header, exactly: the general reading below gives the same answer, through Foundation.
        if value == "application/json" { return true }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }
}
