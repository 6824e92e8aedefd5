import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessMail
import GuestAccessPolicy
import Hummingbird
import HummingbirdTesting
import NIOSSL
import Synchronization
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Mail delivery to real receivers on loopback")
struct MailDeliveryTests {
    static let order = Fixtures.orders[0]

    static func message(to: String = "jane.doe@example.com") -> AccessCodeMessage {
        AccessCodeMessage(to: to, orderNumber: "ORD-2026-0042", code: "482913", expiresAt: Date() + 600)
    }

    @Test("The service sends a code over SMTP to a real server, and that code verifies")
    func smtpEndToEnd() async throws {
        TestLogs.start()
        let sink = try await SMTPSink()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(
            reader: env.reader([
                Setting.mailer.key: "smtp://127.0.0.1:\(sink.port)", Setting.smtpAllowPlaintext.key: "true",
                Setting.mailFrom.key: "orders@shop.example",
            ])
        )
        try await app.test(.live) { client in
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com"))
                    .status == .accepted
            )
            let messages = try await sink.waitForMessages(1)
            #expect(messages[0]["to"] as? [String] == ["jane.doe@example.com"])
            #expect(messages[0]["from"] as? String == "orders@shop.example")
            let data = messages[0]["data"] as? String ?? ""
            #expect(data.contains("Subject: Your access code for order ORD-2026-0042"))
            let code = try #require(SMTPSink.code(in: messages[0]))
            let verified = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com", code)
            )
            #expect(verified.status == .ok)
        }
    }

    @Test(
        "A code asked for in German arrives as a German multipart email (plain text and HTML) in the store's branding; without a preference, in English"
    )
    func brandedMultipartEmail() async throws {
        TestLogs.start()
        let sink = try await SMTPSink()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(
            reader: env.reader([
                Setting.mailer.key: "smtp://127.0.0.1:\(sink.port)", Setting.smtpAllowPlaintext.key: "true",
                Setting.mailFrom.key: "orders@shop.example", Setting.brandName.key: "Bücher & <Co>", Setting.brandAccent.key: "#aa3300",
                Setting.brandSupport.key: "help@shop.example",
            ])
        )
        try await app.test(.live) { client in
            let german = Fixtures.orders[1]
            let english = Fixtures.orders[2]
            #expect(
                try await client.postJSON(
                    "/v1/access-codes",
                    VerifiedAccessTests.body(german.orderNumber, german.email),
                    headers: [.acceptLanguage: "de-DE,de;q=0.9,en;q=0.4"]
                ).status == .accepted
            )
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(english.orderNumber, english.email)).status
                    == .accepted
            )
            let messages = try await sink.waitForMessages(2)
            for (order, language) in [(german, "de"), (english, "en")] {
                let data = try #require(messages.first { ($0["to"] as? [String]) == [order.email] }?["data"] as? String)
                let parts = try Self.mimeParts(data)
                #expect(parts.headers.contains("Content-Language: \(language)"))
                #expect(parts.headers.contains("Content-Type: multipart/alternative"))
                let code = try #require(SMTPSink.code(in: ["data": parts.text]))
                #expect(parts.html.contains(">\(code)<"))
                #expect(parts.html.contains("Bücher &amp; &lt;Co&gt;") && !parts.html.contains("<Co>"))
                #expect(parts.html.contains("#aa3300"))
                #expect(parts.text.contains("Bücher & <Co>") && parts.text.contains("help@shop.example"))
                #expect(parts.html.contains(#"<html lang="\#(language)">"#))
                if language == "de" {
                    #expect(parts.subject == "Ihr Zugangscode für Bestellung \(order.orderNumber)")
                    #expect(parts.text.contains("Sie haben diesen Code nicht angefordert?"))
                } else {
                    #expect(parts.subject == "Your access code for order \(order.orderNumber)")
                    #expect(parts.text.contains("Did not ask for this code?"))
                }
                TestLogs.secret(code)
            }
        }
    }

    /// The headers, decoded subject, text part and decoded HTML part of a multipart/alternative message.
    static func mimeParts(_ data: String) throws -> (headers: String, subject: String, text: String, html: String) {
        let normalized = data.replacingOccurrences(of: "\r\n", with: "\n")
        let headerEnd = try #require(normalized.range(of: "\n\n"))
        let headers = String(normalized[..<headerEnd.lowerBound])
        // Unfold, then decode RFC 2047 words.
        let unfolded = headers.replacingOccurrences(of: "\n ", with: " ")
        let subjectLine = try #require(unfolded.split(separator: "\n").first { $0.hasPrefix("Subject: ") }).dropFirst("Subject: ".count)
        let subject = subjectLine.split(separator: " ").map { word -> String in
            guard word.hasPrefix("=?utf-8?B?"), word.hasSuffix("?=") else { return String(word) + " " }
            let base64 = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }.joined().trimmingCharacters(in: .whitespaces)
        let boundaryStart = try #require(headers.range(of: "boundary=\""))
        let boundary = "--" + headers[boundaryStart.upperBound...].prefix { $0 != "\"" }
        let sections = normalized.components(separatedBy: boundary).dropFirst()
        let text = try #require(sections.first { $0.contains("Content-Type: text/plain") })
        let htmlSection = try #require(sections.first { $0.contains("Content-Type: text/html") })
        let htmlBody = try #require(htmlSection.range(of: "\n\n")).upperBound
        let html = String(
            decoding: Data(base64Encoded: htmlSection[htmlBody...].replacingOccurrences(of: "\n", with: "")) ?? Data(),
            as: UTF8.self
        )
        return (headers, subject, String(text), html)
    }

    @Test("SMTP upgrades with STARTTLS when offered, and refuses to send in clear when TLS is required")
    func startTLS() async throws {
        let certificate = try await SMTPSink.makeCertificate()
        let secure = try await SMTPSink(tls: certificate)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate.cert)
        let mailer = SMTPMailer(host: "localhost", port: secure.port, from: "orders@shop.example", tls: tls, requireTLS: true)
        try await mailer.deliver(Self.message())
        let received = try await secure.waitForMessages(1)
        #expect(received[0]["tls"] as? Bool == true)

        let untrusted = SMTPMailer(host: "localhost", port: secure.port, from: "orders@shop.example", requireTLS: true)
        await #expect(throws: (any Error).self) { try await untrusted.deliver(Self.message()) }

        let plain = try await SMTPSink()
        let strict = SMTPMailer(host: "127.0.0.1", port: plain.port, from: "orders@shop.example", requireTLS: true)
        await #expect(throws: MailError.self) { try await strict.deliver(Self.message()) }
        #expect(plain.received().isEmpty)
    }

    @Test("Recipients with CR/LF or header tricks are refused before anything is sent")
    func headerInjection() async throws {
        let sink = try await SMTPSink()
        let mailer = SMTPMailer(host: "127.0.0.1", port: sink.port, from: "orders@shop.example", requireTLS: false)
        for recipient in [
            "jane@example.com\r\nBcc: all@example.com", "jane@example.com>\r\nRCPT TO:<x@y.z", "<jane@example.com>",
            String(repeating: "a", count: 300) + "@example.com",
        ] {
            await #expect(throws: MailError.self, "\(recipient.debugDescription)") { try await mailer.deliver(Self.message(to: recipient)) }
        }
        try await mailer.deliver(Self.message(to: "renée@bücher.example"))
        let received = try await sink.waitForMessages(1)
        #expect(received.count == 1)
        #expect((received[0]["data"] as? String ?? "").contains("\r\n..") == false)
    }

    @Test("An SMTP server that is down delays delivery without losing it")
    func smtpDownThenUp() async throws {
        TestLogs.start()
        let port = try SMTPSink.freePort()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(
            reader: env.reader([Setting.mailer.key: "smtp://127.0.0.1:\(port)", Setting.smtpAllowPlaintext.key: "true"])
        )
        try await app.test(.live) { client in
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com"))
                    .status == .accepted
            )
            try await waitUntil("a delivery to the SMTP server that is down has failed", poll: .milliseconds(50)) {
                try DatabaseInspector(directory: env.directory).deliveryRetries() >= 1
            }
            let sink = try await SMTPSink(port: port)
            let messages = try await sink.waitForMessages(1, timeout: .seconds(20))
            let code = try #require(SMTPSink.code(in: messages[0]))
            let verified = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com", code)
            )
            #expect(verified.status == .ok)
        }
    }

    @Test(
        "An SMTP server that refuses the recipient, then stalls past the timeout, gets retries with fresh codes; the code delivered verifies"
    )
    func smtpRefusesThenStalls() async throws {
        TestLogs.start()
        // Attempt 1: 550 at RCPT. Attempt 2: held 10 s, past the 3 s timeout (the server drops it when we hang up). Attempt 3:
        // accepted. (With a 1 s timeout, a loaded CI machine let accepted attempts time out too, until the attempts ran out.)
        let sink = try await SMTPSink(options: ["--reject-first", "1", "--stall-first", "1", "--stall-seconds", "10"])
        let policy = TestEnvironment.fastPolicy.with { $0.mail.timeoutSeconds = 3 }
        let env = try TestEnvironment(policy: policy)
        let app = try await buildApplication(
            reader: env.reader([Setting.mailer.key: "smtp://127.0.0.1:\(sink.port)", Setting.smtpAllowPlaintext.key: "true"])
        )
        try await app.test(.live) { client in
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com"))
                    .status == .accepted
            )
            // The held message is written after its stall, whether or not the service hung up first (it
            // did, and invalidated that code); on a slow machine an attempt the sink accepted at once can
            // also outlast the 1 s timeout and be retried. So: wait until the service has finished the
            // request, then take the last message accepted at once, the attempt it saw succeed.
            try await waitUntil("the request is finished", timeout: .seconds(60), poll: .milliseconds(50)) {
                try await env.stored.pendingRequests() == 0
            }
            let delivered = try #require(sink.received().last { $0["held"] as? Bool == false })
            let code = try #require(SMTPSink.code(in: delivered))
            let verified = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com", code)
            )
            #expect(verified.status == .ok)
        }
        let retries = TestLogs.sink.captured.filter { $0.contains("code request will be retried") }
        #expect(retries.contains { $0.contains("SMTP reply 550") })
        #expect(retries.contains { $0.contains("DeadlineExceeded") })
    }

    /// A webhook receiver that checks the signature and keeps what it accepts.
    final class Receiver: Sendable {
        let secret: String
        let accepted = Mutex<[[String: String]]>([])
        let refused = Atomic<Int>(0)

        init(secret: String) { self.secret = secret }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/mail") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 65536)
                let bytes = [UInt8](body.readableBytesView)
                guard
                    WebhookSignature.verify(
                        body: bytes,
                        timestamp: request.headers[.init(WebhookSignature.timestampHeader)!] ?? "",
                        signature: request.headers[.init(WebhookSignature.signatureHeader)!] ?? "",
                        key: HMACKey(secret: Array(self.secret.utf8))
                    )
                else {
                    self.refused.add(1, ordering: .relaxed)
                    return Response(status: .unauthorized)
                }
                let payload = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: String] ?? [:]
                self.accepted.withLock { $0.append(payload) }
                return Response(status: .noContent)
            }
            return router
        }

        func waitForPayload(timeout: Duration = .seconds(20)) async throws -> [String: String] {
            try await waitUntil("the webhook receiver has accepted a message", timeout: timeout, poll: .milliseconds(20)) {
                accepted.withLock { !$0.isEmpty }
            }
            return accepted.withLock { $0[0] }
        }
    }

    @Test("The webhook mailer signs over timestamp and body; a receiver down at first still gets the code")
    func webhook() async throws {
        TestLogs.start()
        let secret = "webhook-secret-" + Base64URL.encode(SecureRandom.bytes(24))
        let receiver = Receiver(secret: secret)
        let port = try SMTPSink.freePort()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(
            reader: env.reader([Setting.mailer.key: "webhook:http://127.0.0.1:\(port)/mail", Setting.webhookSecret.key: secret])
        )
        try await app.test(.live) { client in
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com"))
                    .status == .accepted
            )
            try await waitUntil("a delivery to the webhook receiver that is down has failed", poll: .milliseconds(50)) {
                try DatabaseInspector(directory: env.directory).deliveryRetries() >= 1
            }
            try await LoopbackServer.run(router: receiver.router(), port: port) { _ in
                let payload = try await receiver.waitForPayload()
                #expect(payload["to"] == "jane.doe@example.com" && payload["orderNumber"] == Self.order.orderNumber)
                let code = try #require(payload["code"])
                let verified = try await client.postJSON(
                    "/v1/access-codes/verify",
                    VerifiedAccessTests.body(Self.order.orderNumber, "jane.doe@example.com", code)
                )
                #expect(verified.status == .ok)
            }
        }
        // A wrong secret, a stale timestamp or a changed body do not verify.
        let key = HMACKey(secret: Array(secret.utf8))
        let body = Array(#"{"code":"123456"}"#.utf8)
        let now = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSignature.sign(body: body, timestamp: now, key: key)
        #expect(WebhookSignature.verify(body: body, timestamp: String(now), signature: signature, key: key))
        #expect(!WebhookSignature.verify(body: body + [0x20], timestamp: String(now), signature: signature, key: key))
        #expect(
            !WebhookSignature.verify(
                body: body,
                timestamp: String(now - 301),
                signature: WebhookSignature.sign(body: body, timestamp: now - 301, key: key),
                key: key
            )
        )
        #expect(
            !WebhookSignature.verify(body: body, timestamp: String(now), signature: signature, key: HMACKey(secret: Array("other".utf8)))
        )
    }
}
