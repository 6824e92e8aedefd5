import NIOCore

extension SocketAddress {
    /// Where `sin_addr` starts in a `sockaddr_in`: after the family and the
    /// port (2 bytes each on Linux; length and family, 1 each, then the port
    /// on the BSDs). Read as bytes rather than as `sin_addr.s_addr`: the C
    /// struct's members resolve to different Clang modules from one build to
    /// the next, which member-import visibility refuses. `PeerIPTextTests`
    /// holds the text to NIO's for every octet in every place.
    static let ipv4AddressOffset = 4

    /// The peer's IP address as text, exactly as `ipAddress` writes it, for
    /// the per-client limits. An IPv4 address is written here from its four
    /// bytes: `ipAddress` formats through `inet_ntop` into a temporary buffer,
    /// about 2,900 instructions of every request (BENCHMARKS.md, 2026-11-29).
    var peerIPText: String? {
        guard case .v4(let address) = self else { return ipAddress }
        return withUnsafeBytes(of: address.address) { sockaddr in
            Self.dottedQuad(sockaddr[Self.ipv4AddressOffset..<Self.ipv4AddressOffset + 4])
        }
    }

    /// `a.b.c.d`, each part in decimal without leading zeros, from an IPv4
    /// address's four bytes in network order.
    static func dottedQuad(_ octets: Slice<UnsafeRawBufferPointer>) -> String {
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
