/// Why a keyring could not be read, written or changed. Messages never hold a secret.
public enum KeyringError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case tooOpen(path: String, mode: UInt32)
    case notARegularFile(path: String)
    case malformed(String)
    case alreadyExists(path: String)
    case unknownKid(String)
    case cannotRetireActive(String)
    case alreadyRetired(String)
    case cannotActivateRetired(String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            "keyring not found at \(path): run `guest-access keys init --data-dir <dir>` first"
        case .unreadable(let path, let reason): "keyring \(path) cannot be read: \(reason)"
        case .tooOpen(let path, let mode):
            "keyring \(path) is readable or writable by group or others (mode \(String(mode, radix: 8))): run `chmod 600 \(path)`"
        case .notARegularFile(let path): "keyring \(path) is not a regular file"
        case .malformed(let reason): "keyring is malformed: \(reason)"
        case .alreadyExists(let path): "keyring already exists at \(path): use `keys rotate` instead"
        case .unknownKid(let kid): "no key with id \(kid.prefix(64)) in the keyring"
        case .cannotRetireActive(let kid): "key \(kid) is the active key: run `keys rotate` before retiring it"
        case .alreadyRetired(let kid): "key \(kid) is already retired"
        case .cannotActivateRetired(let kid): "key \(kid) is retired: its secret is gone; run `keys add` for a new one"
        case .writeFailed(let path, let reason): "could not write keyring \(path): \(reason)"
        }
    }
}
