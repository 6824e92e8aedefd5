public import Configuration
import Foundation
public import GuestAccessCore
import GuestAccessCrypto
public import GuestAccessMail
public import GuestAccessPages
import GuestAccessPolicy
public import GuestAccessPostgres
public import GuestAccessService
import GuestAccessStorage
public import Logging

/// What `serve` is told, read from a `ConfigReader` (command line, environment
/// and secrets directory — `ConfigurationSources` — or, in tests, memory) and
/// checked before anything starts.
///
/// Settings: `Setting`.
public struct ServiceSettings: Sendable, CustomStringConvertible, CustomReflectable {
    /// Where the service's state lives.
    public enum DatabaseChoice: Sendable, Equatable {
        /// One process on one disk (the default: `DATA_DIR/guest-access.sqlite`).
        case sqlite(path: String)
        /// Any number of replicas on one PostgreSQL database.
        case postgres(PostgresSettings, password: String?)
    }

    public enum OrderSource: Sendable, Equatable {
        case file(String)
        case http(url: String, credential: String?)
    }

    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var policyFile: String?
    public var orders: OrderSource
    public var mailer: MailerSpec?
    public var adminKey: String
    public var keyringPollInterval: Duration
    /// Sender address of code emails.
    public var mailFrom: String
    /// PEM trust roots for SMTP STARTTLS (default: the system's).
    public var smtpCAFile: String?
    /// Whether SMTP may send in clear when the server offers no STARTTLS.
    public var smtpAllowPlaintext: Bool
    /// Shared secret of the webhook mailer.
    public var webhookSecret: String?
    /// Peers whose `X-Forwarded-For` is honoured for per-client limits.
    public var trustedProxies: [CIDR]
    public var database: DatabaseChoice
    /// Credentials for SMTP AUTH, sent only over TLS.
    public var smtpCredentials: SMTPCredentials?
    /// The private listener for `/healthz`, `/readyz` and `/metrics`, if any.
    public var operations: OperationsListener?
    /// Whether the shopper pages are served (`--pages`).
    public var pagesEnabled: Bool
    /// The storefront's look on the pages and in the code email.
    public var branding: Branding
    /// The pages' origin as browsers see it (`--public-origin`).
    public var publicOrigin: String?
    /// Browser origins allowed to call the guest API (CORS); none by default.
    public var corsOrigins: [String]
    private var unusedProviderCredential = false
    private var unusedDatabasePassword = false
    /// The log level (`--log-level`).
    public var logLevel: Logger.Level
    /// How long the service keeps serving, answering `/readyz` 503, between
    /// SIGTERM and the start of the drain: time for load balancers to notice.
    public var drainDelay: Duration

    public init(reader: ConfigReader) throws(StartupError) {
        host = Self.text(reader, .host) ?? "127.0.0.1"
        port = try Self.integer(reader, .port) ?? 8080
        guard (0...65535).contains(port) else { throw StartupError("\(Setting.port.names): \(port) is out of range") }
        guard let dataDirectory = Self.text(reader, .dataDirectory), !dataDirectory.isEmpty else {
            throw StartupError("a data directory is required (\(Setting.dataDirectory.names))")
        }
        self.dataDirectory = dataDirectory
        policyFile = Self.text(reader, .policyFile)
        let ordersFile = Self.text(reader, .ordersFile)
        let providerURL = Self.text(reader, .providerURL)
        switch (ordersFile, providerURL) {
        case (let file?, nil):
            orders = .file(file)
            unusedProviderCredential = try Self.secret(reader, .providerCredential, what: "provider credential") != nil
        case (nil, let url?):
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw StartupError("\(Setting.providerURL.names) must be an http or https URL")
            }
            guard parsed.user == nil, parsed.password == nil else {
                throw StartupError(
                    "\(Setting.providerURL.names) must not hold user information: the credential goes in \(Setting.providerCredentialFile.names) or \(Setting.providerCredential.environmentName)"
                )
            }
            orders = .http(url: url, credential: try Self.secret(reader, .providerCredential, what: "provider credential"))
            unusedProviderCredential = false
        case (nil, nil):
            throw StartupError(
                "an order source is required: \(Setting.ordersFile.names) FILE.json or \(Setting.providerURL.names) URL"
            )
        case (.some, .some): throw StartupError("give either --orders or --provider-url, not both")
        }
        if let spec = Self.text(reader, .mailer) {
            do { mailer = try MailerSpec(parsing: spec) } catch { throw StartupError("--mailer: \(error)") }
        } else {
            mailer = nil
        }
        mailFrom = Self.text(reader, .mailFrom) ?? "no-reply@guest-access.invalid"
        guard EmailAddress.isAcceptable(mailFrom), mailFrom.allSatisfy(\.isASCII) else {
            throw StartupError("--mail-from must be a plain ASCII email address")
        }
        smtpCAFile = Self.text(reader, .smtpCAFile)
        smtpAllowPlaintext = try Self.boolean(reader, .smtpAllowPlaintext) ?? false
        let smtpUsername = Self.text(reader, .smtpUsername)
        let smtpPassword = try Self.secret(reader, .smtpPassword, what: "SMTP password")
        switch (smtpUsername, smtpPassword) {
        case (nil, nil): smtpCredentials = nil
        case (let username?, let password?):
            do { smtpCredentials = try SMTPCredentials(username: username, password: password) } catch {
                throw StartupError("SMTP credentials: \(error)")
            }
        case (nil, .some): throw StartupError("an SMTP password needs a user name (\(Setting.smtpUsername.names))")
        case (.some, nil):
            throw StartupError(
                "an SMTP user name needs a password (\(Setting.smtpPasswordFile.names) or \(Setting.smtpPassword.environmentName))"
            )
        }
        if smtpCredentials != nil {
            switch mailer {
            case .smtp?: break
            default: throw StartupError("SMTP credentials are given but --mailer is not smtp:// or smtps://")
            }
            if smtpAllowPlaintext {
                throw StartupError("--smtp-allow-plaintext cannot be used with SMTP credentials: they are only ever sent over TLS")
            }
        }
        webhookSecret = try Self.secret(reader, .webhookSecret, what: "webhook secret")
        if case .webhook? = mailer, (webhookSecret?.utf8.count ?? 0) < 32 {
            throw StartupError(
                "webhook: needs a secret of at least 32 characters (\(Setting.webhookSecretFile.names) or \(Setting.webhookSecret.environmentName))"
            )
        }
        guard let adminKey = try Self.secret(reader, .adminKey, what: "admin key") else {
            throw StartupError(
                "an admin key is required: \(Setting.adminKeyFile.names) FILE, \(Setting.adminKey.environmentName) or a secrets-directory file admin-key"
            )
        }
        do { _ = try AdminKey(adminKey) } catch { throw StartupError(error.description) }
        self.adminKey = adminKey
        let pollMilliseconds = try Self.integer(reader, .keyringPollMilliseconds) ?? 1000
        guard (10...60000).contains(pollMilliseconds) else {
            throw StartupError("\(Setting.keyringPollMilliseconds.names) must be between 10 and 60000")
        }
        keyringPollInterval = .milliseconds(pollMilliseconds)
        let levelName = Self.text(reader, .logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw StartupError("\(Setting.logLevel.names) must be trace, debug, info, notice, warning, error or critical")
        }
        logLevel = level
        var proxies = [CIDR]()
        for entry in (Self.text(reader, .trustedProxies) ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let cidr = CIDR(text) else { throw StartupError("--trusted-proxies: \(text.prefix(64)) is not an IP address or CIDR") }
            proxies.append(cidr)
        }
        trustedProxies = proxies
        let databaseURL = Self.text(reader, .database) ?? "sqlite:" + dataDirectory + "/" + GuestAccessDatabase.fileName
        if databaseURL.hasPrefix("sqlite:") {
            let path = String(databaseURL.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw StartupError("--database sqlite: needs a path") }
            database = .sqlite(path: path)
            unusedDatabasePassword = try Self.secret(reader, .databasePassword, what: "database password") != nil
        } else {
            let postgres: PostgresSettings
            do { postgres = try PostgresSettings(url: databaseURL) } catch { throw StartupError(error.description) }
            database = .postgres(postgres, password: try Self.secret(reader, .databasePassword, what: "database password"))
            unusedDatabasePassword = false
        }
        let opsPort = try Self.integer(reader, .opsPort)
        let opsHost = Self.text(reader, .opsHost)
        let opsCredential = try Self.secret(reader, .opsCredential, what: "operations credential")
        if let opsPort {
            guard (0...65535).contains(opsPort) else { throw StartupError("\(Setting.opsPort.names): \(opsPort) is out of range") }
            if let opsCredential {
                do { _ = try AdminKey(opsCredential) } catch {
                    throw StartupError("the operations credential must be at least \(AdminKey.minimumLength) printable characters")
                }
                guard opsCredential != adminKey else {
                    throw StartupError(
                        "the operations credential must differ from the admin key (it exists so that scraping metrics needs no admin key)"
                    )
                }
            }
            guard opsPort != port || opsPort == 0 else { throw StartupError("--ops-port must differ from --port") }
            operations = OperationsListener(host: opsHost ?? "127.0.0.1", port: opsPort, credential: opsCredential)
        } else {
            guard opsHost == nil, opsCredential == nil else {
                throw StartupError("--ops-host and an operations credential need an operations port (\(Setting.opsPort.names))")
            }
            operations = nil
        }
        pagesEnabled = try Self.boolean(reader, .pages) ?? false
        do {
            branding = try Branding(
                storeName: Self.text(reader, .brandName),
                logoURL: Self.text(reader, .brandLogoURL),
                accentColour: Self.text(reader, .brandAccent),
                supportContact: Self.text(reader, .brandSupport)
            )
        } catch {
            throw StartupError(error.description)
        }
        var origins: [String] = []
        for entry in (Self.text(reader, .corsOrigins) ?? "").split(separator: ",") {
            let origin = entry.trimmingCharacters(in: .whitespaces)
            guard let url = URL(string: origin), ["https", "http"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty,
                url.query == nil, url.fragment == nil, url.user == nil, origin == origin.lowercased(), !origin.hasSuffix("/")
            else {
                throw StartupError("--cors-origins: \(origin.prefix(64)) is not an origin (scheme://host[:port], lower case, no path)")
            }
            origins.append(origin)
        }
        corsOrigins = origins
        if let origin = Self.text(reader, .publicOrigin) {
            guard let url = URL(string: origin), ["https", "http"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty,
                url.query == nil, url.fragment == nil, url.user == nil, origin == origin.lowercased(), !origin.hasSuffix("/")
            else { throw StartupError("\(Setting.publicOrigin.names): not an origin (scheme://host[:port], lower case, no path)") }
            publicOrigin = origin
        } else {
            publicOrigin = nil
        }
        let drainDelaySeconds = try Self.integer(reader, .drainDelaySeconds) ?? 5
        guard (0...300).contains(drainDelaySeconds) else {
            throw StartupError("--drain-delay-seconds must be between 0 and 300 (got \(drainDelaySeconds))")
        }
        drainDelay = .seconds(drainDelaySeconds)
    }

    /// The checks that read files rather than settings: the policy (returned),
    /// the data directory's existence and mode, and the keyring. Run by
    /// `buildApplication` and by `serve --print-config`, so a configuration
    /// it calls ok does start (short of the network: database, ports).
    public func preflight() throws(StartupError) -> Policy {
        let policy: Policy
        do { policy = try PolicyLoader.load(policyFile) } catch { throw StartupError(error.description) }
        try DataDirectory.check(dataDirectory)
        do { _ = try KeyringFile(dataDirectory: dataDirectory).load() } catch { throw StartupError(error.description) }
        return policy
    }

    /// What is odd but not wrong: a secret given for something not in use,
    /// metrics open to the network. Logged at start and by `--print-config`.
    public var warnings: [String] {
        var warnings: [String] = []
        if case .file = orders, unusedProviderCredential { warnings.append("a provider credential is given but orders come from a file") }
        if webhookSecret != nil, !{ if case .webhook? = mailer { true } else { false } }() {
            warnings.append("a webhook secret is given but the mailer is not webhook:")
        }
        if case .sqlite = database, unusedDatabasePassword { warnings.append("a database password is given but the database is SQLite") }
        if pagesEnabled, publicOrigin == nil, !["127.0.0.1", "localhost", "::1"].contains(host) {
            warnings.append(
                "pages without --public-origin: cookies' Secure flag and the form posts' origin check follow the Host header, which a proxy in front must pass on unchanged"
            )
        }
        if let operations, operations.credential == nil, !["127.0.0.1", "localhost", "::1"].contains(operations.host) {
            warnings.append("/metrics on the operations listener \(operations.host) is open to the network: give an operations credential")
        }
        return warnings
    }

    /// A text setting; an empty or blank value counts as not given (an
    /// environment file's `GUEST_ACCESS_ORDERS=` placeholder).
    static func text(_ reader: ConfigReader, _ setting: Setting) -> String? {
        guard let value = reader.string(forKey: setting.key)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// An integer setting; a value that is not one is refused, never taken for the default.
    static func integer(_ reader: ConfigReader, _ setting: Setting) throws(StartupError) -> Int? {
        if let value = reader.int(forKey: setting.key) { return value }
        if let text = reader.string(forKey: setting.key) {
            if let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return value }
            throw StartupError("\(setting.names) must be a whole number (got \"\(text.prefix(32))\")")
        }
        return nil
    }

    /// A boolean setting (`true`/`false`); anything else is refused.
    static func boolean(_ reader: ConfigReader, _ setting: Setting) throws(StartupError) -> Bool? {
        if let value = reader.bool(forKey: setting.key) { return value }
        if let text = reader.string(forKey: setting.key) {
            switch text.trimmingCharacters(in: .whitespacesAndNewlines) {
            case "true": return true
            case "false": return false
            default: break
            }
            throw StartupError("\(setting.names) must be true or false (got \"\(text.prefix(32))\")")
        }
        return nil
    }

    /// A secret from its value (environment or secrets directory) or from the
    /// file its `…-file` setting names (mode 0600). Both at once is refused:
    /// which one the operator meant cannot be guessed, and a guess is a
    /// credential nobody intended.
    static func secret(_ reader: ConfigReader, _ setting: Setting, what: String) throws(StartupError) -> String? {
        let value = reader.string(forKey: setting.key, isSecret: true)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let file = setting.fileSetting.flatMap { reader.string(forKey: $0.key) }
        switch (value, file) {
        case (nil, nil): return nil
        case (let value?, nil):
            guard !value.isEmpty else { throw StartupError("the \(what) (\(setting.environmentName)) is empty") }
            return value
        case (nil, let path?): return try readSecretFile(path, what: "\(what) file")
        case (.some, .some):
            throw StartupError(
                "the \(what) is given twice, as a value (\(setting.environmentName) or a secrets-directory file \(setting.rawValue)) and as a file (\(setting.fileSetting?.names ?? "")): give one"
            )
        }
    }

    /// Reads a secret from a file that group and others cannot read.
    public static func readSecretFile(_ path: String, what: String) throws(StartupError) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? Int
        else { throw StartupError("\(what) \(path) cannot be read") }
        guard permissions & 0o077 == 0 else {
            throw StartupError(
                "\(what) \(path) is readable by group or others (mode \(String(permissions, radix: 8))): run `chmod 600 \(path)`"
            )
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
            let text = String(data: data, encoding: .utf8)
        else { throw StartupError("\(what) \(path) cannot be read") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Never the secrets: settings may end up in a log line or a debugger.
    public var description: String { "ServiceSettings(host: \(host), port: \(port), dataDirectory: \(dataDirectory), secrets: <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
