/// Storage failed. `reason` is for the operator's log and holds no secret.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unavailable(reason: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "storage unavailable: \(reason)"
        }
    }
}
