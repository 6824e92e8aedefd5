import AsyncHTTPClient
import Foundation
import GuestAccessCore
import GuestAccessPolicy
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import GuestAccessService

/// `kill -9` under load, repeatedly. CI runs `GUEST_ACCESS_CRASH_CYCLES` cycles (default 4); the
/// long run in SECURITY.md uses more.
@Suite("Crash safety: kill -9 under concurrent load")
struct CrashSafetyTests {
    static let cycles = Int(ProcessInfo.processInfo.environment["GUEST_ACCESS_CRASH_CYCLES"] ?? "") ?? 4

    /// Orders that get one code and then only guesses; one whose right code is tried again and again;
    /// orders that receive code requests under load.
    static let guessOrders = (0..<4).map { Fixtures.order("ORD-GUESS-\($0)", email: "guess\($0)@example.com") }
    static let winOrder = Fixtures.order("ORD-WIN-0", email: "win@example.com")
    static let requestOrders = (0..<8).map { Fixtures.order("ORD-REQ-\($0)", email: "req\($0)@example.com") }

    final class Tally: Sendable {
        let accepted = Atomic<Int>(0)
        let wins = Atomic<Int>(0)
    }

    static func post(_ url: String, _ body: String) async -> Int? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) else { return nil }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    static func start(_ env: TestEnvironment) async throws -> (RunningProcess, String) {
        let process = try RunningProcess(
            [
                "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath,
                "--mailer", "file:" + env.outboxPath, "--policy", env.policyPath!,
            ])
        let port = try await process.waitForPort()
        return (process, "http://127.0.0.1:\(port)")
    }

    @Test("After repeated kill -9 under load: integrity ok, counters never go down, no code succeeds twice, no request lost")
    func killNine() async throws {
        let policy = TestEnvironment.fastPolicy.with {
            $0.codes.perOrderLimit = 100
            $0.codes.perOrderWindowSeconds = 60
            $0.codes.perEmailLimit = 1000
        }
        let env = try TestEnvironment(typedOrders: Self.guessOrders + [Self.winOrder] + Self.requestOrders, policy: policy)
        let database = DatabaseInspector(directory: env.directory)

        // Codes for the guess orders and the win order, before any crash.
        var (process, base) = try await Self.start(env)
        var winCode = ""
        for order in Self.guessOrders + [Self.winOrder] {
            #expect(
                await Self.post(base + "/v1/access-codes", #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)"}"#) == 202
            )
            let code = try await env.waitForCode(order.orderNumber)
            if order.orderNumber == Self.winOrder.orderNumber { winCode = code }
        }
        let tally = Tally()
        var lastAttempts = [String: Int]()
        var lastFailures = [String: Int]()

        for cycle in 0..<Self.cycles {
            if cycle > 0 { (process, base) = try await Self.start(env) }
            let url = base
            let code = winCode
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            var index = 0
                            while !Task.isCancelled {
                                index += 1
                                switch (worker + index) % 3 {
                                case 0:
                                    let order = Self.requestOrders[(worker + index) % Self.requestOrders.count]
                                    if await Self.post(
                                        url + "/v1/access-codes",
                                        #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)"}"#
                                    )
                                        == 202
                                    {
                                        tally.accepted.add(1, ordering: .relaxed)
                                    }
                                case 1:
                                    let order = Self.guessOrders[(worker + index) % Self.guessOrders.count]
                                    _ = await Self.post(
                                        url + "/v1/access-codes/verify",
                                        #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)","code":"\#(String(format: "%06d", index % 1_000_000))"}"#
                                    )
                                default:
                                    if await Self.post(
                                        url + "/v1/access-codes/verify",
                                        #"{"orderNumber":"\#(Self.winOrder.orderNumber)","email":"\#(Self.winOrder.email)","code":"\#(code)"}"#
                                    ) == 200 {
                                        tally.wins.add(1, ordering: .relaxed)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Time under load, varied per cycle so the kill lands at different points of the work.
            try await Task.sleep(for: .milliseconds(700 + 150 * (cycle % 4)))
            process.signal(SIGKILL)
            _ = try await process.wait(timeout: .seconds(10))
            load.cancel()
            await load.value

            #expect(try database.integrityCheck() == "ok", "cycle \(cycle)")
            let (attempts, failures) = try database.counters()
            for order in Self.guessOrders.map(\.orderNumber) {
                #expect((attempts[order] ?? 0) >= (lastAttempts[order] ?? 0), "attempts went down for \(order) in cycle \(cycle)")
                #expect((attempts[order] ?? 0) <= 5)
                #expect((failures[order] ?? 0) >= (lastFailures[order] ?? 0), "failures went down for \(order) in cycle \(cycle)")
            }
            lastAttempts = attempts
            lastFailures = failures
        }

        // One clean start drains the queue: every accepted request reaches an outcome.
        (process, base) = try await Self.start(env)
        do {
            try await waitUntil("a clean start has finished every queued request", timeout: .seconds(30), poll: .milliseconds(50)) {
                try database.requestCounts().pending == 0
            }
        } catch {
            process.signal(SIGKILL)  // not left serving after the test
            throw error
        }
        process.signal(SIGTERM)
        #expect(try await process.wait(timeout: .seconds(20)) == 0)

        let counts = try database.requestCounts()
        #expect(tally.accepted.load(ordering: .relaxed) > 0)
        #expect(counts.all >= tally.accepted.load(ordering: .relaxed) + Self.guessOrders.count + 1, "an accepted request was lost")
        #expect(counts.pending == 0)
        let delivered = env.outbox().filter { $0["orderNumber"]?.hasPrefix("ORD-REQ-") == true }.count
        #expect(delivered >= counts.sent - Self.guessOrders.count - 1)
        #expect(tally.wins.load(ordering: .relaxed) <= 1, "a code succeeded more than once")
        #expect(try database.integrityCheck() == "ok")
        print(
            "crash safety: \(Self.cycles) kill -9 cycles; \(tally.accepted.load(ordering: .relaxed)) code requests accepted, "
                + "\(counts.all) queued, \(counts.sent) sent, \(delivered) delivered under load; guess orders' failures \(lastFailures.values.sorted()); "
                + "right-code successes \(tally.wins.load(ordering: .relaxed))"
        )
    }
}
