public import AsyncHTTPClient
import Foundation

/// A client for storefront backends, mirroring the storefront SDK's calls:
/// `client.orders.track`, `requestAccessCode`, `verifyAccessCode`,
/// `getByAccessToken`, `signOut`, and `client.admin(key:)` for minting
/// tracking tokens and revoking an order. Built on async-http-client; every
/// call has a deadline (`timeout`) and honours task cancellation.
public struct GuestAccessClient: Sendable {
    let transport: ClientTransport

    /// - Parameters:
    ///   - baseURL: where guest-access listens, e.g. `http://127.0.0.1:8080`.
    ///   - httpClient: shared by every call; the caller owns its lifecycle.
    ///   - timeout: the deadline of each call, connection included.
    public init(baseURL: String, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(10)) {
        transport = ClientTransport(
            baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            httpClient: httpClient,
            timeout: timeout
        )
    }

    /// The guest calls (no account).
    public var orders: Orders { Orders(transport: transport) }

    /// The service-to-service calls, with the admin API key.
    public func admin(key: String) -> AdminClient { AdminClient(transport: transport, key: key) }
}
