import Foundation
import GuestAccessCore
import GuestAccessPolicy
import NIOCore
import NIOEmbedded
import NIOSSL
import Testing

@testable import GuestAccessMail
@testable import GuestAccessService

/// The SMTP client reads only what the server sent, when it sent it: nothing
/// pipelined before the TLS handshake passes for a reply after it, and no reply
/// line or reply grows without bound.
@Suite("SMTP replies pipelined before TLS, or without end, are never taken for answers")
struct SMTPInjectionTests {
    /// What a well-behaved exchange sends over TLS, in order.
    static let commandsOverTLS = ["EHLO guest-access", "MAIL FROM:<orders@shop.example>", "RCPT TO:<jane.doe@example.com>", "DATA", "QUIT"]

    static func mailer(port: Int, trusting certificate: String) -> SMTPMailer {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate)
        return SMTPMailer(host: "localhost", port: port, from: "orders@shop.example", tls: tls, requireTLS: true)
    }

    /// Lines the decoder passed on, as "epoch:text".
    static func decoded(_ channel: EmbeddedChannel) throws -> [String] {
        var lines = [String]()
        while let line = try channel.readInbound(as: SMTPReplyLine.self) { lines.append("\(line.epoch):\(String(buffer: line.text))") }
        return lines
    }

    @Test("Replies pipelined behind the 220 to STARTTLS are discarded, and the exchange over TLS stays in step")
    func pipelinedRepliesAfterStartTLS() async throws {
        // The peer answers STARTTLS with "220 go ahead\r\n250-injected\r\n250 AUTH-injected\r\n" in one write.
        // Taken for the reply to EHLO over TLS, those two lines would put every later reply one command behind:
        // DATA would get RCPT's 250 and the delivery would fail with "SMTP reply 250".
        let certificate = try await SMTPSink.makeCertificate()
        let peer = try await SMTPHostilePeer(mode: "starttls-injection", tls: certificate)
        let mailer = Self.mailer(port: peer.port, trusting: certificate.cert)
        await #expect(throws: Never.self) { try await mailer.deliver(MailDeliveryTests.message()) }
        let session = try #require(try await peer.waitForSessions(1).first)
        #expect(session["plain"] as? [String] == ["EHLO guest-access", "STARTTLS"])
        #expect(session["tls"] as? [String] == Self.commandsOverTLS)
        #expect((session["data"] as? String ?? "").contains("Subject: Your access code for order ORD-2026-0042"))
        #expect(session["end"] as? String == "quit")
    }

    @Test("A partial reply line pipelined behind the 220 to STARTTLS is dropped, not glued to the first line read over TLS")
    func partialLineAfterStartTLS() async throws {
        // The peer sends "220 go ahead\r\n250 injected": without the drop, the first line over TLS would read
        // "250 injected250-peer.example", a one-line EHLO reply, and the rest of the real one would answer MAIL.
        let certificate = try await SMTPSink.makeCertificate()
        let peer = try await SMTPHostilePeer(mode: "starttls-partial", tls: certificate)
        let mailer = Self.mailer(port: peer.port, trusting: certificate.cert)
        await #expect(throws: Never.self) { try await mailer.deliver(MailDeliveryTests.message()) }
        let session = try #require(try await peer.waitForSessions(1).first)
        #expect(session["plain"] as? [String] == ["EHLO guest-access", "STARTTLS"])
        #expect(session["tls"] as? [String] == Self.commandsOverTLS)
        #expect(session["end"] as? String == "quit")
    }

    @Test("A reply line longer than 512 bytes fails the delivery at once instead of being buffered until the deadline")
    func overlongReplyLine() async throws {
        // The peer greets with 100 kB and no newline, then holds the connection open.
        let peer = try await SMTPHostilePeer(mode: "long-line")
        let mailer = SMTPMailer(host: "127.0.0.1", port: peer.port, from: "orders@shop.example", requireTLS: false, timeout: .seconds(20))
        let started = ContinuousClock.now
        let error = await #expect(throws: MailError.self) { try await mailer.deliver(MailDeliveryTests.message()) }
        #expect(error == .rejected(reason: "SMTP reply line longer than 512 bytes"))
        #expect(ContinuousClock.now - started < .seconds(10))
        // The peer never hangs up in this mode: a record means we did.
        _ = try await peer.waitForSessions(1)
    }

    @Test("A reply of more than 100 lines fails the delivery before anything is sent")
    func overlongReply() async throws {
        // The peer greets with 1000 lines ("220-…" then "220 …"), then behaves.
        let peer = try await SMTPHostilePeer(mode: "many-lines")
        let mailer = SMTPMailer(host: "127.0.0.1", port: peer.port, from: "orders@shop.example", requireTLS: false)
        let error = await #expect(throws: MailError.self) { try await mailer.deliver(MailDeliveryTests.message()) }
        #expect(error == .rejected(reason: "SMTP reply longer than 100 lines"))
        let session = try #require(try await peer.waitForSessions(1).first)
        #expect(session["plain"] as? [String] == [])
    }

    /// The longest reply line there is, without its CRLF (512 bytes with it).
    static let longestLine = "250 " + String(repeating: "x", count: 506)

    /// A reply line the decoder must refuse.
    struct TooLongLine: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String

        var testDescription: String { name }
    }

    static let tooLongLines = [
        TooLongLine(name: "513 bytes with CRLF", text: longestLine + "x\r\n"),
        TooLongLine(name: "512 bytes and no newline yet", text: longestLine + "xx"),
        TooLongLine(name: "100,000 bytes and no newline", text: String(repeating: "x", count: 100_000)),
    ]

    @Test("The reply decoder tags lines with the TLS epoch, drops a partial plaintext line at STARTTLS, and passes a 512-byte line")
    func replyDecoder() throws {
        let decoder = SMTPReplyDecoder()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
        try channel.writeInbound(ByteBuffer(string: "220 go ahead\r\n250-inj"))
        try channel.writeInbound(ByteBuffer(string: "ected\r\n250 AUTH"))
        #expect(try Self.decoded(channel) == ["0:220 go ahead", "0:250-injected"])
        #expect(decoder.startTLS() == 1)
        try channel.writeInbound(ByteBuffer(string: "250-peer.example\r\n25"))
        try channel.writeInbound(ByteBuffer(string: "0 HELP\n"))
        #expect(try Self.decoded(channel) == ["1:250-peer.example", "1:250 HELP"])
        // A partial line at the end of input is no reply.
        try channel.writeInbound(ByteBuffer(string: "250 cut"))
        #expect(try channel.finish().isClean)

        // 512 bytes with CRLF is the longest line there is.
        let fits = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try fits.writeInbound(ByteBuffer(string: Self.longestLine + "\r\n"))
        #expect(try Self.decoded(fits) == ["0:" + Self.longestLine])
        _ = try? fits.finish()
    }

    @Test("The reply decoder cuts a line over 512 bytes, with or without a newline", arguments: SMTPInjectionTests.tooLongLines)
    func replyDecoderCutsLongLines(_ tooLong: TooLongLine) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        #expect(throws: MailError.rejected(reason: "SMTP reply line longer than 512 bytes")) {
            try channel.writeInbound(ByteBuffer(string: tooLong.text))
        }
        // Finished, or `ByteToMessageHandler` asserts in its deinit that it was never removed.
        _ = try? channel.finish()
    }
}
