import Foundation
import GuestAccessCore
import GuestAccessMail
import Hummingbird
import HummingbirdTesting
import NIOSSL
import Testing

@testable import GuestAccessServer

/// SMTP submission as hosted mail services expect it (port 587 with STARTTLS
/// and AUTH, port 465 with implicit TLS), against aiosmtpd requiring both.
@Suite("SMTP AUTH over STARTTLS and implicit TLS")
struct SMTPAuthTests {
    static let user = "shop-mailer"
    static let password = "smtp-pa55word-\(UUID().uuidString)"

    /// A password file for the sink, and the sink itself.
    static func sink(certificate: (cert: String, key: String)?, _ options: [String] = []) async throws -> SMTPSink {
        let directory = try TestEnvironment.temporaryDirectory()
        let passwordFile = directory + "/password"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        TestLogs.secret(password)
        return try await SMTPSink(
            tls: certificate,
            options: ["--auth-user", user, "--auth-password-file", passwordFile] + options
        )
    }

    static func mailer(
        port: Int,
        caFile: String,
        security: SMTPSecurity,
        password: String = SMTPAuthTests.password
    ) throws -> SMTPMailer {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caFile)
        return SMTPMailer(
            host: "localhost",
            port: port,
            from: "orders@shop.example",
            tls: tls,
            requireTLS: true,
            security: security,
            credentials: try SMTPCredentials(username: user, password: password)
        )
    }

    @Test(
        "A code goes out through a server that requires AUTH: over STARTTLS with PLAIN or LOGIN, and over implicit TLS",
        arguments: [
            (SMTPSecurity.startTLS, [String]()), (.startTLS, ["--auth-login-only"]), (.implicitTLS, ["--implicit-tls"]),
        ]
    )
    func authenticatedDelivery(security: SMTPSecurity, options: [String]) async throws {
        let certificate = try await SMTPSink.makeCertificate()
        let sink = try await Self.sink(certificate: certificate, options)
        let mailer = try Self.mailer(port: sink.port, caFile: certificate.cert, security: security)
        try await mailer.deliver(MailDeliveryTests.message())
        let received = try await sink.waitForMessages(1)
        #expect(received[0]["tls"] as? Bool == true)
        #expect(received[0]["auth"] as? String == Self.user)
        let attempts = sink.authAttempts()
        #expect(attempts.count == 1)
        #expect(attempts.allSatisfy { $0["tls"] as? Bool == true && $0["ok"] as? Bool == true })
        #expect(attempts.first?["auth_attempt"] as? String == (options.contains("--auth-login-only") ? "LOGIN" : "PLAIN"))
    }

    @Test("A wrong password is an authentication failure naming the reply code, never the password")
    func wrongPassword() async throws {
        let certificate = try await SMTPSink.makeCertificate()
        let sink = try await Self.sink(certificate: certificate)
        let wrong = "wrong-pa55word-\(UUID().uuidString)"
        TestLogs.secret(wrong)
        let mailer = try Self.mailer(port: sink.port, caFile: certificate.cert, security: .startTLS, password: wrong)
        let error = await #expect(throws: MailError.self) { try await mailer.deliver(MailDeliveryTests.message()) }
        #expect(error == .authenticationFailed(reply: 535))
        #expect(error?.failure == .authentication)
        #expect(!"\(String(describing: error))".contains(wrong))
        #expect(sink.received().isEmpty)
    }

    @Test(
        "Credentials are never sent without TLS: not to a server offering AUTH in clear, whatever --smtp-allow-plaintext would allow"
    )
    func neverInClear() async throws {
        let sink = try await Self.sink(certificate: nil, ["--auth-offered-in-clear"])
        let mailer = SMTPMailer(
            host: "127.0.0.1",
            port: sink.port,
            from: "orders@shop.example",
            requireTLS: false,
            credentials: try SMTPCredentials(username: Self.user, password: Self.password)
        )
        let error = await #expect(throws: MailError.self) { try await mailer.deliver(MailDeliveryTests.message()) }
        #expect(error?.failure == .tls)
        // The server offered AUTH in clear; no AUTH ever reached it.
        try await Task.sleep(for: .milliseconds(200))
        #expect(sink.authAttempts().isEmpty)
        #expect(sink.received().isEmpty)
    }

    @Test("Credentials holding NUL, CR or LF, or empty, are refused before any connection")
    func malformedCredentials() {
        for (user, password) in [("a\r\nMAIL FROM:<x@y>", "p"), ("a", "p\0q"), ("", "p"), ("a", "")] {
            #expect(throws: MailError.self) { try SMTPCredentials(username: user, password: password) }
        }
        let credentials = try? SMTPCredentials(username: "u", password: "hunter2-secret")
        #expect(!"\(String(describing: credentials))".contains("hunter2"))
        #expect(!String(reflecting: credentials as Any).contains("hunter2"))
    }

    @Test(
        "The service logs in with the password from GUEST_ACCESS_SMTP_PASSWORD; a refused login is retried, counted by reason, and logged without the password"
    )
    func serviceCountsRefusedLogins() async throws {
        TestLogs.start()
        let certificate = try await SMTPSink.makeCertificate()
        let sink = try await Self.sink(certificate: certificate)
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        for (password, expectSent) in [("wrong-\(UUID().uuidString)", false), (Self.password, true)] {
            TestLogs.secret(password)
            let app = try await buildApplication(
                reader: env.reader([
                    Setting.mailer.key: "smtp://localhost:\(sink.port)", Setting.smtpCAFile.key: certificate.cert,
                    Setting.smtpUsername.key: Self.user, Setting.smtpPassword.key: password,
                ])
            )
            try await app.test(.live) { client in
                let order = Fixtures.orders[1]
                let body = VerifiedAccessTests.body(order.orderNumber, order.email)
                #expect(try await client.postJSON("/v1/access-codes", body).status == .accepted)
                if expectSent {
                    let messages = try await sink.waitForMessages(1)
                    #expect(messages[0]["auth"] as? String == Self.user)
                } else {
                    try await waitUntil("a refused login is counted", timeout: .seconds(20)) {
                        let metrics = try await client.get("/metrics", headers: bearer(env.adminKey)).text
                        return metrics.contains(#"guest_access_mail_delivery_failures_total{reason="authentication"}"#)
                    }
                    #expect(sink.received().isEmpty)
                    // The retry's log line follows the count.
                    try await waitUntil("the refused login is logged") {
                        TestLogs.sink.captured.joined().contains("SMTP login refused (reply 535)")
                    }
                    #expect(!TestLogs.sink.captured.joined().contains(password))
                }
            }
        }
        #expect(!TestLogs.sink.captured.joined().contains(Self.password))
    }
}
