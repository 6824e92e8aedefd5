public import AsyncHTTPClient
import Foundation
public import GuestAccessCore
import GuestAccessCrypto
import NIOCore
import NIOHTTP1

/// Delivers codes as a signed JSON POST to a mail relay the operator runs:
/// body `{"code","expiresAt","language","orderNumber","to"}`, headers
/// `X-Guest-Access-Timestamp` and `X-Guest-Access-Signature` (see
/// `WebhookSignature`). Any answer but 2xx, a redirect or a timeout is a
/// failed delivery, retried by the worker.
public struct WebhookMailer: Mailer {
    public let kind = "webhook"
    let url: String
    let key: HMACKey
    let client: HTTPClient
    let timeout: Duration

    public init(url: String, secret: String, client: HTTPClient, timeout: Duration = .seconds(10)) {
        self.url = url
        self.key = HMACKey(secret: Array(secret.utf8))
        self.client = client
        self.timeout = timeout
    }

    struct Payload: Encodable {
        let to: String
        let orderNumber: String
        let code: String
        let expiresAt: String
        /// The shopper's language (`en`, `de`): the relay writes the email in it.
        let language: String
    }

    public func deliver(_ message: AccessCodeMessage) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try [UInt8](
            encoder.encode(
                Payload(
                    to: message.to,
                    orderNumber: message.orderNumber,
                    code: message.code,
                    expiresAt: Timestamp.format(message.expiresAt),
                    language: message.language.rawValue
                )
            )
        )
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(
            name: WebhookSignature.signatureHeader,
            value: WebhookSignature.sign(body: body, timestamp: timestamp, key: key)
        )
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Int64(timeout.components.seconds)
        let prepared = request
        let client = client
        let status = try await withDeadline(timeout) {
            let response = try await client.execute(prepared, timeout: .seconds(seconds))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return response.status.code
        }
        guard (200..<300).contains(status) else { throw MailError.rejected(reason: "webhook answered \(status)") }
    }
}
