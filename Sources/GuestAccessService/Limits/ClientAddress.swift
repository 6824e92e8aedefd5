import Foundation

/// Who the client is, for per-client limits: the TCP peer, or — only when the
/// peer is a trusted proxy — the right-most `X-Forwarded-For` entry that is not
/// itself a trusted proxy. A forged header from an untrusted peer changes nothing.
public struct ClientAddress: Sendable {
    let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) { self.trustedProxies = trustedProxies }

    /// `peer` is the TCP peer's IP address (nil for a Unix socket or an
    /// in-process test); `forwardedFor` every `X-Forwarded-For` field, in order.
    /// `forwardedFor` is read only when the peer is a trusted proxy.
    public func resolve(peer: String?, forwardedFor: @autoclosure () -> [String]) -> String {
        guard let peerIP = peer else { return "unknown" }
        guard isTrusted(peerIP) else { return peerIP }
        let hops = forwardedFor().flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard CIDR.bytes(of: hop) != nil else { return peerIP }  // garbage: fall back to the proxy itself
            if !isTrusted(hop) { return hop }
        }
        return peerIP
    }

    private func isTrusted(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }
}
