public import Foundation

/// The content of `DATA_DIR/keyring.json`: every key, newest first.
///
/// Operations return a new document; `KeyringFile` persists it atomically.
public struct KeyringDocument: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    /// Smallest accepted secret: 256 bits.
    public static let minimumSecretBytes = 32

    public var version: Int
    public var keys: [KeyringEntry]

    public init(version: Int = KeyringDocument.currentVersion, keys: [KeyringEntry]) {
        self.version = version
        self.keys = keys
    }

    /// A keyring with one new active key.
    public static func generate(now: Date = Date()) -> KeyringDocument {
        KeyringDocument(keys: [.generate(now: now)])
    }

    /// A new active key in front; the previous active key becomes verify-only.
    public func rotated(now: Date = Date()) -> KeyringDocument {
        var keys = self.keys.map { entry -> KeyringEntry in
            var entry = entry
            if entry.status == .active { entry.status = .verify }
            return entry
        }
        keys.insert(.generate(now: now), at: 0)
        return KeyringDocument(version: version, keys: keys)
    }

    /// A new verify-only key in front: every replica that loads this document
    /// can verify what the key will sign, before any replica signs with it
    /// (`activating`). For a fleet: add, copy the file to every replica, then activate.
    public func adding(now: Date = Date()) -> KeyringDocument {
        var entry = KeyringEntry.generate(now: now)
        entry.status = .verify
        var keys = self.keys
        keys.insert(entry, at: 0)
        return KeyringDocument(version: version, keys: keys)
    }

    /// Makes `kid` the signing key; the previous active key verifies only.
    public func activating(kid: String) throws(KeyringError) -> KeyringDocument {
        guard let index = keys.firstIndex(where: { $0.kid == kid }) else { throw .unknownKid(kid) }
        guard keys[index].status != .retired else { throw .cannotActivateRetired(kid) }
        var keys = self.keys
        for other in keys.indices where keys[other].status == .active { keys[other].status = .verify }
        keys[index].status = .active
        return KeyringDocument(version: version, keys: keys)
    }

    /// Retires `kid`: its secret is erased and what it signed stops verifying.
    public func retiring(kid: String, now: Date = Date()) throws(KeyringError) -> KeyringDocument {
        guard let index = keys.firstIndex(where: { $0.kid == kid }) else { throw .unknownKid(kid) }
        switch keys[index].status {
        case .active: throw .cannotRetireActive(kid)
        case .retired: throw .alreadyRetired(kid)
        case .verify: break
        }
        var keys = self.keys
        keys[index].status = .retired
        keys[index].secret = nil
        keys[index].retiredAt = now
        return KeyringDocument(version: version, keys: keys)
    }

    /// Checks the invariants every loaded keyring must hold.
    public func validate() throws(KeyringError) {
        guard version == Self.currentVersion else { throw .malformed("unsupported version \(version)") }
        guard keys.filter({ $0.status == .active }).count == 1 else {
            throw .malformed("exactly one key must be active")
        }
        var seen = Set<String>()
        for key in keys {
            guard Self.isWellFormedKid(key.kid) else { throw .malformed("key id \"\(key.kid.prefix(40))\" is not well-formed") }
            guard seen.insert(key.kid).inserted else { throw .malformed("key id \(key.kid) appears twice") }
            switch key.status {
            case .retired:
                guard key.secret == nil else { throw .malformed("retired key \(key.kid) still holds a secret") }
            case .active, .verify:
                guard let secret = key.secret, let bytes = Base64URL.decode(secret) else {
                    throw .malformed("key \(key.kid) has no valid base64url secret")
                }
                guard bytes.count >= Self.minimumSecretBytes else {
                    throw .malformed("key \(key.kid) is shorter than 256 bits")
                }
            }
        }
    }

    /// Key ids are 1–64 of `[A-Za-z0-9_-]`: never a path, never a URL.
    public static func isWellFormedKid(_ kid: String) -> Bool {
        !kid.isEmpty && kid.utf8.count <= 64
            && kid.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
            }
    }
}
