/// SQLite durability.
public struct StoragePolicy: Sendable, Equatable, Encodable {
    /// SQLite `synchronous` in WAL mode.
    public enum Synchronous: String, Sendable, Equatable, CaseIterable, Encodable {
        /// fsync on every commit: nothing lost on a crash or power loss.
        case full
        /// fsync at checkpoints: nothing lost on a process crash, recent commits may be lost on power loss.
        case normal
    }

    public var synchronous: Synchronous

    public init(synchronous: Synchronous) { self.synchronous = synchronous }
}
