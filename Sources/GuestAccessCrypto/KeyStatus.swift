/// Where a keyring key is in its life.
public enum KeyStatus: String, Codable, Sendable {
    /// Signs and verifies. Exactly one key is active.
    case active
    /// Verifies what it signed before a rotation; signs nothing new.
    case verify
    /// Kept only as a record: its secret is erased, nothing it signed verifies.
    case retired
}
