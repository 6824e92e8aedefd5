import Foundation
import GuestAccessCore
import GuestAccessPolicy
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import GuestAccessHTTP
@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Rate limiter: client keys and a bounded, least-recently-used bucket table")
struct RateLimiterTests {
    @Test("Two addresses in one IPv6 /64 share a bucket; another /64 gets its own")
    func ipv6SlashSixtyFour() {
        let keys = ClientKey()
        #expect(keys.key(for: "2001:db8:1:2::1") == keys.key(for: "2001:db8:1:2:ffff:ffff:ffff:fffe"))
        #expect(keys.key(for: "2001:db8:1:2::1") == keys.key(for: "2001:0DB8:0001:0002:0:0:0:7"))
        #expect(keys.key(for: "2001:db8:1:2::1") != keys.key(for: "2001:db8:1:3::1"))
        #expect(keys.key(for: "2001:db8:1:2::1") == "2001:db8:1:2:0:0:0:0/64")

        let limiter = RateLimiter(burst: 1, perSecond: 1)
        #expect(limiter.take(keys.key(for: "2001:db8:1:2::1"), now: 0) == nil)
        #expect(limiter.take(keys.key(for: "2001:db8:1:2::2"), now: 0) == 1)
        #expect(limiter.take(keys.key(for: "2001:db8:1:2:dead:beef:0:1"), now: 0) == 1)
        #expect(limiter.take(keys.key(for: "2001:db8:1:3::1"), now: 0) == nil)
    }

    @Test("A /48 prefix, when configured, puts every /64 of one /48 in one bucket")
    func ipv6SlashFortyEight() {
        let keys = ClientKey(ipv6PrefixLength: 48)
        #expect(keys.key(for: "2001:db8:1:2::1") == keys.key(for: "2001:db8:1:ffff::1"))
        #expect(keys.key(for: "2001:db8:1:2::1") != keys.key(for: "2001:db8:2:2::1"))

        let limiter = RateLimiter(burst: 1, perSecond: 1)
        #expect(limiter.take(keys.key(for: "2001:db8:1:2::1"), now: 0) == nil)
        #expect(limiter.take(keys.key(for: "2001:db8:1:ffff::1"), now: 0) == 1)
        #expect(limiter.take(keys.key(for: "2001:db8:2::1"), now: 0) == nil)
        // A /128 prefix keys per address, as before.
        #expect(
            ClientKey(ipv6PrefixLength: 128).key(for: "2001:db8:1:2::1") != ClientKey(ipv6PrefixLength: 128).key(for: "2001:db8:1:2::2")
        )
    }

    @Test(
        "An IPv4 address's key is its four bytes written out, and the mapped IPv6 spelling of the same bytes shares it, on random addresses"
    )
    func ipv4KeyIsTheBytesWrittenOut() {
        let keys = ClientKey()
        for _ in 0..<2000 {
            let bytes = (0..<4).map { _ in UInt8.random(in: 0...255) }
            let dotted = bytes.map(String.init).joined(separator: ".")
            #expect(keys.key(for: dotted) == dotted)
            #expect(keys.key(for: "::ffff:" + dotted) == dotted)
        }
        // Other spellings inet_pton refuses are not addresses, and so are their own keys, sharing no bucket.
        for spelling in ["010.0.0.1", "10.0.0.01", "10.0.1", "10.0.0.256", "10.0.0.1 ", "0x0a.0.0.1"] {
            #expect(keys.key(for: spelling) == spelling)
        }
        // An address with a NUL and more after it is keyed by the address before the NUL, as inet_pton
        // reads it: a suffix after a NUL never makes a new bucket.
        #expect(keys.key(for: "192.0.2.1\u{0}one") == "192.0.2.1")
        #expect(keys.key(for: "192.0.2.1\u{0}two") == "192.0.2.1")
    }

    @Test(
        "IPv4 addresses are keyed per address, and an IPv4-mapped IPv6 address as its IPv4 address, whatever the IPv6 prefix length",
        arguments: [64, 32]
    )  // 64: the default
    func ipv4AndMapped(ipv6PrefixLength: Int) {
        let keys = ClientKey(ipv6PrefixLength: ipv6PrefixLength)
        #expect(keys.key(for: "192.0.2.1") == "192.0.2.1")
        #expect(keys.key(for: "192.0.2.1") != keys.key(for: "192.0.2.2"))
        #expect(keys.key(for: "::ffff:192.0.2.1") == "192.0.2.1")
        #expect(keys.key(for: "::FFFF:c000:201") == "192.0.2.1")
        #expect(keys.key(for: "::ffff:192.0.2.2") != keys.key(for: "::ffff:192.0.2.1"))
        #expect(keys.key(for: "unknown") == "unknown")
        let limiter = RateLimiter(burst: 1, perSecond: 1)
        #expect(limiter.take(keys.key(for: "192.0.2.1"), now: 0) == nil)
        #expect(limiter.take(keys.key(for: "::ffff:192.0.2.1"), now: 0) == 1)
        #expect(limiter.take(keys.key(for: "192.0.2.2"), now: 0) == nil)
    }

    @Test("A full table evicts the least recently used client, and a new client still gets its full burst")
    func evictsLeastRecentlyUsed() {
        let limiter = RateLimiter(burst: 2, perSecond: 1, maxClients: 3)
        for client in ["a", "b", "c"] { #expect(limiter.take(client, now: 0) == nil, "client \(client)") }
        #expect(limiter.take("a", now: 0) == nil)  // a is now the most recent and drained; b is the oldest
        #expect(limiter.take("a", now: 0) == 1)
        #expect(limiter.clientsByRecency == ["b", "c", "a"])

        #expect(limiter.take("d", now: 0) == nil)
        #expect(limiter.take("d", now: 0) == nil)
        #expect(limiter.take("d", now: 0) == 1)
        #expect(limiter.clientsByRecency == ["c", "a", "d"])
        #expect(limiter.count == 3)

        // a was used more recently than c, so it kept its empty bucket.
        #expect(limiter.take("e", now: 0) == nil)
        #expect(limiter.clientsByRecency == ["a", "d", "e"])
        #expect(limiter.take("a", now: 0) == 1)
        // b was dropped: it comes back with a full burst, in place of d.
        #expect(limiter.take("b", now: 0) == nil)
        #expect(limiter.take("b", now: 0) == nil)
        #expect(limiter.take("b", now: 0) == 1)
        #expect(limiter.clientsByRecency == ["e", "a", "b"])
    }

    @Test("100,000 new clients against a full table of 1,000 evict one each, oldest first, and spare the clients still in use")
    func floodOfNewClients() {
        let maxClients = 1000
        let limiter = RateLimiter(burst: 2, perSecond: 1, maxClients: maxClients)
        // The clock stands still: no bucket refills, so every old bucket is equally old by time
        // and only the order of use can tell them apart.
        for index in 0..<maxClients { _ = limiter.take("old-\(index)", now: 0) }
        let kept = (0..<10).map { "old-\($0)" }
        for client in kept {
            _ = limiter.take(client, now: 0)
            #expect(limiter.take(client, now: 0) == 1, "\(client)")  // drained
        }
        #expect(limiter.count == maxClients)

        var largest = 0
        var newcomersRefused = 0
        var keptForgotten = 0
        for index in 0..<100_000 {
            if limiter.take("new-\(index)", now: 0) != nil { newcomersRefused += 1 }
            largest = max(largest, limiter.count)
            if index % 100 == 99 {
                for client in kept where limiter.take(client, now: 0) == nil { keptForgotten += 1 }
            }
        }
        #expect(largest == maxClients)
        #expect(newcomersRefused == 0)
        #expect(keptForgotten == 0)
        // Exactly the 990 newest newcomers remain, oldest first, then the clients kept in use.
        #expect(limiter.clientsByRecency == (99_010..<100_000).map { "new-\($0)" } + kept)
        #expect(!limiter.contains("old-10") && !limiter.contains("old-999") && !limiter.contains("new-99009"))
        // An evicted client starts again from a full bucket.
        #expect(limiter.take("old-999", now: 0) == nil)
        #expect(limiter.take("old-999", now: 0) == nil)
        #expect(limiter.take("old-999", now: 0) == 1)
        #expect(!limiter.contains("new-99010"))
    }

    /// A policy's IPv6 prefix length, and `sibling`, another address in the same network as 2001:db8:1:2::1 under that prefix.
    struct PrefixCase: Sendable, CustomTestStringConvertible {
        let prefix: Int
        let sibling: String

        var testDescription: String { "/\(prefix), sibling \(sibling)" }
    }

    @Test(
        "Behind a trusted proxy, IPv6 clients in one /64 share a bucket over HTTP, and the policy's prefix length applies",
        arguments: [
            RateLimiterTests.PrefixCase(prefix: 64, sibling: "2001:db8:1:2::ffff"),
            RateLimiterTests.PrefixCase(prefix: 48, sibling: "2001:db8:1:99::1"),
        ]
    )
    func overHTTP(_ prefixCase: PrefixCase) async throws {
        TestLogs.start()
        let env = try TestEnvironment(
            policy: Policy.default.with {
                $0.rateLimits.perClientBurst = 3
                $0.rateLimits.perClientPerSecond = 1
                $0.rateLimits.ipv6PrefixLength = prefixCase.prefix
            }
        )
        let app = try await buildApplication(reader: env.reader([Setting.trustedProxies.key: "127.0.0.1/32,::1"]))
        try await app.test(.live) { client in
            func status(of address: String) async throws -> HTTPResponse.Status {
                let forwarded: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "\(address), 127.0.0.1"]
                return try await client.get("/v1/tracking/gt_x", headers: forwarded).status
            }
            // Burst 3, refill 1/s: three addresses of one network spend its burst, and its
            // other addresses get no more than the refill, whatever the machine's speed.
            let started = ContinuousClock.now
            var statuses: [HTTPResponse.Status] = []
            for address in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2::3"] {
                statuses.append(try await status(of: address))
            }
            // The sibling's five at once: their arrival does not wait on each answer, so a loaded
            // machine (answers took 2 s each in a full CI run) cannot stretch them past the refill.
            statuses += try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<5 { group.addTask { try await status(of: prefixCase.sibling) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refilled = Int((ContinuousClock.now - started).components.seconds) + 1
            #expect(Array(statuses.prefix(3)) == [.notFound, .notFound, .notFound])
            #expect(statuses.contains(.tooManyRequests))
            #expect(statuses.filter { $0 == .notFound }.count <= 3 + refilled)
            // Another network has a bucket of its own.
            #expect(try await status(of: "2001:db8:2::1") == .notFound)
        }
    }
}
