import Foundation
import NIOHTTP1

/// `client.admin(key:)`: the storefront backend's calls.
public struct AdminClient: Sendable {
    let transport: ClientTransport
    let key: String

    /// Mints a tracking token for an order the provider knows (else `.notFound`).
    public func mintTrackingToken(orderNumber: String) async throws(GuestAccessError) -> String {
        struct Body: Encodable { let orderNumber: String }
        struct Minted: Decodable { let trackingToken: String }
        return try await transport.send(
            .POST,
            "/v1/admin/tracking-tokens",
            bearer: key,
            body: Body(orderNumber: orderNumber),
            expecting: 201,
            as: Minted.self
        ).trackingToken
    }

    /// Revokes the order's tracking tokens, pending codes and every access token issued so far.
    public func revoke(orderNumber: String) async throws(GuestAccessError) {
        let encoded = orderNumber.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? ""
        try await transport.send(.POST, "/v1/admin/orders/\(encoded)/revoke", bearer: key, expecting: 204)
    }
}
