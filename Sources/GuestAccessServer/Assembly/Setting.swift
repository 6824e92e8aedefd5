public import Configuration
import Foundation

/// Every setting `serve` reads, named once: the raw value is the flag's name
/// (`--data-dir`), the configuration key (`data-dir`), the file name in a
/// secrets directory, and — upper snake case behind `GUEST_ACCESS_` — the
/// environment variable (`GUEST_ACCESS_DATA_DIR`). `serve --print-config`,
/// the README's table and the tests all walk this one list, so a setting
/// cannot be spelt two ways or left out of the docs.
public enum Setting: String, CaseIterable, Sendable {
    case host
    case port
    case dataDirectory = "data-dir"
    case secretsDirectory = "secrets-dir"
    case policyFile = "policy"
    case ordersFile = "orders"
    case providerURL = "provider-url"
    case providerCredential = "provider-credential"
    case providerCredentialFile = "provider-credential-file"
    case mailer
    case mailFrom = "mail-from"
    case smtpUsername = "smtp-username"
    case smtpPassword = "smtp-password"
    case smtpPasswordFile = "smtp-password-file"
    case smtpCAFile = "smtp-ca-file"
    case smtpAllowPlaintext = "smtp-allow-plaintext"
    case webhookSecret = "webhook-secret"
    case webhookSecretFile = "webhook-secret-file"
    case adminKey = "admin-key"
    case adminKeyFile = "admin-key-file"
    case trustedProxies = "trusted-proxies"
    case database
    case databasePassword = "database-password"
    case databasePasswordFile = "database-password-file"
    case opsHost = "ops-host"
    case opsPort = "ops-port"
    case opsCredential = "ops-credential"
    case opsCredentialFile = "ops-credential-file"
    case pages
    case brandName = "brand-name"
    case brandLogoURL = "brand-logo-url"
    case brandAccent = "brand-accent"
    case brandSupport = "brand-support"
    case corsOrigins = "cors-origins"
    case publicOrigin = "public-origin"
    case logLevel = "log-level"
    case drainDelaySeconds = "drain-delay-seconds"
    case keyringPollMilliseconds = "keyring-poll-milliseconds"

    /// The key every provider is asked for.
    public var key: ConfigKey { ConfigKey(rawValue) }

    /// `GUEST_ACCESS_` and the name in upper snake case.
    public var environmentName: String {
        "GUEST_ACCESS_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The command-line flag, or nil for a setting that never goes on a
    /// command line: secret values (a command line is visible in `ps` and
    /// shell history) and the test-only keyring poll interval.
    public var flag: String? {
        isSecret || self == .keyringPollMilliseconds ? nil : "--" + rawValue
    }

    /// A secret value: read with `isSecret`, redacted by `--print-config`,
    /// accepted only from the environment or a secrets-directory file.
    public var isSecret: Bool {
        switch self {
        case .providerCredential, .smtpPassword, .webhookSecret, .adminKey, .databasePassword, .opsCredential: true
        default: false
        }
    }

    /// The type the setting is read as.
    public var valueType: ConfigType {
        switch self {
        case .port, .opsPort, .drainDelaySeconds, .keyringPollMilliseconds: .int
        case .smtpAllowPlaintext, .pages: .bool
        default: .string
        }
    }

    /// What applies when no source gives the setting, in words.
    public var defaultDescription: String {
        switch self {
        case .host: "127.0.0.1"
        case .port: "8080"
        case .dataDirectory: "required"
        case .secretsDirectory: "$CREDENTIALS_DIRECTORY when systemd sets it, else none"
        case .policyFile: "policy/default.yaml, embedded"
        case .ordersFile, .providerURL: "one of the two is required"
        case .mailer: "none (codes are not sent)"
        case .mailFrom: "no-reply@guest-access.invalid"
        case .smtpAllowPlaintext, .pages: "false"
        case .brandName: "Order lookup"
        case .brandAccent: "#1f5fbf"
        case .corsOrigins: "none: no CORS header is sent"
        case .publicOrigin: "none: taken from the Host header"
        case .adminKey, .adminKeyFile: "one of the two is required"
        case .database: "sqlite:DATA_DIR/guest-access.sqlite"
        case .opsHost: "127.0.0.1"
        case .opsPort: "none: /metrics on the public port, behind the admin key"
        case .logLevel: "info"
        case .drainDelaySeconds: "5"
        case .keyringPollMilliseconds: "1000"
        default: "none"
        }
    }

    /// One line on what the setting does.
    public var summary: String {
        switch self {
        case .host: "Address the public API listens on."
        case .port: "Port of the public API."
        case .dataDirectory: "Directory (mode 0700) holding keyring.json and the SQLite database."
        case .secretsDirectory: "Directory of secret files named after settings (admin-key, smtp-password, …)."
        case .policyFile: "Policy file (limits, lifetimes, budgets)."
        case .ordersFile: "Embedded provider: a JSON array of OrderDetail."
        case .providerURL: "HTTP provider base URL: GET {URL}/orders/{orderNumber}."
        case .providerCredential: "Bearer credential for the HTTP provider."
        case .providerCredentialFile: "File (mode 0600) holding the provider credential."
        case .mailer: "file:PATH (development only), smtp://HOST:PORT (STARTTLS), smtps://HOST:PORT (implicit TLS) or webhook:URL."
        case .mailFrom: "Sender address of code emails."
        case .smtpUsername: "SMTP AUTH user name (AUTH PLAIN or LOGIN, only over TLS)."
        case .smtpPassword: "SMTP AUTH password."
        case .smtpPasswordFile: "File (mode 0600) holding the SMTP AUTH password."
        case .smtpCAFile: "PEM trust roots for SMTP TLS (default: the system's)."
        case .smtpAllowPlaintext: "Send over SMTP in clear when the server offers no STARTTLS (never with AUTH)."
        case .webhookSecret: "Signing secret of the webhook mailer (at least 32 characters)."
        case .webhookSecretFile: "File (mode 0600) holding the webhook secret."
        case .adminKey: "Admin API key (at least 32 characters)."
        case .adminKeyFile: "File (mode 0600) holding the admin API key."
        case .trustedProxies: "Comma-separated CIDRs whose X-Forwarded-For is honoured."
        case .database: "sqlite:PATH or postgres://USER@HOST:PORT/DB?sslmode=disable|require|verify-full."
        case .databasePassword: "PostgreSQL password."
        case .databasePasswordFile: "File (mode 0600) holding the PostgreSQL password."
        case .opsHost: "Address of the operations listener (/healthz, /readyz, /metrics)."
        case .opsPort: "Port of the operations listener; with it the public port stops serving /metrics."
        case .opsCredential: "Bearer credential for /metrics on the operations listener (at least 32 characters)."
        case .opsCredentialFile: "File (mode 0600) holding the operations credential."
        case .pages: "Serve the shopper pages: /track/{token}, /lookup, the code step, the full order, sign-out."
        case .brandName: "Store name on the pages and in the code email."
        case .brandLogoURL: "https URL of the store's logo on the pages."
        case .brandAccent: "Accent colour of the pages and the code email, as #rrggbb."
        case .brandSupport: "Support contact on the pages and in the code email: an email address or an https URL."
        case .publicOrigin:
            "The pages' origin as shoppers' browsers see it (https://orders.shop.example): form posts must come from it; https makes cookies Secure."
        case .corsOrigins: "Comma-separated browser origins (https://shop.example) allowed to call the guest API."
        case .logLevel: "trace, debug, info, notice, warning, error or critical."
        case .drainDelaySeconds: "After SIGTERM, seconds of /readyz 503 before draining (0–300)."
        case .keyringPollMilliseconds: "How often keyring.json is checked for a change (10–60000; tests shorten it)."
        }
    }

    /// For a secret, the setting naming a file that holds it.
    public var fileSetting: Setting? {
        switch self {
        case .providerCredential: .providerCredentialFile
        case .smtpPassword: .smtpPasswordFile
        case .webhookSecret: .webhookSecretFile
        case .adminKey: .adminKeyFile
        case .databasePassword: .databasePasswordFile
        case .opsCredential: .opsCredentialFile
        default: nil
        }
    }
}

extension Setting {
    /// How an operator can give the setting, for error messages: `--port or GUEST_ACCESS_PORT`.
    public var names: String {
        [flag, environmentName].compactMap { $0 }.joined(separator: " or ")
    }
}
