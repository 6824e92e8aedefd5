import Testing

/// What `waitUntil` throws when its condition did not hold before the
/// deadline: it names what never happened, and where the test waited for it.
struct WaitTimedOut: Error, CustomStringConvertible {
    /// What the test waited for, as a clause that reads after "until".
    let what: String
    /// How long it waited before giving up.
    let waited: Duration
    /// The `waitUntil` call that gave up.
    let sourceLocation: SourceLocation

    var description: String {
        "\(sourceLocation.fileName):\(sourceLocation.line): gave up after \(waited) waiting until \(what)"
    }
}
