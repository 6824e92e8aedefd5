import GuestAccessCore
import Logging
import PostgresNIO

/// The database's clock. Replicas' clocks may differ by seconds; where the
/// order of events across replicas matters (a revoke against the tokens
/// issued before it, a lease against the replicas waiting for it), the times
/// compared come from this one clock, or are bounded by it in the safe
/// direction. It assumes the database's clock does not step back (an NTP
/// step, or a failover to a server whose clock differs).
enum PostgresClock {
    /// Milliseconds since 1970 now, on the database server, as SQL
    /// (`clock_timestamp()`: the moment the statement reads it, not the
    /// transaction's start). Volatile: a condition on it is no index bound,
    /// so queries that search by a time read it first (`now(on:)`).
    static let nowMilliseconds = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    /// Reads the database's clock, in milliseconds since 1970.
    static func now(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT \(unescaped: nowMilliseconds)", logger: logger)
        for try await milliseconds in rows.decode(Int64.self) { return milliseconds }
        throw StoreError.unavailable(reason: "the database returned no time")
    }
}
