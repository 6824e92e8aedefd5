public import AsyncHTTPClient
import Foundation
public import GuestAccessCore
public import Logging
import NIOCore
import NIOHTTP1

/// Orders from a storefront's provider endpoint:
/// `GET {baseURL}/orders/{orderNumber}` with a bearer credential.
///
/// 200 with a valid order of the asked number → the order; 404 → no such
/// order; anything else (5xx, timeout, garbage, another order's number, a
/// redirect) → `ProviderError.unavailable`. The answer is read up to a size
/// limit and the whole exchange is bounded by one deadline.
public struct HTTPOrderProvider: OrderDetailProvider {
    let client: HTTPClient
    let baseURL: String
    let credential: String?
    let timeoutSeconds: Int
    let maxResponseBytes: Int
    let logger: Logger

    /// `client` must not follow redirects (see `makeClient()`): a redirect
    /// could carry the credential to another host.
    public init(client: HTTPClient, baseURL: String, credential: String?, timeoutSeconds: Int, maxResponseBytes: Int, logger: Logger) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credential = credential
        self.timeoutSeconds = timeoutSeconds
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
    }

    /// An HTTP client fit for provider calls: no redirects, bounded connect time.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func order(number: String) async throws(ProviderError) -> OrderDetail? {
        // Only well-formed numbers reach the URL: no path tricks towards the storefront.
        guard OrderNumber.isWellFormed(number) else { return nil }
        let outcome: Result<OrderDetail?, ProviderError>
        do {
            outcome = try await withDeadline(.seconds(timeoutSeconds)) { try await fetch(number) }
        } catch {
            outcome = .failure(.unavailable(reason: error is DeadlineExceeded ? "timed out" : "request failed"))
        }
        switch outcome {
        case .success(let order): return order
        case .failure(let error):
            logger.warning("order provider call failed", metadata: ["reason": "\(error.description)"])
            throw error
        }
    }

    private func fetch(_ number: String) async throws -> Result<OrderDetail?, ProviderError> {
        var request = HTTPClientRequest(url: "\(baseURL)/orders/\(number)")
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        if let credential { request.headers.add(name: "Authorization", value: "Bearer \(credential)") }
        // The deadline around the call (`order(number:)`) is the bound; the client's own timeout, a second
        // later, only backs it up, so a call cut at the bound always reads as "timed out".
        let response = try await client.execute(request, timeout: .seconds(Int64(timeoutSeconds) + 1))
        switch response.status.code {
        case 200:
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maxResponseBytes)
            } catch {
                return .failure(.unavailable(reason: "response larger than \(maxResponseBytes) bytes"))
            }
            let order: OrderDetail
            do {
                order = try OrderDetailDecoding.decode(Data(body.readableBytesView))
            } catch {
                return .failure(
                    .unavailable(reason: "response breaks the order contract at \(error.field.isEmpty ? "top level" : error.field)")
                )
            }
            guard order.orderNumber == number else {
                return .failure(.unavailable(reason: "response is for another order number"))
            }
            return .success(order)
        case 404:
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .success(nil)
        default:
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .failure(.unavailable(reason: "status \(response.status.code)"))
        }
    }

    public func isReachable() async -> Bool {
        var request = HTTPClientRequest(url: baseURL + "/")
        request.method = .HEAD
        if let credential { request.headers.add(name: "Authorization", value: "Bearer \(credential)") }
        let probe = request
        do {
            let response = try await withDeadline(.seconds(2)) { try await client.execute(probe, timeout: .seconds(2)) }
            return response.status.code < 500
        } catch {
            return false
        }
    }
}
