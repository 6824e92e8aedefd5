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
            Every option can also come from the environment as GUEST_ACCESS_ and its name in upper snake case \
            (--data-dir: GUEST_ACCESS_DATA_DIR), or from a file of its name in a secrets directory (--secrets-dir, \
            GUEST_ACCESS_SECRETS_DIR, or systemd's $CREDENTIALS_DIRECTORY); an option given on the command line wins, \
            then the environment, then the directory. Secret values never go on a command line: GUEST_ACCESS_ADMIN_KEY, \
            GUEST_ACCESS_PROVIDER_CREDENTIAL, GUEST_ACCESS_WEBHOOK_SECRET, GUEST_ACCESS_DATABASE_PASSWORD, \
            GUEST_ACCESS_SMTP_PASSWORD, GUEST_ACCESS_OPS_CREDENTIAL (or secrets-directory files admin-key, …), or the \
            --…-file options. --print-config shows what applies and where it came from. SIGHUP or a change of \
            keyring.json reloads the keyring. Several replicas share one PostgreSQL database (--database postgres://…) \
            and one keyring content.
            """
    )

    @Option(help: "Address the public API listens on (default 127.0.0.1).") var host: String?
    @Option(help: "Port of the public API (default 8080).") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Directory (mode 0700) holding keyring.json and the SQLite database.")
    var dataDirectory: String?
    @Option(name: .customLong("secrets-dir"), help: "Directory of secret files named after settings (admin-key, smtp-password, …).")
    var secretsDirectory: String?
    @Option(help: "Policy file (default: policy/default.yaml, embedded in the binary).") var policy: String?
    @Option(help: "Embedded provider: a JSON array of OrderDetail.") var orders: String?
    @Option(name: .customLong("provider-url"), help: "HTTP provider base URL: GET {URL}/orders/{orderNumber}.")
    var providerURL: String?
    @Option(name: .customLong("provider-credential-file"), help: "File holding the provider's bearer credential.")
    var providerCredentialFile: String?
    @Option(help: "file:PATH (development only), smtp://HOST:PORT (STARTTLS), smtps://HOST:PORT (implicit TLS) or webhook:URL.")
    var mailer: String?
    @Option(name: .customLong("mail-from"), help: "Sender address of code emails.") var mailFrom: String?
    @Option(name: .customLong("smtp-username"), help: "SMTP AUTH user name (PLAIN or LOGIN, only ever over TLS).")
    var smtpUsername: String?
    @Option(name: .customLong("smtp-password-file"), help: "File holding the SMTP AUTH password (mode 0600).")
    var smtpPasswordFile: String?
    @Option(name: .customLong("smtp-ca-file"), help: "PEM trust roots for SMTP TLS (default: the system's).")
    var smtpCAFile: String?
    @Flag(
        name: .customLong("smtp-allow-plaintext"),
        inversion: .prefixedNo,
        help: "Send over SMTP in clear when the server offers no STARTTLS (--no-smtp-allow-plaintext overrides the environment)."
    )
    var smtpAllowPlaintext: Bool?
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
    @Option(name: .customLong("ops-host"), help: "Address of the operations listener (default 127.0.0.1).")
    var opsHost: String?
    @Option(
        name: .customLong("ops-port"),
        help: "Port of the operations listener (/healthz, /readyz, /metrics); the public port then serves no /metrics."
    )
    var opsPort: Int?
    @Option(name: .customLong("ops-credential-file"), help: "File holding the bearer credential /metrics asks for on the operations port.")
    var opsCredentialFile: String?
    @Flag(help: "Serve the shopper pages: /track/{token}, /lookup, the code step, the full order, sign-out.") var pages = false
    @Option(name: .customLong("brand-name"), help: "Store name on the pages and in the code email.") var brandName: String?
    @Option(name: .customLong("brand-logo-url"), help: "https URL of the store's logo.") var brandLogoURL: String?
    @Option(name: .customLong("brand-accent"), help: "Accent colour as #rrggbb (default #1f5fbf).") var brandAccent: String?
    @Option(name: .customLong("brand-support"), help: "Support contact: an email address or an https URL.") var brandSupport: String?
    @Option(name: .customLong("cors-origins"), help: "Comma-separated browser origins allowed to call the guest API.")
    var corsOrigins: String?
    @Option(name: .customLong("public-origin"), help: "The pages' origin as browsers see it, e.g. https://orders.shop.example.")
    var publicOrigin: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?
    @Option(
        name: .customLong("drain-delay-seconds"),
        help: "After SIGTERM, seconds to keep serving with /readyz answering 503 before draining (default 5)."
    )
    var drainDelaySeconds: Int?
    @Flag(name: .customLong("print-config"), help: "Print every setting, its value (secrets redacted) and its source, then exit.")
    var printConfig = false

    /// The options given on the command line, and nothing defaulted: a
    /// default here would hide the environment's value.
    var givenOptions: [Setting: ConfigContent] {
        var given: [Setting: ConfigContent] = [:]
        let strings: [(Setting, String?)] = [
            (.host, host), (.dataDirectory, dataDirectory), (.secretsDirectory, secretsDirectory), (.policyFile, policy),
            (.ordersFile, orders), (.providerURL, providerURL), (.providerCredentialFile, providerCredentialFile),
            (.mailer, mailer), (.mailFrom, mailFrom), (.smtpUsername, smtpUsername), (.smtpPasswordFile, smtpPasswordFile),
            (.smtpCAFile, smtpCAFile), (.webhookSecretFile, webhookSecretFile), (.adminKeyFile, adminKeyFile),
            (.trustedProxies, trustedProxies), (.database, database), (.databasePasswordFile, databasePasswordFile),
            (.opsHost, opsHost), (.opsCredentialFile, opsCredentialFile), (.logLevel, logLevel), (.brandName, brandName),
            (.brandLogoURL, brandLogoURL), (.brandAccent, brandAccent), (.brandSupport, brandSupport), (.corsOrigins, corsOrigins),
            (.publicOrigin, publicOrigin),
        ]
        for case (let setting, let value?) in strings { given[setting] = .string(value) }
        for case (let setting, let value?) in [(Setting.port, port), (.opsPort, opsPort), (.drainDelaySeconds, drainDelaySeconds)] {
            given[setting] = .int(value)
        }
        if let smtpAllowPlaintext { given[.smtpAllowPlaintext] = .bool(smtpAllowPlaintext) }
        if pages { given[.pages] = .bool(true) }
        return given
    }

    func run() async throws {
        let sources: ConfigurationSources
        do {
            sources = try await ConfigurationSources.load(commandLine: givenOptions, environment: ProcessInfo.processInfo.environment)
        } catch {
            reportFailure(error.message)
            throw ExitCode.failure
        }
        if printConfig { return try Self.printConfiguration(sources) }
        let settings: ServiceSettings
        do { settings = try ServiceSettings(reader: sources.reader) } catch {
            reportFailure(error.message)
            throw ExitCode.failure
        }
        LogBootstrap.bootstrap(level: settings.logLevel.rawValue)
        if !AllocatorTuning.apply() {
            Logger(label: "guest-access").warning(
                "glibc's mallopt was not found or refused: the allocator keeps its default trim threshold"
            )
        }
        if !sources.unknownVariables.isEmpty {
            Logger(label: "guest-access").warning(
                "environment variables that name no setting are ignored",
                metadata: ["variables": "\(sources.unknownVariables.joined(separator: ","))"]
            )
        }
        try await Self.run(reader: sources.reader)
    }

    /// `--print-config`: one line per setting — name, value (`-` when unset),
    /// and where it came from (a flag, a variable, a file) or its default —
    /// then the settings' and files' verdict (policy, data directory,
    /// keyring): `configuration ok` or the one-line reason `serve` would give.
    /// The network (database, ports, provider) is not tried. Secrets show as `<redacted>`.
    static func printConfiguration(_ sources: ConfigurationSources) throws {
        let rows = sources.resolved()
        let nameWidth = (rows.map(\.setting.rawValue.count).max() ?? 0) + 2
        let valueWidth = (rows.map { ($0.shown ?? "-").count }.max() ?? 0) + 2
        var text = ""
        for row in rows {
            text += row.setting.rawValue.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            text += (row.shown ?? "-").padding(toLength: valueWidth, withPad: " ", startingAt: 0)
            text += (row.origin ?? "default: \(row.setting.defaultDescription)") + "\n"
        }
        for variable in sources.unknownVariables { text += "ignored: \(variable) names no setting\n" }
        print(text, terminator: "")
        do {
            let settings = try ServiceSettings(reader: sources.reader)
            _ = try settings.preflight()
            for warning in settings.warnings { print("warning: \(warning)") }
            print("configuration ok")
        } catch {
            reportFailure(error.message)
            throw ExitCode.failure
        }
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
