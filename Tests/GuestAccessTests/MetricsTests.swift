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
            let mint = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"\#(order.orderNumber)"}"#,
                headers: bearer(env.adminKey)
            )
            let token = try #require(mint.json["trackingToken"] as? String)
            TestLogs.secret(token)
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
            #expect(text.contains(#"guest_access_order_provider_seconds_count{result="found"}"#))
            #expect(text.contains(#"guest_access_http_requests_total{route="/v1/tracking/{trackingToken}",status="200"} 1"#))
            #expect(text.contains(#"guest_access_http_requests_total{route="unmatched",status="405"} 1"#))
            #expect(text.contains(#"guest_access_http_requests_total{route="NotFound",status="404"} 1"#))
            for secret in [order.orderNumber, order.email, token, code, env.adminKey] {
                #expect(!text.contains(secret))
            }
        }
    }

    @Test("A timer with one label looked up without an array records on the same series as the handle found by its labels as an array")
    func oneLabelTimerSharesTheSeries() {
        let prometheus = PrometheusMetrics()
        let metrics = prometheus.metrics
        for round in 0..<3 {
            metrics.time(.orderProvider, .milliseconds(2), .result, "found")
            ServiceMetrics.record(.milliseconds(2), on: metrics.timer(.orderProvider, [(.result, "found")]))
            if round == 0 { metrics.time(.orderProvider, .milliseconds(2), .result, "unavailable") }
        }
        let text = String(decoding: prometheus.render(), as: UTF8.self)
        #expect(text.contains(#"guest_access_order_provider_seconds_count{result="found"} 6"#))
        #expect(text.contains(#"guest_access_order_provider_seconds_count{result="unavailable"} 1"#))
        #expect(text.components(separatedBy: #"guest_access_order_provider_seconds_count{result="found"}"#).count == 2)
    }
}
