import Foundation
public import GuestAccessCore
import NIOHTTP1

/// `client.orders`: tracking and verified guest access.
public struct Orders: Sendable {
    let transport: ClientTransport

    /// The minimized view for a tracking token. Unknown or revoked: `.notFound`.
    public func track(_ trackingToken: String) async throws(GuestAccessError) -> TrackedOrder {
        let path = "/v1/tracking/" + (trackingToken.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? "")
        return try await transport.send(.GET, path, expecting: 200, as: TrackedOrder.self)
    }

    /// Asks for a code to be mailed to the order's email on record. Succeeds
    /// the same way whether or not the order exists or the email matches.
    public func requestAccessCode(_ orderNumber: String, _ email: String) async throws(GuestAccessError) {
        try await transport.send(
            .POST,
            "/v1/access-codes",
            body: CodeBody(orderNumber: orderNumber, email: email, code: nil),
            expecting: 202
        )
    }

    /// Exchanges a code for the full order and an access token. Any failure is `.invalidCode`.
    public func verifyAccessCode(_ orderNumber: String, _ email: String, _ code: String) async throws(GuestAccessError) -> VerifiedAccess {
        try await transport.send(
            .POST,
            "/v1/access-codes/verify",
            body: CodeBody(orderNumber: orderNumber, email: email, code: code),
            expecting: 200,
            as: VerifiedAccess.self
        )
    }

    /// The full order an access token is scoped to.
    public func getByAccessToken(_ accessToken: String) async throws(GuestAccessError) -> OrderDetail {
        try await transport.send(.GET, "/v1/guest/order", bearer: accessToken, expecting: 200, as: OrderDetail.self)
    }

    /// Signs out: the access token is refused from then on.
    public func signOut(_ accessToken: String) async throws(GuestAccessError) {
        try await transport.send(.DELETE, "/v1/guest/token", bearer: accessToken, expecting: 204)
    }

    struct CodeBody: Encodable {
        let orderNumber: String
        let email: String
        let code: String?
    }
}
