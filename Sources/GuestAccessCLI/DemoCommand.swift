import ArgumentParser
import Configuration
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessServer
import GuestAccessService
import GuestAccessStorage

/// `guest-access demo`: one command from clone to a running service with
/// demo orders, a file mailer and tracking tokens, printing the `curl` lines to try.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the service on a temporary data directory with demo orders."
    )

    @Option var host = "127.0.0.1"
    @Option var port = 8080
    @Option(name: .customLong("data-dir"), help: "Data directory (default: a new temporary directory).")
    var dataDirectory: String?
    @Option(help: "Policy file (default: policy/default.yaml, embedded in the binary).") var policy: String?

    func run() async throws {
        LogBootstrap.bootstrap(level: "info")
        let directory = try dataDirectory ?? Self.makeTemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: directory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let keyring = KeyringFile(dataDirectory: directory)
        if !FileManager.default.fileExists(atPath: keyring.path) { _ = try keyring.create() }
        let ordersPath = directory + "/demo-orders.json"
        try Data(DemoOrders.json.utf8).write(to: URL(fileURLWithPath: ordersPath))
        let adminKeyPath = directory + "/admin-key"
        guard
            FileManager.default.createFile(
                atPath: adminKeyPath,
                contents: Data(AdminKey.generate().utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw ValidationError("cannot write \(adminKeyPath)") }
        let outbox = directory + "/outbox.jsonl"

        var tokens = [(String, String)]()
        do {
            let database = try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
            let minter = TrackingTokens(store: SQLiteTrackingTokenStore(database: database), clock: SystemWallClock(), ttlDays: 30)
            for number in ["ORD-2026-0042", "ORD-2026-0043", "ORD-2026-0044"] {
                tokens.append((number, try await minter.mint(orderNumber: number)))
            }
        }
        printBanner(directory: directory, adminKeyPath: adminKeyPath, outbox: outbox, tokens: tokens)

        var values: [AbsoluteConfigKey: ConfigValue] = [
            AbsoluteConfigKey(Setting.host.key): .init(.string(host), isSecret: false),
            AbsoluteConfigKey(Setting.port.key): .init(.int(port), isSecret: false),
            AbsoluteConfigKey(Setting.dataDirectory.key): .init(.string(directory), isSecret: false),
            AbsoluteConfigKey(Setting.ordersFile.key): .init(.string(ordersPath), isSecret: false),
            AbsoluteConfigKey(Setting.mailer.key): .init(.string("file:" + outbox), isSecret: false),
            AbsoluteConfigKey(Setting.adminKeyFile.key): .init(.string(adminKeyPath), isSecret: false),
            // No load balancer in front of a demo: stop at once on Ctrl-C.
            AbsoluteConfigKey(Setting.drainDelaySeconds.key): .init(.int(0), isSecret: false),
            AbsoluteConfigKey(Setting.pages.key): .init(.bool(true), isSecret: false),
            AbsoluteConfigKey(Setting.brandName.key): .init(.string("Demo Store"), isSecret: false),
            AbsoluteConfigKey(Setting.brandSupport.key): .init(.string("help@shop.example"), isSecret: false),
        ]
        if let policy { values[AbsoluteConfigKey(Setting.policyFile.key)] = .init(.string(policy), isSecret: false) }
        try await ServeCommand.run(reader: ConfigReader(provider: InMemoryProvider(name: "demo", values: values)))
    }

    private func printBanner(directory: String, adminKeyPath: String, outbox: String, tokens: [(String, String)]) {
        let base = "http://\(host):\(port)"
        let order = "ORD-2026-0042"
        let email = DemoOrders.email(of: order)
        var lines = [
            "guest-access demo: data in \(directory) (demo orders, file mailer at \(outbox))",
            "",
            "Open in a browser — the shopper's tracking page (the code email lands in the outbox below):",
            "  \(base)/track/\(tokens[0].1)",
            "  \(base)/lookup    (order \(order), email \(email))",
            "",
            "Public tracking view (minimized, masked) for each demo order:",
        ]
        for (number, token) in tokens { lines.append("  curl -s \(base)/v1/tracking/\(token)    # \(number)") }
        lines += [
            "",
            "An unknown token gets the same 404 as a revoked one:",
            "  curl -s \(base)/v1/tracking/gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "",
            "Verified access, the whole code flow:",
            "  curl -s -X POST \(base)/v1/access-codes -H 'Content-Type: application/json' \\",
            "       -d '{\"orderNumber\":\"\(order)\",\"email\":\"\(email)\"}'        # always 202",
            "  CODE=$(tail -n 1 \(outbox) | sed 's/.*\"code\":\"\\([0-9]*\\)\".*/\\1/')    # the file mailer's last code",
            "  TOKEN=$(curl -s -X POST \(base)/v1/access-codes/verify -H 'Content-Type: application/json' \\",
            "       -d '{\"orderNumber\":\"\(order)\",\"email\":\"\(email)\",\"code\":\"'$CODE'\"}' | sed 's/.*\"accessToken\":\"\\([^\"]*\\)\".*/\\1/')",
            "  curl -s \(base)/v1/guest/order -H \"Authorization: Bearer $TOKEN\"        # the full order",
            "  curl -s -X DELETE \(base)/v1/guest/token -H \"Authorization: Bearer $TOKEN\"   # sign out: 204, then the token is refused",
            "",
            "Mint a tracking token and revoke an order (storefront backend, admin API key):",
            "  curl -s -X POST \(base)/v1/admin/tracking-tokens -H \"Authorization: Bearer $(cat \(adminKeyPath))\" \\",
            "       -H 'Content-Type: application/json' -d '{\"orderNumber\":\"ORD-2026-0042\"}'",
            "  curl -s -X POST \(base)/v1/admin/orders/ORD-2026-0042/revoke -H \"Authorization: Bearer $(cat \(adminKeyPath))\"",
            "",
            "Operations: curl -s \(base)/healthz ; curl -s \(base)/readyz",
            "Keys: guest-access keys list --data-dir \(directory)",
            "Ctrl-C stops the service; the data directory is kept.",
            "",
        ]
        // `try?`: with SIGPIPE ignored (LogBootstrap), a closed standard output is EPIPE, not a `try!` crash.
        try? FileHandle.standardOutput.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/guest-access-demo-XXXXXX").utf8CString)
        guard let result = mkdtemp(&template) else { throw ValidationError("cannot create a temporary directory") }
        return String(cString: result)
    }
}
