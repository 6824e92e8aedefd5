/// No decoy row could be locked (they were deleted, or more verifies than
/// there are decoy rows ran at once): verify cannot run the same statements
/// on every path, so it refuses (503) rather than answer differently.
struct MissingDecoyRow: Error {}
