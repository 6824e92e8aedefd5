import Foundation
import NIOCore

extension SocketAddress {
    /// The peer's IP address as text, exactly as `ipAddress` writes it, for
    /// the per-client limits. An IPv4 address is written here from its four
    /// bytes: `ipAddress` formats through `inet_ntop` into a temporary buffer,
    /// about 2,900 instructions of every request (BENCHMARKS.md, 2026-11-29).
    var peerIPText: String? {
        guard case .v4(let address) = self else { return ipAddress }
        return Self.dottedQuad(networkOrder: address.address.sin_addr.s_addr)
    }

    /// `a.b.c.d`, each part in decimal without leading zeros, from an IPv4
    /// address in network byte order (as `sin_addr` holds it).
    static func dottedQuad(networkOrder address: UInt32) -> String {
        withUnsafeBytes(of: address) { octets in
            String(unsafeUninitializedCapacity: 15) { text in
                var count = 0
                for (index, octet) in octets.enumerated() {
                    if index > 0 {
                        text[count] = UInt8(ascii: ".")
                        count += 1
                    }
                    if octet >= 100 {
                        text[count] = UInt8(ascii: "0") + octet / 100
                        count += 1
                    }
                    if octet >= 10 {
                        text[count] = UInt8(ascii: "0") + octet / 10 % 10
                        count += 1
                    }
                    text[count] = UInt8(ascii: "0") + octet % 10
                    count += 1
                }
                return count
            }
        }
    }
}
