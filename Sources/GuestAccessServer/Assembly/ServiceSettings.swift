public import Configuration
import Foundation
import GuestAccessCore
public import GuestAccessMail
public import GuestAccessPostgres
public import GuestAccessService
import GuestAccessStorage

/// What `serve` is told, read from a `ConfigReader` (command line, environment
/// or, in tests, memory) and checked before anything starts.
///
/// Keys: `SettingKey`.
public struct ServiceSettings: Sendable {
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
    /// How long the service keeps serving, answering `/readyz` 503, between
    /// SIGTERM and the start of the drain: time for load balancers to notice.
    public var drainDelay: Duration

    public init(reader: ConfigReader) throws(StartupError) {
        host = reader.string(forKey: SettingKey.host, default: "127.0.0.1")
        port = reader.int(forKey: SettingKey.port, default: 8080)
        guard (0...65535).contains(port) else { throw StartupError("port \(port) is out of range") }
        guard let dataDirectory = reader.string(forKey: SettingKey.dataDirectory), !dataDirectory.isEmpty else {
            throw StartupError("a data directory is required (--data-dir)")
        }
        self.dataDirectory = dataDirectory
        policyFile = reader.string(forKey: SettingKey.policyFile)
        let ordersFile = reader.string(forKey: SettingKey.ordersFile)
        let providerURL = reader.string(forKey: SettingKey.providerURL)
        switch (ordersFile, providerURL) {
        case (let file?, nil): orders = .file(file)
        case (nil, let url?):
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw StartupError("--provider-url must be an http or https URL")
            }
            orders = .http(url: url, credential: reader.string(forKey: SettingKey.providerCredential, isSecret: true))
        case (nil, nil): throw StartupError("an order source is required: --orders FILE.json or --provider-url URL")
        case (.some, .some): throw StartupError("give either --orders or --provider-url, not both")
        }
        if let spec = reader.string(forKey: SettingKey.mailer) {
            do { mailer = try MailerSpec(parsing: spec) } catch { throw StartupError("--mailer: \(error)") }
        } else {
            mailer = nil
        }
        mailFrom = reader.string(forKey: SettingKey.mailFrom, default: "no-reply@guest-access.invalid")
        guard EmailAddress.isAcceptable(mailFrom), mailFrom.allSatisfy(\.isASCII) else {
            throw StartupError("--mail-from must be a plain ASCII email address")
        }
        smtpCAFile = reader.string(forKey: SettingKey.smtpCAFile)
        smtpAllowPlaintext = reader.bool(forKey: SettingKey.smtpAllowPlaintext, default: false)
        if let secret = reader.string(forKey: SettingKey.webhookSecret, isSecret: true) {
            webhookSecret = secret
        } else if let path = reader.string(forKey: SettingKey.webhookSecretFile) {
            webhookSecret = try Self.readSecretFile(path, what: "webhook secret file")
        } else {
            webhookSecret = nil
        }
        if case .webhook? = mailer, (webhookSecret?.utf8.count ?? 0) < 32 {
            throw StartupError("webhook: needs a secret of at least 32 characters (--webhook-secret-file or GUEST_ACCESS_WEBHOOK_SECRET)")
        }
        if let key = reader.string(forKey: SettingKey.adminKey, isSecret: true) {
            adminKey = key
        } else if let path = reader.string(forKey: SettingKey.adminKeyFile) {
            adminKey = try Self.readSecretFile(path, what: "admin key file")
        } else {
            throw StartupError("an admin key is required: --admin-key-file FILE or GUEST_ACCESS_ADMIN_KEY")
        }
        keyringPollInterval = .milliseconds(reader.int(forKey: SettingKey.keyringPollMilliseconds, default: 1000))
        var proxies = [CIDR]()
        for entry in (reader.string(forKey: SettingKey.trustedProxies) ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let cidr = CIDR(text) else { throw StartupError("--trusted-proxies: \(text.prefix(64)) is not an IP address or CIDR") }
            proxies.append(cidr)
        }
        trustedProxies = proxies
        let databaseURL = reader.string(forKey: SettingKey.database) ?? "sqlite:" + dataDirectory + "/" + GuestAccessDatabase.fileName
        if databaseURL.hasPrefix("sqlite:") {
            let path = String(databaseURL.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw StartupError("--database sqlite: needs a path") }
            database = .sqlite(path: path)
        } else {
            let postgres: PostgresSettings
            do { postgres = try PostgresSettings(url: databaseURL) } catch { throw StartupError(error.description) }
            var password = reader.string(forKey: SettingKey.databasePassword, isSecret: true)
            if let path = reader.string(forKey: SettingKey.databasePasswordFile) {
                password = try Self.readSecretFile(path, what: "database password file")
            }
            database = .postgres(postgres, password: password)
        }
        let drainDelaySeconds = reader.int(forKey: SettingKey.drainDelaySeconds, default: 5)
        guard (0...300).contains(drainDelaySeconds) else {
            throw StartupError("--drain-delay-seconds must be between 0 and 300 (got \(drainDelaySeconds))")
        }
        drainDelay = .seconds(drainDelaySeconds)
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
}
