/// A pages setting the service refuses to start with; the message names it.
public struct PagesSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
