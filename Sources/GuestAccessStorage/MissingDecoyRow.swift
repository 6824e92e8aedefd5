/// The decoy code or budget row is gone (a damaged or hand-edited database):
/// verify cannot run the same statements on every path, so it refuses with a
/// storage error (503) instead of judging without them.
struct MissingDecoyRow: Error, CustomStringConvertible {
    var description: String { "the decoy code or budget row is missing" }
}
