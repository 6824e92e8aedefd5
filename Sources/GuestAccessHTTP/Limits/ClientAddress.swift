import Foundation
import Hummingbird
import NIOCore

/// Who the client is, for per-client limits: the TCP peer, or — only when the
/// peer is a trusted proxy — the right-most `X-Forwarded-For` entry that is not
/// itself a trusted proxy. A forged header from an untrusted peer changes nothing.
public struct ClientAddress: Sendable {
    let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) { self.trustedProxies = trustedProxies }

    public func resolve(peer: SocketAddress?, forwardedFor: [String]) -> String {
        guard let peerIP = peer?.ipAddress else { return "unknown" }
        guard isTrusted(peerIP) else { return peerIP }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard CIDR.bytes(of: hop) != nil else { return peerIP }  // garbage: fall back to the proxy itself
            if !isTrusted(hop) { return hop }
        }
        return peerIP
    }

    private func isTrusted(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }
}
