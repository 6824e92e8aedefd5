public import Hummingbird

/// `201 {"trackingToken":…}`: shown once, only its digest is kept.
public struct MintResponse: ResponseEncodable, Sendable {
    public let trackingToken: String
}
