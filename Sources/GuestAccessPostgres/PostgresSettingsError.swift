/// A `--database` URL that cannot be used: one line for an operator.
public struct PostgresSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
