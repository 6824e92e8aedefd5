/// A provider's order that breaks the contract, naming the field at fault.
/// Never carries the field's value.
public struct OrderValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
