import Foundation
import GuestAccessCore
import GuestAccessPolicy
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

@testable import GuestAccessService

/// A real HTTP server on a loopback port playing a storefront's order provider,
/// with one misbehaviour per order number:
/// `HANG` sleeps past any timeout, `SLOW` answers after 1.5 s, `BOOM` answers 500, `GARBAGE` answers
/// non-JSON, `OTHER` answers another order, `HUGE` answers 2 MiB, and
/// `REDIRECT` points elsewhere. It records the Authorization headers it saw.
/// `failNext(_:times:)` makes an order's next lookups answer 503, and
/// `delay` slows every ordinary lookup (a slow storefront), `slow` some orders' only, and `paused` holds
/// them all until it is false again.
final class FakeStorefront: Sendable {
    let orders: [String: OrderDetail]
    let credential: String
    let seenAuthorization = SeenValues()
    let seenOrders = SeenValues()
    private let failures = Mutex<[String: Int]>([:])
    let delay = Mutex<Duration>(.zero)
    /// Lookups of these orders wait until they are removed from the set.
    let held = Mutex<Set<String>>([])
    /// Lookups of these orders take this long (on top of `delay`).
    let slow = Mutex<[String: Duration]>([:])
    let paused = Mutex<Bool>(false)
    /// Orders deleted at the storefront: answered 404 from now on.
    let gone = Mutex<Set<String>>([])

    func failNext(_ number: String, times: Int = 1) { failures.withLock { $0[number, default: 0] += times } }

    init(orders: [OrderDetail], credential: String) {
        self.orders = Dictionary(uniqueKeysWithValues: orders.map { ($0.orderNumber, $0) })
        self.credential = credential
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/orders/{number}") { request, context -> Response in
            self.seenAuthorization.append(request.headers[.authorization] ?? "")
            guard request.headers[.authorization] == "Bearer \(self.credential)" else { return Response(status: .unauthorized) }
            let number = context.parameters.get("number") ?? ""
            switch number {
            case "HANG":
                try await Task.sleep(for: .seconds(30))
                return Response(status: .ok)
            case "SLOW":
                try await Task.sleep(for: .milliseconds(1500))
                return try Self.json(Fixtures.order("SLOW", email: "slow@example.com"))
            case "BOOM": return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "stack trace here")))
            case "GARBAGE": return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>not json")))
            case "OTHER":
                return try Self.json(Fixtures.order("ORD-SOMEONE-ELSE", email: "other@example.com"))
            case "HUGE":
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 << 20)))
            case "REDIRECT":
                return Response(status: .found, headers: [.location: "http://127.0.0.1:9/orders/x"])
            default:
                self.seenOrders.append(number)
                while self.paused.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                let delay = self.delay.withLock { $0 }
                if delay > .zero { try await Task.sleep(for: delay) }
                if let slow = self.slow.withLock({ $0[number] }) { try await Task.sleep(for: slow) }
                while self.held.withLock({ $0.contains(number) }) { try await Task.sleep(for: .milliseconds(5)) }
                let fail = self.failures.withLock { failures -> Bool in
                    guard let left = failures[number], left > 0 else { return false }
                    failures[number] = left - 1
                    return true
                }
                if fail { return Response(status: .serviceUnavailable) }
                if self.gone.withLock({ $0.contains(number) }) { return Response(status: .notFound) }
                guard let order = self.orders[number] else { return Response(status: .notFound) }
                return try Self.json(order)
            }
        }
        router.head("/") { _, _ in Response(status: .ok) }
        return router
    }

    static func json(_ order: OrderDetail) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(order)))
        )
    }

    /// Runs the server on 127.0.0.1 and an ephemeral port for the duration of `body`.
    func run<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        try await LoopbackServer.run(router: router(), body)
    }
}

/// Thread-safe list of strings.
final class SeenValues: Sendable {
    private let values = Mutex<[String]>([])
    func append(_ value: String) { values.withLock { $0.append(value) } }
    var all: [String] { values.withLock { $0 } }
}

/// Runs any router as a real server on a loopback port.
enum LoopbackServer {
    static func run<T: Sendable, Context: RequestContext>(
        router: Router<Context>,
        port: Int = 0,
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T where Context.Source == ApplicationRequestContextSource {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-storefront")
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }
}
