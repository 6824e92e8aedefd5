/// An orders file that cannot be served, naming the entry and field at fault.
public struct OrderFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
