import Foundation
import GuestAccessCore
import GuestAccessPolicy
import GuestAccessProviders
import Testing

@testable import GuestAccessService

@Suite("Embedded order provider")
struct OrderFileTests {
    private func load(_ entries: [Any]) throws(OrderFileError) -> EmbeddedOrderProvider {
        let data = try! JSONSerialization.data(withJSONObject: entries)
        return try EmbeddedOrderProvider(data: data)
    }

    private func valid() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(Fixtures.order("ORD-1", email: "a@b.co"))) as! [String: Any]
    }

    @Test("A valid file serves its orders and nothing else")
    func serves() async throws {
        let provider = try EmbeddedOrderProvider(data: Fixtures.json(Fixtures.orders))
        #expect(provider.count == Fixtures.orders.count)
        #expect(try await provider.order(number: "ORD-2026-0042")?.email == "jane.doe@example.com")
        #expect(try await provider.order(number: "ORD-2026-9999") == nil)
    }

    @Test(
        "A bad entry is named with its index, order number and field",
        arguments: [
            ("email", nil as String?, "entry 1 (ORD-1): email: is missing"),
            ("email", "not-an-email", "entry 1 (ORD-1): email: not an acceptable email address"),
            ("status", "LOST", "entry 1 (ORD-1): status: has a value the contract does not allow"),
            ("currency", "usd", "entry 1 (ORD-1): currency: not an ISO 4217 code"),
            ("createdAt", "yesterday", "entry 1 (ORD-1): createdAt: not an RFC 3339 timestamp"),
            ("orderNumber", "../etc", "entry 1: orderNumber: not a well-formed order number"),
        ]
    )
    func badEntry(field: String, value: String?, message: String) throws {
        var bad = try valid()
        bad[field] = value
        let good = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Fixtures.order("ORD-0", email: "z@y.co")))
        #expect(throws: OrderFileError(message)) { try load([good, bad]) }
    }

    @Test("Duplicate order numbers and non-array files are refused")
    func duplicates() throws {
        let entry = try valid()
        #expect(throws: OrderFileError("entry 1: orderNumber ORD-1 appears twice")) { try load([entry, entry]) }
        #expect(throws: OrderFileError.self) { try EmbeddedOrderProvider(data: Data("{}".utf8)) }
        #expect(throws: OrderFileError.self) { try EmbeddedOrderProvider(path: "/nonexistent/orders.json") }
    }
}
