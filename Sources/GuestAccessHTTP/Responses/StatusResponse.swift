public import Hummingbird

/// `{"status":…}` of the health endpoints.
public struct StatusResponse: ResponseEncodable, Sendable {
    public let status: String

    static let ok = StatusResponse(status: "ok")
    static let ready = StatusResponse(status: "ready")
}
