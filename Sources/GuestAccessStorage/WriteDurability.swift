/// How a write transaction commits when the policy asks for `synchronous =
/// FULL`. In WAL mode every commit survives a process crash (`kill -9`);
/// what `FULL` adds is an fsync per commit, so a commit also survives power
/// loss. The WAL is a log: a later `FULL` commit makes every earlier commit
/// durable too, so power loss can only take the tail of bookkeeping commits
/// after the last acknowledged one, never an acknowledged one.
enum WriteDurability: Sendable, Equatable {
    /// Something a client was told (a 202, a token, a revoke) or a counter
    /// that bounds guessing (attempts, budgets): at the policy's `synchronous`.
    case acknowledged
    /// The delivery worker's own bookkeeping (a claim's lease, a stored code
    /// not yet sent, an outcome): `NORMAL`. Lost by power loss, the request is
    /// still pending and is delivered again (a fresh code): at least once.
    case bookkeeping
}
