/// A request body of the one shape the code routes take, a flat object of
/// strings, which `StrictJSON` may read in one pass (`FlatJSONObject`)
/// instead of three (the duplicate-key scan, `JSONSerialization` for unknown
/// keys, `JSONDecoder`): 9% of the request-code route's samples on
/// PostgreSQL. The one pass is a shortcut, never a second judge: whatever it
/// does not take as plainly valid goes to the general path, which decides and
/// names the refusal.
public protocol FlatStringBody: StrictlyKeyed {
    /// The body from its fields, or nil when one it needs is missing.
    init?(flatStrings fields: [String: String])
}
