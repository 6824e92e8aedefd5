import Foundation
public import Hummingbird
import NIOCore

/// Encodes what a handler returns as the contract's JSON: sorted keys and
/// unescaped slashes, so equal values are equal bytes (the byte-identical
/// failure promise rests on it), with the contract's content type.
public struct JSONResponseEncoder: ResponseEncoder {
    public static let contentType = "application/json; charset=utf-8"

    /// The content type as a response's fields, built once: the dictionary
    /// literal checks and stores the field anew on every response, about
    /// 1,200 instructions of a re-fetch (BENCHMARKS.md, 2026-11-29 evening).
    static let headers: HTTPFields = [.contentType: contentType]

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        try Self.response(value)
    }

    /// `value` as a response with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
