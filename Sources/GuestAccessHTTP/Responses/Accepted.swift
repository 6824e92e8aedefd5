public import Hummingbird

/// `202 {"status":"accepted"}`: the one answer to every well-formed code request.
public struct Accepted: ResponseEncodable, Sendable {
    public let status = "accepted"
}
