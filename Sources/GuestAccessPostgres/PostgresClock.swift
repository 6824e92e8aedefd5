/// The database's clock, as SQL. Replicas' clocks may differ by seconds; where
/// the order of events across replicas matters (a revoke against the tokens
/// issued before it, a lease against the replicas waiting for it), the times
/// compared come from this one clock, or are bounded by it in the safe direction.
enum PostgresClock {
    /// Milliseconds since 1970 now, on the database server (`clock_timestamp()`:
    /// the moment the statement reads it, not the transaction's start).
    static let nowMilliseconds = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
}
