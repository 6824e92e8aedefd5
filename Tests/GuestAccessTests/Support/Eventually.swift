import Testing

/// Waits until `condition` holds, so a test waits for what it needs to see (a
/// worker done, a file changed, a log line, a metric, a request in flight)
/// rather than for a fixed time, too long on a fast machine and too short on a
/// slow one.
///
/// `condition` is checked at once and then every `poll`. Once `timeout` has
/// passed without it holding, this throws `WaitTimedOut` naming `what` (a
/// clause that reads after "until": "the worker has finished every request")
/// and the caller's `sourceLocation`, which fails the test. An error thrown by
/// `condition` ends the wait and is thrown on.
func waitUntil(
    _ what: String,
    timeout: Duration = .seconds(30),
    poll: Duration = .milliseconds(10),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let started = clock.now
    while true {
        if try await condition() { return }
        let waited = clock.now - started
        guard waited < timeout else { throw WaitTimedOut(what: what, waited: waited, sourceLocation: sourceLocation) }
        try await Task.sleep(for: poll)
    }
}
