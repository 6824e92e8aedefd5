/// An admin key too weak to guard minting and revoking: refused at start.
public struct AdminKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}
