import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test("/metrics counts codes, verifications, burns, refusals, rate limits and provider calls, behind the admin key, with no order data")
    func metrics() async throws {
        TestLogs.start()
        let policy = TestEnvironment.fastPolicy.with {
            $0.rateLimits.perClientBurst = 40
            $0.rateLimits.perClientPerSecond = 1
        }
        let env = try TestEnvironment(policy: policy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let order = Fixtures.orders[0]
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(order.orderNumber, order.email)).status == .accepted
            )
            let code = try await env.waitForCode(order.orderNumber)
            for _ in 0..<5 {
                _ = try await client.postJSON(
                    "/v1/access-codes/verify",
                    VerifiedAccessTests.body(order.orderNumber, order.email, VerifiedAccessTests.wrong(code))
                )
            }
            _ = try await client.get("/v1/guest/order", headers: bearer("not.a.token"))
            let token = try await client.mintTrackingToken(order.orderNumber, adminKey: env.adminKey)
            #expect(try await client.get("/v1/tracking/\(token)").status == .ok)
            while try await client.get("/v1/tracking/gt_x").status != .tooManyRequests {}
            // A served path asked with another method, and a path nobody serves: neither is a route.
            #expect(try await client.execute(uri: "/healthz", method: .post).status == .methodNotAllowed)
            #expect(try await client.get("/no-such-path").status == .notFound)

            #expect(try await client.get("/metrics").status == .unauthorized)
            let response = try await client.get("/metrics", headers: bearer(env.adminKey))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            for line in [
                "guest_access_codes_requested_total 1", #"guest_access_code_requests_finished_total{outcome="sent"} 1"#,
                #"guest_access_verifications_total{outcome="failure"} 5"#, "guest_access_codes_burned_total 1",
                #"guest_access_access_tokens_refused_total{reason="malformed"} 1"#, "guest_access_rate_limited_total 1",
            ] {
                #expect(text.contains(line), "missing \(line)")
            }
            // The series exists from start-up; the tracking view above called the provider.
            #expect(text.contains(#"guest_access_order_provider_seconds_count{result="found"} "#))
            #expect(!text.contains(#"guest_access_order_provider_seconds_count{result="found"} 0"#))
            #expect(text.contains(#"guest_access_http_requests_total{route="/v1/tracking/{trackingToken}",status="200"} 1"#))
            #expect(text.contains(#"guest_access_http_requests_total{route="unmatched",status="405"} 1"#))
            #expect(text.contains(#"guest_access_http_requests_total{route="NotFound",status="404"} 1"#))
            for secret in [order.orderNumber, order.email, token, code, env.adminKey] {
                #expect(!text.contains(secret))
            }
        }
    }

    @Test("The order provider's histogram counts each call on the series of its result, and each failure on the error counter")
    func providerCallsCountByResult() async {
        let prometheus = PrometheusMetrics()
        let provider = MeteredOrderProvider(ScriptedProvider(), metrics: prometheus.metrics)
        let order = Fixtures.orders[0]
        for number in [order.orderNumber, "ORD-0000-0000", order.orderNumber, "down", order.orderNumber, "ORD-0000-0001"] {
            _ = try? await provider.order(number: number)
        }
        let text = String(decoding: prometheus.render(), as: UTF8.self)
        #expect(text.contains(#"guest_access_order_provider_seconds_count{result="found"} 3\#n"#))
        #expect(text.contains(#"guest_access_order_provider_seconds_count{result="not_found"} 2\#n"#))
        #expect(text.contains(#"guest_access_order_provider_seconds_count{result="unavailable"} 1\#n"#))
        #expect(text.contains("guest_access_order_provider_errors_total 1\n"))
    }

    @Test("Answers are counted by route and status as a plain tally would count them, routes of one length included")
    func requestCountsMatchATally() {
        let prometheus = PrometheusMetrics()
        // Four names of eight bytes (the key hashes the length, not the bytes) beside others.
        let routes = ["/v1/aaaa", "/v1/bbbb", "/v1/cccc", "/v1/tracking/{trackingToken}", "unmatched", "NotFound"]
        let statuses = [200, 202, 401, 404, 429]
        var tally: [String: Int] = [:]
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<2_000 {
            let route = routes.randomElement(using: &generator)!
            let status = statuses.randomElement(using: &generator)!
            prometheus.metrics.recordRequest(route: route, status: status, duration: .microseconds(5))
            tally[#"{route="\#(route)",status="\#(status)"}"#, default: 0] += 1
        }
        let text = String(decoding: prometheus.render(), as: UTF8.self)
        for (labels, count) in tally {
            #expect(text.contains("guest_access_http_requests_total\(labels) \(count)\n"), "seed \(seed): \(labels)")
        }
        let series = text.split(separator: "\n").filter { $0.hasPrefix("guest_access_http_requests_total{") }
        #expect(series.count == tally.count, "seed \(seed)")
    }

    /// An order provider for the metering tests: the fixtures' first order
    /// found, "down" unavailable, any other number not found.
    private struct ScriptedProvider: OrderDetailProvider {
        func order(number: String) async throws(ProviderError) -> OrderDetail? {
            if number == "down" { throw .unavailable(reason: "down") }
            return number == Fixtures.orders[0].orderNumber ? Fixtures.orders[0] : nil
        }

        func isReachable() async -> Bool { true }
    }
}
