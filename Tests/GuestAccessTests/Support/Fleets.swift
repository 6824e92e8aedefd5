import Testing

/// The suites that start several `serve` processes (and the one that
/// restarts PostgreSQL) run one test at a time: each test is a fleet under
/// load, and several at once on a small CI machine would starve the rest of
/// the suite's timing-sensitive tests and one another's database starts.
@Suite("Fleets of serve processes, one at a time", .serialized)
enum Fleets {}
