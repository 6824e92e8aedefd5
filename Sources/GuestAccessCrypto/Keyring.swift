import Foundation

/// The keys a running service uses, derived from a validated `KeyringDocument`.
///
/// Every usable key gets one HMAC subkey per `KeyPurpose`:
/// `subkey = HMAC-SHA256(secret, purpose.label)`. Lookups by key id never fall
/// back to another key: an unknown or retired id is simply not there.
public struct Keyring: Sendable {
    /// A usable key and its per-purpose subkeys.
    public struct Key: Sendable {
        public let kid: String
        public let status: KeyStatus
        /// The base64url header of the access tokens this key signs, the
        /// only header accepted under its id: verification compares a token's
        /// first segment with it as bytes, with nothing decoded.
        public let tokenHeader: [UInt8]
        private let subkeys: [KeyPurpose: HMACKey]

        init(kid: String, status: KeyStatus, secret: [UInt8]) {
            self.kid = kid
            self.status = status
            self.tokenHeader = Array(Base64URL.encode(Array(#"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#.utf8)).utf8)
            let master = HMACKey(secret: secret)
            var subkeys = [KeyPurpose: HMACKey]()
            for purpose in KeyPurpose.allCases {
                subkeys[purpose] = HMACKey(secret: master.authenticate(purpose.label))
            }
            self.subkeys = subkeys
        }

        /// The subkey for `purpose`.
        public func mac(for purpose: KeyPurpose) -> HMACKey {
            subkeys[purpose]!  // every purpose is derived in init
        }
    }

    /// The key that signs and digests everything new.
    public let active: Key
    /// Usable keys, newest first (the active one first).
    public let keys: [Key]
    /// Ids of keys retired from this keyring: their secrets are gone, but
    /// meeting one is expected (an old token), unlike an id never seen.
    public let retiredKids: Set<String>
    private let byKid: [String: Key]

    /// Derives the runtime keyring; the document must validate.
    public init(document: KeyringDocument) throws(KeyringError) {
        try document.validate()
        var keys = [Key]()
        for entry in document.keys.sorted(by: { $0.createdAt > $1.createdAt }) where entry.status != .retired {
            // validate() guarantees a decodable secret here.
            guard let secret = entry.secret.flatMap({ Base64URL.decode($0) }) else {
                throw .malformed("key \(entry.kid) has no valid secret")
            }
            keys.append(Key(kid: entry.kid, status: entry.status, secret: secret))
        }
        guard let active = keys.first(where: { $0.status == .active }) else {
            throw .malformed("exactly one key must be active")
        }
        self.active = active
        self.keys = [active] + keys.filter { $0.kid != active.kid }
        self.byKid = Dictionary(uniqueKeysWithValues: keys.map { ($0.kid, $0) })
        self.retiredKids = Set(document.keys.filter { $0.status == .retired }.map(\.kid))
    }

    /// The usable key with id `kid`, or nil: never a default.
    public func key(kid: String) -> Key? { byKid[kid] }

    /// Whether `kid` was never in this keyring (neither usable nor retired):
    /// in a fleet, a key another replica has and this one has not been given.
    public func neverHeld(kid: String) -> Bool { byKid[kid] == nil && !retiredKids.contains(kid) }
}
