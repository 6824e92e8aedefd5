/// The provider could not give an answer. `reason` is for the operator's log:
/// it names what went wrong, never the order's content.
public enum ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    case unavailable(reason: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "order provider unavailable: \(reason)"
        }
    }
}
