public import GuestAccessCore

/// Fetches an order for a use case: the one place where the provider's
/// answers become the contract's — an unknown order is `notFound`, a provider
/// that cannot answer is `unavailable` (retryable), nothing else is said.
@usableFromInline struct OrderLookup<Provider: OrderDetailProvider>: Sendable {
    @usableFromInline let provider: Provider

    @inlinable func order(_ number: String) async throws(UseCaseError) -> OrderDetail {
        let order: OrderDetail?
        do {
            order = try await provider.order(number: number)
        } catch {
            throw .unavailable
        }
        guard let order else { throw .notFound }
        return order
    }
}
