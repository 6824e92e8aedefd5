import AsyncHTTPClient
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessPolicy
import NIOCore
import NIOHTTP1
import Testing

@Suite("The guest-access executable, as an operator runs it")
struct BinaryTests {
    @Test("keys init, rotate, list and retire manage keyring.json and never print a secret")
    func keysLifecycle() async throws {
        let directory = try TestEnvironment.temporaryDirectory() + "/data"
        let initResult = try await BinaryRunner.run(["keys", "init", "--data-dir", directory])
        #expect(initResult.status == 0)
        let keyring = KeyringFile(dataDirectory: directory)
        let mode = try FileManager.default.attributesOfItem(atPath: keyring.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await BinaryRunner.run(["keys", "init", "--data-dir", directory]).status != 0)

        #expect(try await BinaryRunner.run(["keys", "rotate", "--data-dir", directory]).status == 0)
        let document = try keyring.load()
        #expect(document.keys.map(\.status) == [.active, .verify])
        let list = try await BinaryRunner.run(["keys", "list", "--data-dir", directory])
        #expect(list.status == 0)
        for key in document.keys {
            #expect(list.stdout.contains(key.kid))
            #expect(!list.stdout.contains(key.secret!))
            #expect(!list.stderr.contains(key.secret!))
        }
        let active = document.keys[0].kid
        let old = document.keys[1].kid
        let refuse = try await BinaryRunner.run(["keys", "retire", active, "--data-dir", directory])
        #expect(refuse.status != 0 && refuse.stderr.contains("rotate"))
        #expect(try await BinaryRunner.run(["keys", "retire", old, "--data-dir", directory]).status == 0)
        #expect(try keyring.load().keys[1].secret == nil)
        let unknown = try await BinaryRunner.run(["keys", "retire", "nope", "--data-dir", directory])
        #expect(unknown.status != 0 && unknown.stderr.contains("no key with id"))
    }

    @Test("keys add makes a verify-only key and keys activate makes it the signer; a retired or unknown key cannot be activated")
    func fleetKeys() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        #expect(try await BinaryRunner.run(["keys", "init", "--data-dir", directory]).status == 0)
        let keyring = KeyringFile(dataDirectory: directory)
        let first = try keyring.load().keys[0].kid
        let added = try await BinaryRunner.run(["keys", "add", "--data-dir", directory])
        #expect(added.status == 0, "\(added.stderr)")
        let afterAdd = try keyring.load()
        let second = afterAdd.keys[0].kid
        #expect(afterAdd.keys.map(\.status) == [.verify, .active] && second != first)
        // A service that loads this keyring verifies what the new key will sign, and still signs with the old one.
        let loaded = try Keyring(document: afterAdd)
        #expect(loaded.active.kid == first && loaded.key(kid: second) != nil)
        #expect(try await BinaryRunner.run(["keys", "activate", second, "--data-dir", directory]).status == 0)
        #expect(try keyring.load().keys.map(\.status) == [.active, .verify])
        #expect(try await BinaryRunner.run(["keys", "retire", first, "--data-dir", directory]).status == 0)
        let retired = try await BinaryRunner.run(["keys", "activate", first, "--data-dir", directory])
        #expect(retired.status != 0 && retired.stderr.contains("is retired"))
        let unknown = try await BinaryRunner.run(["keys", "activate", "nope", "--data-dir", directory])
        #expect(unknown.status != 0 && unknown.stderr.contains("no key with id"))
        #expect(!added.stdout.contains(try #require(afterAdd.keys[0].secret)))
    }

    @Test("policy check --replicas N prints the same guess bound and N times the per-client limits")
    func policyCheckReplicas() async throws {
        let single = try await BinaryRunner.run(["policy", "check"])
        #expect(single.status == 0 && !single.stdout.contains("replicas"), "\(single.stdout)")
        let fleet = try await BinaryRunner.run(["policy", "check", "--replicas", "3"])
        #expect(fleet.status == 0, "\(fleet.stderr)")
        let chances = { (text: String) in text.split(separator: "\n").filter { $0.contains("guesses / 10^6") } }
        #expect(chances(fleet.stdout) == chances(single.stdout) && chances(single.stdout).count == 2)
        let burst = Policy.default.rateLimits.perClientBurst
        let rate = Policy.default.rateLimits.perClientPerSecond
        #expect(fleet.stdout.contains("with 3 replicas"))
        #expect(fleet.stdout.contains("up to \(3 * burst) at once and \(3 * rate) a second"), "\(fleet.stdout)")
        let refused = try await BinaryRunner.run(["policy", "check", "--replicas", "0"])
        #expect(refused.status != 0 && refused.stderr.contains("--replicas must be between 1 and 1000"))
    }

    @Test(
        "serve refuses a bad start with one line naming the reason",
        arguments: [
            ("chmod-keyring", "readable or writable by group or others"),
            ("open-data-dir", "chmod 700 it"),
            ("no-keyring", "keyring not found"),
            ("broken-keyring", "keyring is malformed"),
            ("bad-policy", "codes.ttlSeconds"),
            ("no-data-dir", "does not exist"),
            ("bad-orders", "entry 0"),
            ("no-admin-key", "admin key is required"),
            ("short-admin-key", "at least 32 characters"),
            ("database-url-password", "must not hold a password"),
            ("database-bad-sslmode", "sslmode must be disable, require or verify-full"),
            ("database-plaintext-remote", "sslmode=disable is allowed only for a loopback host"),
            ("database-rootcert-require", "sslrootcert is used only with sslmode=verify-full"),
            ("database-plaintext-signed-octet", "sslmode=disable is allowed only for a loopback host"),
        ]
    )
    func refusals(scenario: String, expected: String) async throws {
        let env = try TestEnvironment()
        var dataDir = env.directory
        var extra: [String] = ["--admin-key-file", env.adminKeyPath]
        var environment: [String: String] = [:]
        switch scenario {
        case "chmod-keyring": chmod(env.keyringPath, 0o644)
        case "open-data-dir": chmod(env.directory, 0o755)
        case "no-keyring": try FileManager.default.removeItem(atPath: env.keyringPath)
        case "broken-keyring": try Data("{".utf8).write(to: URL(fileURLWithPath: env.keyringPath))
        case "bad-policy":
            let policy = try String(contentsOfFile: PolicyTests.defaultPath, encoding: .utf8).replacingOccurrences(
                of: "ttlSeconds: 600",
                with: "ttlSeconds: 1"
            )
            try Data(policy.utf8).write(to: URL(fileURLWithPath: env.directory + "/policy.yaml"))
            extra += ["--policy", env.directory + "/policy.yaml"]
        case "no-data-dir": dataDir = env.directory + "/missing"
        case "bad-orders": try Data(#"[{"orderNumber":"X"}]"#.utf8).write(to: URL(fileURLWithPath: env.ordersPath))
        case "no-admin-key": extra = []
        case "short-admin-key":
            extra = []
            environment["GUEST_ACCESS_ADMIN_KEY"] = "short"
        case "database-url-password": extra += ["--database", "postgres://guest:hunter2-database@127.0.0.1:5432/db"]
        case "database-bad-sslmode": extra += ["--database", "postgres://guest@127.0.0.1:5432/db?sslmode=maybe"]
        case "database-plaintext-remote": extra += ["--database", "postgres://guest@db.internal.example:5432/db?sslmode=disable"]
        case "database-plaintext-signed-octet": extra += ["--database", "postgres://guest@127.0.0.+1:5432/db?sslmode=disable"]
        case "database-rootcert-require":
            extra += ["--database", "postgres://guest@db.example:5432/db?sslmode=require&sslrootcert=/etc/ca.pem"]
        default: Issue.record("unknown scenario")
        }
        let result = try await BinaryRunner.run(
            ["serve", "--port", "0", "--data-dir", dataDir, "--orders", env.ordersPath] + extra,
            environment: environment
        )
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("guest-access: error: "))
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(!result.stderr.contains(env.adminKey))
        #expect(!result.stderr.contains("hunter2"))
    }

    /// Starts `serve` at `debug` with standard error on `descriptor` (taken
    /// over and closed with the process's handle); waits until it answers or
    /// has exited.
    static func serveLoggingTo(_ descriptor: Int32, _ env: TestEnvironment) async throws -> (RunningProcess, Int) {
        let port = try SMTPSink.freePort()
        let process = try RunningProcess(
            [
                "serve", "--port", "\(port)", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file",
                env.adminKeyPath, "--mailer", "file:" + env.directory + "/outbox.jsonl", "--log-level", "debug",
            ],
            standardError: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        )
        try await waitUntil("the service answers on its port, or has exited", timeout: .seconds(30)) {
            if !process.process.isRunning { return true }
            return (try? await request("http://127.0.0.1:\(port)/healthz").0) == 200
        }
        return (process, port)
    }

    @Test("A service whose standard error is a pipe nobody reads keeps serving: its log lines are dropped, the process is not killed")
    func servesWithStandardErrorGone() async throws {
        let env = try TestEnvironment()
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        // The reading end closed before the service starts: every line it writes meets a pipe without a reader.
        close(ends[0])
        let (process, port) = try await Self.serveLoggingTo(ends[1], env)
        defer { process.signal(SIGKILL) }
        #expect(process.process.isRunning, "exit status \(process.process.terminationStatus)")
        // Traffic that logs at every level it can: a lookup, an unknown token, an admin call without the key.
        #expect(try await Self.request("http://127.0.0.1:\(port)/v1/tracking/gt_not-a-real-token-but-looks-close").0 == 404)
        #expect(try await Self.request("http://127.0.0.1:\(port)/v1/admin/tracking-tokens", method: .POST, body: "{}").0 == 401)
        #expect(try await Self.request("http://127.0.0.1:\(port)/healthz").0 == 200)
        #expect(process.process.isRunning)
    }

    @Test(
        "A service whose standard error nobody reads for a while keeps answering: the lines it could not hold are dropped and counted, and a line says so once the reader is back"
    )
    func servesWhileStandardErrorIsStuck() async throws {
        let env = try TestEnvironment()
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        // A blocking pipe, as a service's standard error usually is, whose reader reads nothing until told.
        let readEnd = ends[0]
        defer { close(readEnd) }
        let (process, port) = try await Self.serveLoggingTo(ends[1], env)
        defer { process.signal(SIGKILL) }
        try #require(process.process.isRunning, "exit status \(process.process.terminationStatus)")
        // The counter is there from the start, at 0.
        func dropped() async throws -> Int? {
            let (status, metrics) = try await Self.request("http://127.0.0.1:\(port)/metrics", bearer: env.adminKey)
            #expect(status == 200)
            let counted = metrics.split(separator: "\n").first { $0.hasPrefix("guest_access_log_lines_dropped_total ") }
            return counted.flatMap { Int($0.split(separator: " ").last ?? "") }
        }
        #expect(try await dropped() == 0)
        // Rounds of 800 requests, 8 at a time, until lines have been dropped: more log than the pipe (64 KiB) and
        // the service's queue (1 MiB) hold. Every request is still answered.
        var sent = 0
        while sent < 40_000, try await dropped() == 0 {
            let round = sent
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        var answered = 0
                        for index in 0..<100 {
                            let url = "http://127.0.0.1:\(port)/v1/tracking/gt_stuck-reader-\(round)-\(lane)-\(index)"
                            // A lane stops at its first request not answered in time (10 s). Past the default
                            // rate limit's burst the answer is 429: logged all the same.
                            guard let status = try? await Self.request(url).0, status == 404 || status == 429 else { break }
                            answered += 1
                        }
                        return answered
                    }
                }
                return try await group.reduce(0, +)
            }
            try #require(answered == 800, "\(answered) of 800 answered after \(sent)")
            sent += 800
        }
        let counted = try #require(try await dropped())
        #expect(counted > 0, "nothing dropped after \(sent) requests")
        // The reader is back: what was held comes out, whole lines, with warnings where lines went missing.
        let output = await LogSinkTests.onThread {
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                var waiting = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                // Quiet for 2 s: everything held has come.
                guard poll(&waiting, 1, 2_000) > 0 else { break }
                let got = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, 65_536) }
                if got <= 0 { break }
                received += chunk[0..<got]
            }
            return received
        }
        #expect(output.last == UInt8(ascii: "\n"))
        var announced = 0
        for line in output.split(separator: UInt8(ascii: "\n")) {
            guard let fields = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                Issue.record("not a whole JSON line: \(String(decoding: line.prefix(80), as: UTF8.self))")
                continue
            }
            guard (fields["msg"] as? String)?.hasPrefix("log lines dropped") == true else { continue }
            #expect(fields["level"] as? String == "warning")
            announced += try #require(Int(fields["dropped"] as? String ?? ""))
        }
        // Every line dropped is announced, and counted once.
        #expect(announced > 0)
        #expect(try await dropped() == announced)
    }

    @Test("A running service reloads the keyring on rotate and SIGHUP, keeps it on a broken file, and logs no secret")
    func liveReloadAndLogs() async throws {
        let env = try TestEnvironment()
        let process = try RunningProcess(
            [
                "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath,
                "--mailer", "file:" + env.directory + "/outbox.jsonl",
            ])
        defer { process.signal(SIGKILL) }
        let port = try await process.waitForPort()
        let base = "http://127.0.0.1:\(port)"
        var secrets = [env.adminKey, "wrong-admin-key-0123456789abcdef"] + Fixtures.orders.map(\.email)
        secrets += try KeyringFile(path: env.keyringPath).load().keys.compactMap(\.secret)

        // Traffic of every kind.
        for order in Fixtures.orders {
            let (status, body) = try await Self.request(
                base + "/v1/admin/tracking-tokens",
                method: .POST,
                bearer: env.adminKey,
                body: #"{"orderNumber":"\#(order.orderNumber)"}"#
            )
            #expect(status == 201)
            let token = try #require(
                (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["trackingToken"] as? String
            )
            secrets.append(token)
            #expect(try await Self.request(base + "/v1/tracking/\(token)").0 == 200)
        }
        #expect(try await Self.request(base + "/v1/admin/orders/ORD-2026-0042/revoke", method: .POST, bearer: env.adminKey).0 == 204)
        #expect(try await Self.request(base + "/v1/tracking/\(secrets[secrets.count - 4])").0 == 404)
        #expect(try await Self.request(base + "/v1/admin/tracking-tokens", method: .POST, bearer: secrets[1], body: "{}").0 == 401)
        #expect(try await Self.request(base + "/v1/tracking/gt_not-a-real-token-but-looks-close").0 == 404)

        // Verified access: a code by the file mailer, an access token, a re-fetch, a sign-out.
        let order = Fixtures.orders[1]
        let codeBody = #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)"}"#
        #expect(try await Self.request(base + "/v1/access-codes", method: .POST, body: codeBody).0 == 202)
        let env2 = env
        let code = try await env2.waitForCode(order.orderNumber)
        secrets.append(code)
        let verifyBody = #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)","code":"\#(code)"}"#
        let (verifyStatus, verifyText) = try await Self.request(base + "/v1/access-codes/verify", method: .POST, body: verifyBody)
        #expect(verifyStatus == 200)
        let accessToken = try #require(
            (try? JSONSerialization.jsonObject(with: Data(verifyText.utf8)) as? [String: Any])?["accessToken"] as? String
        )
        secrets.append(accessToken)
        #expect(try await Self.request(base + "/v1/guest/order", bearer: accessToken).0 == 200)
        #expect(try await Self.request(base + "/v1/guest/token", method: .DELETE, bearer: accessToken).0 == 204)
        #expect(try await Self.request(base + "/v1/access-codes/verify", method: .POST, body: verifyBody).0 == 401)

        // Rotation is picked up by the file watcher.
        #expect(try await BinaryRunner.run(["keys", "rotate", "--data-dir", env.directory]).status == 0)
        let rotated = try KeyringFile(path: env.keyringPath).load()
        secrets += rotated.keys.compactMap(\.secret)
        _ = try await process.waitForLog("\"active_kid\":\"\(rotated.keys[0].kid)\"")

        // A broken file is refused and the service keeps serving.
        let good = try Data(contentsOf: URL(fileURLWithPath: env.keyringPath))
        try Data("{ definitely broken".utf8).write(to: URL(fileURLWithPath: env.keyringPath))
        _ = try await process.waitForLog("keyring reload refused")
        #expect(try await Self.request(base + "/readyz").0 == 200)
        #expect(try await Self.request(base + "/healthz").0 == 200)

        // Restoring it reloads it (the file watcher polls every second), and so does SIGHUP after that.
        let reloads = { process.stderr.components(separatedBy: #""msg":"keyring reloaded""#).count - 1 }
        let reloadsBefore = reloads()
        try good.write(to: URL(fileURLWithPath: env.keyringPath))
        chmod(env.keyringPath, 0o600)
        try await waitUntil("the file watcher has reloaded the restored keyring", poll: .milliseconds(50)) { reloads() > reloadsBefore }
        process.signal(SIGHUP)
        _ = try await process.waitForLog("\"trigger\":\"SIGHUP\"")
        #expect(process.process.isRunning)

        process.signal(SIGTERM)
        let status = try await process.wait(timeout: .seconds(20))
        #expect(status == 0)
        let logs = process.stderr
        #expect(logs.contains("DEVELOPMENT MAILER"))
        #expect(logs.contains("\"route\":\"/v1/tracking/{trackingToken}\""))
        for secret in secrets { #expect(!logs.contains(secret), "a log line holds a secret") }
        for line in logs.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not a JSON log line: \(line)")
        }
    }

    static func request(_ url: String, method: HTTPMethod = .GET, bearer: String? = nil, body: String? = nil) async throws -> (Int, String)
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }
}
