import ArgumentParser
import Configuration
import Foundation
import GuestAccessServer
import GuestAccessService
import Hummingbird
import Logging

/// `guest-access serve`: parses flags into configuration and runs `buildApplication`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service.",
        discussion: """
            Secrets may come from the environment: GUEST_ACCESS_ADMIN_KEY (instead of \
            --admin-key-file), GUEST_ACCESS_PROVIDER_CREDENTIAL (instead of \
            --provider-credential-file), GUEST_ACCESS_WEBHOOK_SECRET (instead of --webhook-secret-file) and \
            GUEST_ACCESS_DATABASE_PASSWORD (instead of --database-password-file). SIGHUP or a change of keyring.json reloads \
            the keyring. Several replicas share one PostgreSQL database (--database postgres://…) and one keyring content.
            """
    )

    @Option var host = "127.0.0.1"
    @Option var port = 8080
    @Option(name: .customLong("data-dir")) var dataDirectory: String
    @Option(help: "Policy file (default: policy/default.yaml, embedded in the binary).") var policy: String?
    @Option(help: "Embedded provider: a JSON array of OrderDetail.") var orders: String?
    @Option(name: .customLong("provider-url"), help: "HTTP provider base URL: GET {URL}/orders/{orderNumber}.")
    var providerURL: String?
    @Option(name: .customLong("provider-credential-file"), help: "File holding the provider's bearer credential.")
    var providerCredentialFile: String?
    @Option(help: "file:PATH (development only), smtp://HOST:PORT or webhook:URL.") var mailer: String?
    @Option(name: .customLong("mail-from"), help: "Sender address of code emails.") var mailFrom: String?
    @Option(name: .customLong("smtp-ca-file"), help: "PEM trust roots for SMTP STARTTLS (default: the system's).")
    var smtpCAFile: String?
    @Flag(name: .customLong("smtp-allow-plaintext"), help: "Send over SMTP in clear when the server offers no STARTTLS.")
    var smtpAllowPlaintext = false
    @Option(name: .customLong("webhook-secret-file"), help: "File holding the webhook mailer's signing secret.")
    var webhookSecretFile: String?
    @Option(name: .customLong("admin-key-file"), help: "File holding the admin API key (mode 0600).")
    var adminKeyFile: String?
    @Option(name: .customLong("trusted-proxies"), help: "Comma-separated CIDRs whose X-Forwarded-For is honoured.")
    var trustedProxies: String?
    @Option(
        help: "sqlite:PATH (default: DATA_DIR/guest-access.sqlite) or postgres://USER@HOST:PORT/DB?sslmode=disable|require|verify-full."
    )
    var database: String?
    @Option(name: .customLong("database-password-file"), help: "File holding the PostgreSQL password (mode 0600).")
    var databasePasswordFile: String?
    @Option(name: .customLong("log-level")) var logLevel = "info"
    @Option(
        name: .customLong("drain-delay-seconds"),
        help: "After SIGTERM, seconds to keep serving with /readyz answering 503 before draining (default 5)."
    )
    var drainDelaySeconds: Int?

    func run() async throws {
        LogBootstrap.bootstrap(level: logLevel)
        var values: [AbsoluteConfigKey: ConfigValue] = [
            AbsoluteConfigKey(SettingKey.host): .init(.string(host), isSecret: false),
            AbsoluteConfigKey(SettingKey.port): .init(.int(port), isSecret: false),
            AbsoluteConfigKey(SettingKey.dataDirectory): .init(.string(dataDirectory), isSecret: false),
            AbsoluteConfigKey(SettingKey.logLevel): .init(.string(logLevel), isSecret: false),
        ]
        let environment = ProcessInfo.processInfo.environment
        values[AbsoluteConfigKey(SettingKey.policyFile)] = policy.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.ordersFile)] = orders.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.providerURL)] = providerURL.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.mailer)] = mailer.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.adminKeyFile)] = adminKeyFile.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.trustedProxies)] = trustedProxies.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.drainDelaySeconds)] = drainDelaySeconds.map { .init(.int($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.mailFrom)] = mailFrom.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.smtpCAFile)] = smtpCAFile.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.smtpAllowPlaintext)] = .init(.bool(smtpAllowPlaintext), isSecret: false)
        values[AbsoluteConfigKey(SettingKey.webhookSecretFile)] = webhookSecretFile.map { .init(.string($0), isSecret: false) }
        if webhookSecretFile == nil, let secret = environment["GUEST_ACCESS_WEBHOOK_SECRET"] {
            values[AbsoluteConfigKey(SettingKey.webhookSecret)] = .init(.string(secret), isSecret: true)
        }
        values[AbsoluteConfigKey(SettingKey.database)] = database.map { .init(.string($0), isSecret: false) }
        values[AbsoluteConfigKey(SettingKey.databasePasswordFile)] = databasePasswordFile.map { .init(.string($0), isSecret: false) }
        if databasePasswordFile == nil, let password = environment["GUEST_ACCESS_DATABASE_PASSWORD"] {
            values[AbsoluteConfigKey(SettingKey.databasePassword)] = .init(.string(password), isSecret: true)
        }
        if adminKeyFile == nil, let key = environment["GUEST_ACCESS_ADMIN_KEY"] {
            values[AbsoluteConfigKey(SettingKey.adminKey)] = .init(.string(key), isSecret: true)
        }
        if let file = providerCredentialFile {
            do {
                values[AbsoluteConfigKey(SettingKey.providerCredential)] = .init(
                    .string(try ServiceSettings.readSecretFile(file, what: "provider credential file")),
                    isSecret: true
                )
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
        } else if let credential = environment["GUEST_ACCESS_PROVIDER_CREDENTIAL"] {
            values[AbsoluteConfigKey(SettingKey.providerCredential)] = .init(.string(credential), isSecret: true)
        }
        try await Self.run(reader: ConfigReader(provider: InMemoryProvider(name: "command line", values: values)))
    }

    /// Builds and runs the service, turning a refusal to start into one line and exit 1.
    static func run(reader: ConfigReader) async throws {
        let app: any ApplicationProtocol
        let settings: ServiceSettings
        do {
            settings = try ServiceSettings(reader: reader)
            app = try await buildApplication(reader: reader)
        } catch let error as StartupError {
            reportFailure(error.message)
            throw ExitCode.failure
        }
        try await ShutdownSignals.run(app, drainDelay: settings.drainDelay, logger: Logger(label: "guest-access"))
    }
}
