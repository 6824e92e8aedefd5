import Foundation
import Hummingbird
import NIOCore

/// JSON responses with the contract's content type.
public enum JSONResponse {
    public static let contentType = "application/json; charset=utf-8"

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes `value` as the body of a response with `status`.
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
