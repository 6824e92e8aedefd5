/// A decoy row (order key `''`) is gone: verify cannot run the same
/// statements on every path, so it refuses (503) rather than answer differently.
struct MissingDecoyRow: Error {}
