/// Where a test's service keeps its state: tests of invariants run against both.
enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }
}
