/// Why a request body was refused. `message` is a fixed sentence for the
/// client (it names a field, never echoes a value).
public struct RequestBodyError: Error, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }
}
