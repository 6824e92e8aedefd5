import Foundation

/// Where and how to reach PostgreSQL, parsed from `--database postgres://USER@HOST:PORT/DB?sslmode=…`.
/// A password in the URL is refused: it would show in the process list and in
/// shell history; it comes from `--database-password-file` or the environment.
public struct PostgresSettings: Sendable, Equatable {
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var database: String
    public var sslMode: SSLMode
    /// PEM trust roots for `verify-full` (default: the system's).
    public var caFile: String?
    /// Most connections this replica opens.
    public var maxConnections: Int = 16
    /// Longest one statement may run before the server cancels it.
    public var statementTimeoutMilliseconds: Int = 5000

    /// Parses a `postgres://` or `postgresql://` URL; the error names what is wrong, never a password.
    public init(url text: String) throws(PostgresSettingsError) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw PostgresSettingsError("--database must be postgres://USER@HOST:PORT/DB or sqlite:PATH")
        }
        guard url.password == nil else {
            throw PostgresSettingsError(
                "--database must not hold a password: use --database-password-file or GUEST_ACCESS_DATABASE_PASSWORD"
            )
        }
        guard let host = url.host, !host.isEmpty else { throw PostgresSettingsError("--database: a host is required") }
        guard let user = url.user, !user.isEmpty else { throw PostgresSettingsError("--database: a user is required") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PostgresSettingsError("--database: a database name is required") }
        self.host = host
        self.port = url.port ?? 5432
        self.username = user
        self.database = database
        var sslMode = SSLMode.verifyFull
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw PostgresSettingsError("--database: sslmode must be disable, require or verify-full")
                }
                sslMode = mode
            case "sslrootcert":
                caFile = item.value
            default:
                throw PostgresSettingsError("--database: unknown parameter \(item.name.prefix(32))")
            }
        }
        // In clear text, the password exchange and every digest would cross a network; on one host they do not.
        if sslMode == .disable && !Self.isLoopback(host) {
            throw PostgresSettingsError("--database: sslmode=disable is allowed only for a loopback host; use require or verify-full")
        }
        // libpq would check the chain with require plus sslrootcert; this client would not, so the combination is refused.
        if caFile != nil && sslMode != .verifyFull {
            throw PostgresSettingsError("--database: sslrootcert is used only with sslmode=verify-full")
        }
        self.sslMode = sslMode
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        // ASCII digits only: `UInt8("+1")` parses, and a resolver would send "127.0.0.+1" to DNS.
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy {
                !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } && UInt8($0) != nil
            }
    }
}
