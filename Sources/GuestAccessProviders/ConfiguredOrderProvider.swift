public import GuestAccessCore

/// The provider chosen at start, as one concrete type so routes stay generic
/// over a known provider rather than an existential.
public enum ConfiguredOrderProvider: OrderDetailProvider {
    case embedded(EmbeddedOrderProvider)
    case http(HTTPOrderProvider)

    public func order(number: String) async throws(ProviderError) -> OrderDetail? {
        switch self {
        case .embedded(let provider): try await provider.order(number: number)
        case .http(let provider): try await provider.order(number: number)
        }
    }

    public func isReachable() async -> Bool {
        switch self {
        case .embedded(let provider): await provider.isReachable()
        case .http(let provider): await provider.isReachable()
        }
    }
}
