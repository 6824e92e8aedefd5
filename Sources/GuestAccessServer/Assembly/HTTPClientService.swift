import AsyncHTTPClient
import ServiceLifecycle

/// Owns the provider's HTTP client and shuts it down after graceful shutdown.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
