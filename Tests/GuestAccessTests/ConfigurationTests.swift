import AsyncHTTPClient
import Foundation
import GuestAccessCore
import NIOCore
import NIOHTTP1
import Testing

@testable import GuestAccessServer

/// `serve` configured as containers and orchestrators configure it: the
/// environment (`GUEST_ACCESS_*`) and a directory of secret files, with the
/// command line winning over both. Runs the real binary.
@Suite("Configuration from the environment and a secrets directory")
struct ConfigurationTests {
    /// A secrets directory (0700) holding `files`, each 0400.
    static func secretsDirectory(_ files: [String: String]) throws -> String {
        let directory = try TestEnvironment.temporaryDirectory()
        chmod(directory, 0o700)
        for (name, content) in files {
            let path = directory + "/" + name
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o400)
        }
        return directory
    }

    static let get = BinaryTests.request

    @Test("serve with no flag at all, configured only by GUEST_ACCESS_* variables and a secrets directory, serves the whole journey")
    func environmentOnly() async throws {
        let env = try TestEnvironment()
        let secrets = try Self.secretsDirectory(["admin-key": env.adminKey + "\n"])
        let process = try RunningProcess(
            ["serve"],
            environment: [
                "GUEST_ACCESS_DATA_DIR": env.directory, "GUEST_ACCESS_PORT": "0", "GUEST_ACCESS_ORDERS": env.ordersPath,
                "GUEST_ACCESS_MAILER": "file:" + env.outboxPath, "GUEST_ACCESS_SECRETS_DIR": secrets,
                "GUEST_ACCESS_DRAIN_DELAY_SECONDS": "0", "GUEST_ACCESS_DATADIR": "a typo",
            ]
        )
        defer { process.signal(SIGKILL) }
        let port = try await process.waitForPort()
        let base = "http://127.0.0.1:\(port)"
        let order = Fixtures.orders[0]
        let (minted, body) = try await Self.get(
            base + "/v1/admin/tracking-tokens",
            .POST,
            env.adminKey,
            #"{"orderNumber":"\#(order.orderNumber)"}"#
        )
        #expect(minted == 201, "\(body)")
        let token = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["trackingToken"] as? String)
        #expect(try await Self.get(base + "/v1/tracking/\(token)", .GET, nil, nil).0 == 200)
        let requested = try await Self.get(
            base + "/v1/access-codes",
            .POST,
            nil,
            #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)"}"#
        )
        #expect(requested.0 == 202)
        let code = try await env.waitForCode(order.orderNumber)
        let verified = try await Self.get(
            base + "/v1/access-codes/verify",
            .POST,
            nil,
            #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)","code":"\#(code)"}"#
        )
        #expect(verified.0 == 200)
        // A variable that names no setting is reported by name, not silently dropped.
        let warning = try await process.waitForLog("name no setting")
        #expect(warning.contains("GUEST_ACCESS_DATADIR"))
        #expect(!process.stderr.contains(env.adminKey))
    }

    @Test("A flag wins over the environment, the environment over the secrets directory; --print-config names each source")
    func precedence() async throws {
        let env = try TestEnvironment()
        let secrets = try Self.secretsDirectory(["port": "7003", "log-level": "debug", "admin-key": env.adminKey])
        let base = ["serve", "--print-config", "--data-dir", env.directory, "--orders", env.ordersPath]
        let environment = ["GUEST_ACCESS_SECRETS_DIR": secrets, "GUEST_ACCESS_PORT": "7002"]

        let flagged = try await BinaryRunner.run(base + ["--port", "7001"], environment: environment)
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(Self.line("port", in: flagged.stdout) == ["port", "7001", "--port"])
        #expect(Self.line("log-level", in: flagged.stdout) == ["log-level", "debug", secrets + "/log-level"])
        #expect(Self.line("admin-key", in: flagged.stdout) == ["admin-key", "<redacted>", secrets + "/admin-key"])
        #expect(Self.line("data-dir", in: flagged.stdout) == ["data-dir", env.directory, "--data-dir"])
        #expect(flagged.stdout.contains("configuration ok"))

        let fromEnvironment = try await BinaryRunner.run(base, environment: environment)
        #expect(Self.line("port", in: fromEnvironment.stdout) == ["port", "7002", "GUEST_ACCESS_PORT"])
        let fromDirectory = try await BinaryRunner.run(base, environment: ["GUEST_ACCESS_SECRETS_DIR": secrets])
        #expect(Self.line("port", in: fromDirectory.stdout) == ["port", "7003", secrets + "/port"])
        #expect(Self.line("host", in: fromDirectory.stdout) == ["host", "-", "default: 127.0.0.1"])

        // The flag wins so completely that a bad value below it is never read.
        let process = try RunningProcess(
            [
                "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file",
                env.adminKeyPath,
            ],
            environment: ["GUEST_ACCESS_PORT": "not-a-port"]
        )
        defer { process.signal(SIGKILL) }
        #expect(try await process.waitForPort() > 0)
    }

    @Test("systemd's $CREDENTIALS_DIRECTORY is the secrets directory when none is named")
    func systemdCredentials() async throws {
        let env = try TestEnvironment()
        let credentials = try Self.secretsDirectory(["admin-key": env.adminKey])
        let result = try await BinaryRunner.run(
            ["serve", "--print-config", "--data-dir", env.directory, "--orders", env.ordersPath],
            environment: ["CREDENTIALS_DIRECTORY": credentials]
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.line("admin-key", in: result.stdout) == ["admin-key", "<redacted>", credentials + "/admin-key"])
        #expect(Self.line("secrets-dir", in: result.stdout) == ["secrets-dir", credentials, "CREDENTIALS_DIRECTORY"])
    }

    @Test("--print-config shows no secret: every secret setting, and a password in a URL, is redacted")
    func printConfigRedacts() async throws {
        let env = try TestEnvironment()
        let values = Dictionary(
            uniqueKeysWithValues: Setting.allCases.filter(\.isSecret).map { ($0, "\($0.rawValue)-value-\(UUID().uuidString)") }
        )
        let fromDirectory: Set<Setting> = [.smtpPassword, .opsCredential, .webhookSecret]
        let secrets = try Self.secretsDirectory(
            Dictionary(uniqueKeysWithValues: values.filter { fromDirectory.contains($0.key) }.map { ($0.key.rawValue, $0.value) })
        )
        var environment = Dictionary(
            uniqueKeysWithValues: values.filter { !fromDirectory.contains($0.key) }.map { ($0.key.environmentName, $0.value) }
        )
        environment["GUEST_ACCESS_SECRETS_DIR"] = secrets
        environment["GUEST_ACCESS_PROVIDER_URL"] = "https://provider:hunter2-in-url@shop.example/guest"
        let result = try await BinaryRunner.run(["serve", "--print-config", "--data-dir", env.directory], environment: environment)
        for setting in Setting.allCases where setting.isSecret {
            #expect(Self.line(setting.rawValue, in: result.stdout)?.dropFirst().first == "<redacted>", "\(setting)")
        }
        #expect(result.stdout.contains("https://provider:<redacted>@shop.example/guest"))
        for value in values.values + ["hunter2"] {
            #expect(!result.stdout.contains(value) && !result.stderr.contains(value))
        }
    }

    @Test(
        "Bad configuration is refused with one line naming the setting",
        arguments: [
            ("port", "GUEST_ACCESS_PORT must be a whole number"),
            ("twice", "the admin key is given twice"),
            ("provider-url-userinfo", "must not hold user information"),
            ("webhook-userinfo", "no user information in the URL"),
            ("keyring-poll", "must be between 10 and 60000"),
            ("short-ops-credential", "the operations credential must be at least 32"),
            ("ops-credential-is-admin-key", "the operations credential must differ from the admin key"),
            ("group-writable-secret-file", "is writable by group or others"),
            ("open-secrets", "is writable by group or others"),
            ("empty-secret", "is empty"),
            ("plaintext-auth", "--smtp-allow-plaintext cannot be used with SMTP credentials"),
            ("user-without-password", "an SMTP user name needs a password"),
            ("credentials-in-mailer-url", "credentials go in --smtp-username"),
            ("ops-credential-without-port", "need an operations port"),
            ("log-level", "must be trace, debug, info"),
            ("bool", "GUEST_ACCESS_SMTP_ALLOW_PLAINTEXT must be true or false"),
        ]
    )
    func refusals(scenario: String, expected: String) async throws {
        let env = try TestEnvironment()
        var arguments = ["serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath]
        var environment = ["GUEST_ACCESS_ADMIN_KEY": env.adminKey]
        switch scenario {
        case "port":
            arguments = ["serve", "--data-dir", env.directory, "--orders", env.ordersPath]
            environment["GUEST_ACCESS_PORT"] = "80 80"
        case "twice": environment["GUEST_ACCESS_ADMIN_KEY_FILE"] = env.adminKeyPath
        case "provider-url-userinfo":
            arguments = ["serve", "--port", "0", "--data-dir", env.directory, "--provider-url", "https://shop:hunter2-url@shop.example/p"]
        case "webhook-userinfo":
            arguments += ["--mailer", "webhook:https://relay:hunter2-hook@relay.example/hook"]
            environment["GUEST_ACCESS_WEBHOOK_SECRET"] = String(repeating: "w", count: 40)
        case "keyring-poll": environment["GUEST_ACCESS_KEYRING_POLL_MILLISECONDS"] = "-5"
        case "short-ops-credential":
            // With the HTTP provider too: its client must not be made before the refusal (it once crashed the process).
            arguments = [
                "serve", "--port", "0", "--ops-port", "0", "--data-dir", env.directory, "--provider-url", "https://shop.example/p",
            ]
            environment["GUEST_ACCESS_OPS_CREDENTIAL"] = "hunter2-short"
        case "ops-credential-is-admin-key":
            arguments += ["--ops-port", "0"]
            environment["GUEST_ACCESS_OPS_CREDENTIAL"] = env.adminKey
        case "group-writable-secret-file":
            let secrets = try Self.secretsDirectory(["mailer": "file:/tmp/x.jsonl"])
            chmod(secrets + "/mailer", 0o664)
            environment["GUEST_ACCESS_SECRETS_DIR"] = secrets
        case "open-secrets":
            let secrets = try Self.secretsDirectory([:])
            chmod(secrets, 0o777)
            environment["GUEST_ACCESS_SECRETS_DIR"] = secrets
        case "empty-secret": environment["GUEST_ACCESS_ADMIN_KEY"] = " \n"
        case "plaintext-auth":
            arguments += ["--mailer", "smtp://127.0.0.1:2525", "--smtp-username", "u", "--smtp-allow-plaintext"]
            environment["GUEST_ACCESS_SMTP_PASSWORD"] = "hunter2-smtp"
        case "user-without-password": arguments += ["--mailer", "smtps://127.0.0.1:465", "--smtp-username", "u"]
        case "credentials-in-mailer-url": arguments += ["--mailer", "smtp://u:hunter2-smtp@mail.example:587"]
        case "ops-credential-without-port": environment["GUEST_ACCESS_OPS_CREDENTIAL"] = String(repeating: "o", count: 40)
        case "log-level": environment["GUEST_ACCESS_LOG_LEVEL"] = "chatty"
        case "bool": environment["GUEST_ACCESS_SMTP_ALLOW_PLAINTEXT"] = "maybe"
        default: Issue.record("unknown scenario")
        }
        let result = try await BinaryRunner.run(arguments, environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("guest-access: error: "))
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(!result.stderr.contains(env.adminKey) && !result.stderr.contains("hunter2"))
    }

    @Test(
        "A secret's file flag wins over the same secret in the credentials directory, and a Kubernetes-style symbolic link is read; files that name no setting are reported"
    )
    func secretPrecedenceAndLinks() async throws {
        let env = try TestEnvironment()
        let credentials = try Self.secretsDirectory(["admin-key": "credentials-directory-key-\(UUID().uuidString)"])
        // Kubernetes: NAME -> ..data/NAME, the real files in a hidden directory.
        try FileManager.default.createDirectory(atPath: credentials + "/..data", withIntermediateDirectories: false)
        try Data("orders.example.test".utf8).write(to: URL(fileURLWithPath: credentials + "/..data/mail-from-typo"))
        try Data("shop@orders.example".utf8).write(to: URL(fileURLWithPath: credentials + "/..data/mail-from"))
        try FileManager.default.createSymbolicLink(atPath: credentials + "/mail-from", withDestinationPath: "..data/mail-from")
        try FileManager.default.createSymbolicLink(atPath: credentials + "/mailfrom", withDestinationPath: "..data/mail-from-typo")
        chmod(credentials, 0o500)
        defer { chmod(credentials, 0o700) }
        let result = try await BinaryRunner.run(
            ["serve", "--print-config", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath],
            environment: ["CREDENTIALS_DIRECTORY": credentials]
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.line("admin-key-file", in: result.stdout) == ["admin-key-file", env.adminKeyPath, "--admin-key-file"])
        #expect(Self.line("admin-key", in: result.stdout)?.dropFirst().first == "-")
        #expect(Self.line("mail-from", in: result.stdout) == ["mail-from", "shop@orders.example", credentials + "/mail-from"])
        #expect(result.stdout.contains("ignored: \(credentials)/mailfrom names no setting"))
        #expect(result.stdout.contains("configuration ok"))
    }

    @Test("--print-config refuses what serve would refuse: a short admin key, a missing keyring, an open data directory")
    func printConfigChecksFiles() async throws {
        for scenario in ["short-key", "no-keyring", "open-directory"] {
            let env = try TestEnvironment()
            var environment = ["GUEST_ACCESS_ADMIN_KEY": env.adminKey]
            switch scenario {
            case "short-key": environment["GUEST_ACCESS_ADMIN_KEY"] = "hunter2-short"
            case "no-keyring": try FileManager.default.removeItem(atPath: env.keyringPath)
            default: chmod(env.directory, 0o755)
            }
            let result = try await BinaryRunner.run(
                ["serve", "--print-config", "--data-dir", env.directory, "--orders", env.ordersPath],
                environment: environment
            )
            #expect(result.status == 1, "\(scenario)")
            #expect(!result.stdout.contains("configuration ok"), "\(scenario)")
            #expect(result.stderr.hasPrefix("guest-access: error: "), "\(scenario): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2"))
        }
    }

    @Test("A password in a URL is redacted by --print-config even when it holds a slash, a question mark or a hash")
    func urlRedaction() {
        for (url, shown) in [
            ("https://user:pa/ss@h.example/p", "https://user:<redacted>@h.example/p"),
            ("https://u:hook#sec@h.example/", "https://u:<redacted>@h.example/"),
            ("webhook:https://u:a?b@h.example/x", "webhook:https://u:<redacted>@h.example/x"),
            ("https://token@h.example/", "https://<redacted>@h.example/"),
            ("https://h.example/p", "https://h.example/p"),
        ] {
            #expect(ConfigurationSources.withoutURLPassword(url) == shown)
        }
    }

    @Test("The README's settings table lists every setting with its flag, variable and default")
    func readmeTable() throws {
        let readme = try String(
            contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md").path,
            encoding: .utf8
        )
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for setting in Setting.allCases {
            let row = rows.first { $0.hasPrefix("| `\(setting.rawValue)` |") }
            #expect(row != nil, "no README row for \(setting.rawValue)")
            guard let row else { continue }
            #expect(row.contains("`\(setting.environmentName)`"), "\(row)")
            if let flag = setting.flag { #expect(row.contains("`\(flag)`"), "\(row)") }
            #expect(row.contains(setting.defaultDescription), "\(row)")
        }
    }

    /// The `--print-config` line for `setting`, split into name, value and source.
    static func line(_ setting: String, in output: String) -> [String]? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(setting + " ") }) else { return nil }
        let parts = line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return parts
    }
}
