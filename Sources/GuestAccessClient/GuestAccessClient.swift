public import AsyncHTTPClient
import Foundation

/// A client for storefront backends, mirroring the storefront SDK's calls:
/// `client.orders.track`, `requestAccessCode`, `verifyAccessCode`,
/// `getByAccessToken`, `signOut`, and `client.admin(key:)` for minting
/// tracking tokens and revoking an order. Built on async-http-client; every
/// call has a deadline (`timeout`) and honours task cancellation.
public struct GuestAccessClient: Sendable {
    var transport: ClientTransport

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

    /// This client with `headers` on each of its calls, replacing any earlier
    /// value of the same name (the client's own `Authorization` and
    /// `Content-Type` cannot be replaced; such names are dropped). For a
    /// backend calling on a shopper's behalf, see `forwarding(for:)`.
    public func with(headers: [String: String]) -> GuestAccessClient {
        let added = headers.filter { !ClientTransport.reservedHeaders.contains($0.key.lowercased()) }
        let replaced = Set(added.keys.map { $0.lowercased() })
        var copy = self
        copy.transport.headers =
            copy.transport.headers.filter { !replaced.contains($0.name.lowercased()) }
            + added.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return copy
    }

    /// This client, calling on behalf of the shopper at `clientAddress`: each
    /// call carries `X-Forwarded-For: clientAddress`, so that a service that
    /// lists this backend in `--trusted-proxies` gives each shopper their own
    /// rate-limit bucket and delivery turn instead of one for the whole backend.
    /// (From a peer not in `--trusted-proxies`, the header is ignored.)
    public func forwarding(for clientAddress: String) -> GuestAccessClient {
        with(headers: ["X-Forwarded-For": clientAddress])
    }

    /// The guest calls (no account).
    public var orders: Orders { Orders(transport: transport) }

    /// The service-to-service calls, with the admin API key.
    public func admin(key: String) -> AdminClient { AdminClient(transport: transport, key: key) }
}
