/// Why the service refuses to start: one line, for an operator, never a secret.
public struct StartupError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
