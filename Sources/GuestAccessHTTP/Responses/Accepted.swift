public import Hummingbird

/// `202 {"status":"accepted"}`: the one answer to every well-formed code request.
///
/// The same bytes every time, so they are written once rather than encoded per
/// request (`JSONEncoder` was 3% of a request-code flood's samples); the
/// headers are `JSONResponseEncoder`'s.
public struct Accepted: ResponseGenerator, Sendable {
    static let body = ByteBuffer(string: #"{"status":"accepted"}"#)

    public init() {}

    public func response(from request: Request, context: some RequestContext) -> Response {
        Response(status: .accepted, headers: JSONResponseEncoder.headers, body: .init(byteBuffer: Self.body))
    }
}
