/// A policy file that cannot be read or used: one line for an operator.
public struct PolicyLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
