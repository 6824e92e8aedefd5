public import Configuration

/// Every configuration key `serve` reads: the one namespace the command line
/// (`serve`, `demo`), `ServiceSettings` and the tests use, so a key cannot be
/// spelt two ways. Keys marked secret are read with `isSecret: true` and
/// never printed.
public enum SettingKey {
    public static let host: ConfigKey = "http.host"
    public static let port: ConfigKey = "http.port"
    public static let dataDirectory: ConfigKey = "data.dir"
    public static let policyFile: ConfigKey = "policy.file"
    public static let ordersFile: ConfigKey = "orders.file"
    public static let providerURL: ConfigKey = "provider.url"
    /// Secret.
    public static let providerCredential: ConfigKey = "provider.credential"
    public static let mailer: ConfigKey = "mailer"
    /// Secret.
    public static let adminKey: ConfigKey = "admin.key"
    public static let adminKeyFile: ConfigKey = "admin.keyFile"
    public static let mailFrom: ConfigKey = "mail.from"
    public static let smtpCAFile: ConfigKey = "mail.smtpCAFile"
    public static let smtpAllowPlaintext: ConfigKey = "mail.smtpAllowPlaintext"
    /// Secret.
    public static let webhookSecret: ConfigKey = "mail.webhookSecret"
    public static let webhookSecretFile: ConfigKey = "mail.webhookSecretFile"
    public static let trustedProxies: ConfigKey = "proxies.trusted"
    public static let keyringPollMilliseconds: ConfigKey = "keyring.pollMilliseconds"
    public static let logLevel: ConfigKey = "log.level"
    public static let drainDelaySeconds: ConfigKey = "shutdown.drainDelaySeconds"
    /// `sqlite:PATH` or `postgres://USER@HOST:PORT/DB?sslmode=…`.
    public static let database: ConfigKey = "database.url"
    /// Secret.
    public static let databasePassword: ConfigKey = "database.password"
    public static let databasePasswordFile: ConfigKey = "database.passwordFile"
}
