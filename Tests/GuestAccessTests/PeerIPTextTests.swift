import GuestAccessService
import NIOCore
import Testing

@testable import GuestAccessHTTP

@Suite("The peer's address as text, for the per-client limits")
struct PeerIPTextTests {
    @Test("An IPv4 peer is written as NIO writes it, for every octet value in every place and for random addresses")
    func ipv4IsWrittenAsNIOWritesIt() throws {
        var generator = SeededGenerator(seed: 0x1D_C0DE)
        var addresses: [[UInt8]] = []
        for place in 0..<4 {
            for value in 0...255 {
                var octets: [UInt8] = [10, 0, 0, 1]
                octets[place] = UInt8(value)
                addresses.append(octets)
            }
        }
        for _ in 0..<10_000 { addresses.append((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        addresses += [[0, 0, 0, 0], [255, 255, 255, 255], [127, 0, 0, 1], [100, 10, 1, 0]]
        for octets in addresses {
            let text = octets.map(String.init).joined(separator: ".")
            let address = try SocketAddress(ipAddress: text, port: 443)
            #expect(address.peerIPText == address.ipAddress)
            #expect(address.peerIPText == text)
        }
    }

    @Test("An IPv4 peer's text is already its rate-limit key, whatever the IPv6 prefix, so the limit need not parse it again")
    func ipv4TextIsItsOwnKey() throws {
        var generator = SeededGenerator(seed: 0xC11E_27)
        var addresses: [[UInt8]] = (0...255).flatMap { value in (0..<4).map { place in (0..<4).map { $0 == place ? UInt8(value) : 1 } } }
        for _ in 0..<10_000 { addresses.append((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        for prefix in [0, 48, 64, 128] {
            let keys = ClientKey(ipv6PrefixLength: prefix)
            for octets in addresses {
                let text = try #require(try SocketAddress(ipAddress: octets.map(String.init).joined(separator: "."), port: 1).peerIPText)
                #expect(keys.key(for: text) == text)
            }
        }
    }

    @Test("An IPv6 peer, and one mapped from IPv4, are written by NIO as before")
    func ipv6IsNIOsText() throws {
        for text in ["2001:db8::1", "::1", "::ffff:192.0.2.1", "fe80::1:2:3:4"] {
            let address = try SocketAddress(ipAddress: text, port: 443)
            #expect(address.peerIPText == address.ipAddress)
            #expect(address.peerIPText != nil)
        }
    }

    @Test("A peer on a Unix socket has no address text, as with NIO's")
    func unixSocketHasNone() throws {
        let address = try SocketAddress(unixDomainSocketPath: "/tmp/guest-access-peer.sock")
        #expect(address.ipAddress == nil)
        #expect(address.peerIPText == nil)
    }
}
