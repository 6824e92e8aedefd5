import Foundation

/// The rate-limit bucket a client address falls into. IPv4 addresses are
/// their own key. IPv6 addresses are keyed by their network prefix, a /64 by
/// default: one subscriber routinely gets a whole /64 or more (RFC 6177) and
/// may pick any address in it at will, so keying per /128 would hand one
/// client 2^64 buckets. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, what a
/// dual-stack socket reports for an IPv4 peer) are keyed as the IPv4 address,
/// so one client gets one bucket whichever way it arrives — and is not lumped
/// with every other IPv4 client in `::ffff:0:0/64`. Anything that is not an
/// address (`unknown`) is its own key.
public struct ClientKey: Sendable, Equatable {
    /// Leading bits of an IPv6 address that name its bucket.
    public let ipv6PrefixLength: Int

    public init(ipv6PrefixLength: Int = 64) {
        precondition((0...128).contains(ipv6PrefixLength), "an IPv6 prefix length is between 0 and 128")
        self.ipv6PrefixLength = ipv6PrefixLength
    }

    /// The key for `address`: `192.0.2.1`, or `2001:db8:0:1:0:0:0:0/64` for
    /// every address in that /64. Written out from the parsed bytes, so two
    /// spellings of one address (`2001:DB8::1`, `2001:db8:0::1`) share a key.
    public func key(for address: String) -> String {
        // An IPv4 address inet_pton takes is already its key: it takes only the dotted quad with no
        // leading zeros, which is how the key writes it (glibc and the BSDs; `RateLimiterTests`).
        // Writing it out again from the parsed bytes was most of this function's work per request.
        // Not with a NUL inside: inet_pton reads up to it, so `1.2.3.4\0…` would be taken whole.
        var v4 = in_addr()
        if !address.utf8.contains(0), inet_pton(AF_INET, address, &v4) == 1 { return address }
        guard var bytes = CIDR.bytes(of: address) else { return address }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12..<16])
        }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        for index in bytes.indices {
            let kept = min(8, max(0, ipv6PrefixLength - index * 8))
            bytes[index] &= UInt8(truncatingIfNeeded: 0xFF << (8 - kept))
        }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "/\(ipv6PrefixLength)"
    }
}
