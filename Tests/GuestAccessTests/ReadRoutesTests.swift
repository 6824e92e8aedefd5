import Foundation
import GuestAccessCore
import GuestAccessPolicy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GuestAccessHTTP
@testable import GuestAccessServer

/// The two reads are served ahead of Hummingbird's router when their path is
/// in its plain form (`ServiceResponder`). These tests hold that this changes no
/// answer: what the fast path takes, the router would have read as the same
/// route and token; and the service answers a plain path exactly as the
/// router answers the same request written another way.
@Suite("The read routes served ahead of the router")
struct ReadRoutesTests {
    /// Pieces random request targets are made of: the routes' own segments,
    /// separators, and what a router or a URI parser may read specially.
    static let pieces: [String] = [
        "/", "/", "/", "//", "v1", "tracking", "guest", "order", "gt_", "A", "z", "9", "-", "_", ".", "..", "~", "%2F",
        "%41", "?", "?q=1", "#", "#f", "é", "\u{301}", "e\u{301}", " ", "+", ";", ":", "@", "*", "{trackingToken}",
        "V1", "Tracking", "\u{FF0F}", "\u{200B}",
    ]
    static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    static func randomToken(_ count: Int, using generator: inout SeededGenerator) -> String {
        String((0..<count).map { _ in base64URL.randomElement(using: &generator)! })
    }

    /// A random target: usually one of the two paths with something changed,
    /// sometimes pieces at random.
    static func randomTarget(using generator: inout SeededGenerator) -> String {
        let token = randomToken(Int.random(in: 1...40, using: &generator), using: &generator)
        var parts: [String] =
            Bool.random(using: &generator)
            ? ["/", "v1", "/", "tracking", "/", token] : ["/", "v1", "/", "guest", "/", "order"]
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            let piece = pieces.randomElement(using: &generator)!
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: parts.insert(piece, at: Int.random(in: 0...parts.count, using: &generator))
            case 1: parts[Int.random(in: 0..<parts.count, using: &generator)] = piece
            default: parts.append(piece)
            }
        }
        if Int.random(in: 0..<8, using: &generator) == 0 {
            parts = (0..<Int.random(in: 1...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
        }
        return parts.joined()
    }

    @Test("A target the fast path takes is one Hummingbird's router reads as the same route with the same token")
    func agreesWithTheRouter() async throws {
        // The service's templates on a router of their own, each answering which template matched and with what.
        let router = Router()
        for route in RouteTable.routes {
            router.get(RouterPath(route.template)) { _, context -> String in
                "\(route.template)|\(context.parameters.get("trackingToken") ?? "")"
            }
        }
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        let random = (0..<3_000).map { _ in Self.randomTarget(using: &generator) }
        // The plain forms, at every token length the fast path takes, and just past it.
        let targets = random + (1...ReadRoute.maxTokenBytes + 1).map { "/v1/tracking/" + Self.randomToken($0, using: &generator) }
        let taken = try await Application(router: router).test(.router) { client in
            var taken = 0
            for target in targets {
                guard let route = ReadRoute(target: target) else { continue }
                taken += 1
                let answer = try await client.execute(uri: target, method: .get)
                switch route {
                case .tracking(let token):
                    #expect(
                        answer.status == .ok && String(buffer: answer.body) == "/v1/tracking/{trackingToken}|\(token)",
                        "seed \(seed): \(target)"
                    )
                case .guestOrder:
                    #expect(answer.status == .ok && String(buffer: answer.body) == "/v1/guest/order|", "seed \(seed): \(target)")
                }
            }
            return taken
        }
        // It does take the plain forms: every tracking path with a token of up to its limit, and no longer one.
        for length in 1...ReadRoute.maxTokenBytes + 1 {
            let token = Self.randomToken(length, using: &generator)
            #expect((ReadRoute(target: "/v1/tracking/" + token) == .tracking(token: token)) == (length <= ReadRoute.maxTokenBytes))
        }
        #expect(ReadRoute(target: "/v1/guest/order") == .guestOrder)
        #expect(random.filter { ReadRoute(target: $0) != nil }.count > 300, "seed \(seed): the random targets hardly reached the fast path")
        #expect(taken > ReadRoute.maxTokenBytes)
        for target in [
            "/v1/guest/order/", "/v1/guest/order?x", "//v1/tracking/gt_x", "/v1/tracking/gt_x/", "/v1/tracking/", "/v1/tracking/a%41",
            "/v1/tracking/..",
        ] {
            #expect(ReadRoute(target: target) == nil, "\(target)")
        }
    }

    @Test("The service answers a plain read path exactly as its router answers the same request written another way")
    func sameAnswers() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            var tokens = [String]()
            for order in Fixtures.orders.prefix(3) {
                tokens.append(try await client.mintTrackingToken(order.orderNumber, adminKey: env.adminKey))
            }
            let revoke = try await client.execute(
                uri: "/v1/admin/orders/\(Fixtures.orders[2].orderNumber)/revoke",
                method: .post,
                headers: bearer(env.adminKey)
            )
            #expect(revoke.status == .noContent)
            var generator = SystemRandomNumberGenerator()
            tokens += ["gt_" + String(repeating: "A", count: 32), "gt_x", "x", String(repeating: "a", count: 256)]
            tokens.append("gt_" + String((0..<32).map { _ in Self.base64URL.randomElement(using: &generator)! }))
            var statuses = [Int]()
            for token in tokens {
                // The plain form is one the fast path takes; the other three are the router's.
                #expect(ReadRoute(target: "/v1/tracking/\(token)") == .tracking(token: token))
                let plain = try await client.get("/v1/tracking/\(token)")
                statuses.append(Int(plain.status.code))
                for other in ["/v1/tracking/\(token)/", "//v1/tracking/\(token)", "/v1//tracking/\(token)?x=1"] {
                    #expect(ReadRoute(target: other) == nil)
                    let answer = try await client.get(other)
                    #expect(VerifiedAccessTests.comparable(answer) == VerifiedAccessTests.comparable(plain), "\(other)")
                }
            }
            // Two live tokens, a revoked one and five that name nothing.
            #expect(statuses == [200, 200, 404, 404, 404, 404, 404, 404])

            let code = try await VerifiedAccessTests.requestCode(client, env)
            let verify = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(VerifiedAccessTests.order.orderNumber, "jane.doe@example.com", code)
            )
            let accessToken = try #require(verify.json["accessToken"] as? String)
            TestLogs.secret(accessToken)
            var refetches = [Int]()
            for headers in [bearer(accessToken), bearer("not.a.token"), [:], bearer(accessToken + "x")] {
                let plain = try await client.get("/v1/guest/order", headers: headers)
                refetches.append(Int(plain.status.code))
                for other in ["/v1/guest/order/", "//v1/guest//order", "/v1/guest/order?x=1"] {
                    #expect(
                        VerifiedAccessTests.comparable(try await client.get(other, headers: headers))
                            == VerifiedAccessTests.comparable(plain),
                        "\(other)"
                    )
                }
            }
            #expect(refetches == [200, 401, 401, 401])

            // Both forms are counted under the route's template, as the router labels them.
            let metrics = try await client.get("/metrics", headers: bearer(env.adminKey)).text
            #expect(metrics.contains(#"guest_access_http_requests_total{route="/v1/tracking/{trackingToken}",status="200"} 8"#))
            #expect(metrics.contains(#"guest_access_http_requests_total{route="/v1/tracking/{trackingToken}",status="404"} 24"#))
            #expect(metrics.contains(#"guest_access_http_requests_total{route="/v1/guest/order",status="200"} 4"#))
            #expect(metrics.contains(#"guest_access_http_requests_total{route="/v1/guest/order",status="401"} 12"#))

            // Other methods on the plain paths are the router's: HEAD as GET without a body, POST a 405.
            let head = try await client.execute(uri: "/v1/tracking/\(tokens[0])", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            let post = try await client.execute(uri: "/v1/tracking/\(tokens[0])", method: .post)
            #expect(post.status == .methodNotAllowed && post.errorCode != nil)
        }
    }

    @Test("A plain read path and the router's form of it draw on the same rate-limit bucket")
    func sharedLimit() async throws {
        TestLogs.start()
        let env = try TestEnvironment(
            policy: Policy.default.with {
                $0.rateLimits.perClientBurst = 4
                $0.rateLimits.perClientPerSecond = 1
            }
        )
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let started = ContinuousClock.now
            var statuses = [HTTPResponse.Status]()
            for index in 0..<10 {
                // Alternately the fast path's form and the router's: one bucket, or each form would pass its own burst.
                statuses.append(try await client.get(index.isMultiple(of: 2) ? "/v1/tracking/gt_x" : "/v1/tracking/gt_x/").status)
            }
            let refilled = Int((ContinuousClock.now - started).components.seconds) + 1
            #expect(Array(statuses.prefix(4)) == [.notFound, .notFound, .notFound, .notFound])
            #expect(statuses.filter { $0 == .notFound }.count <= 4 + refilled, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 10 - 4 - refilled)
        }
    }
}
