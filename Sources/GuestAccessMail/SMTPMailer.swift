import Foundation
public import GuestAccessCore
import GuestAccessCrypto
import NIOCore
import NIOPosix
public import NIOSSL

/// Sends codes over SMTP (RFC 5321): TLS from the first byte (`smtps://`,
/// RFC 8314) or upgraded with STARTTLS whenever the server offers it (and
/// refusing to send in clear when `requireTLS`); with credentials, AUTH PLAIN
/// or LOGIN after TLS and never before it, whatever `requireTLS` says.
///
/// One connection per message, the whole exchange bounded by `timeout`.
/// Recipients and order numbers were validated before anything was queued,
/// and are checked again here: no CR, LF or angle bracket reaches a command
/// or a header. Replies are read by `SMTPReplyDecoder` (512-byte lines) and
/// `SMTPSession` (100-line replies); whatever the server sent before the TLS
/// handshake is never taken for a reply after it.
public struct SMTPMailer: Mailer {
    public let kind = "smtp"
    let host: String
    let port: Int
    let from: String
    let tls: TLSConfiguration
    let requireTLS: Bool
    let security: SMTPSecurity
    let credentials: SMTPCredentials?
    let composer: any CodeEmailComposer
    let timeout: Duration

    public init(
        host: String,
        port: Int,
        from: String,
        tls: TLSConfiguration = .makeClientConfiguration(),
        requireTLS: Bool,
        security: SMTPSecurity = .startTLS,
        credentials: SMTPCredentials? = nil,
        composer: any CodeEmailComposer = PlainCodeEmail(),
        timeout: Duration = .seconds(30)
    ) {
        self.composer = composer
        self.security = security
        self.credentials = credentials
        self.host = host
        self.port = port
        self.from = from
        self.tls = tls
        self.requireTLS = requireTLS
        self.timeout = timeout
    }

    public func deliver(_ message: AccessCodeMessage) async throws {
        guard EmailAddress.isAcceptable(message.to), EmailAddress.isAcceptable(from), OrderNumber.isWellFormed(message.orderNumber) else {
            throw MailError.rejected(reason: "recipient, sender or order number not acceptable")
        }
        let mailer = self
        do {
            try await withDeadline(timeout) { try await mailer.send(message) }
        } catch let error as MailError {
            throw error
        } catch let error as NIOSSLError {
            throw MailError.tlsRequired(reason: "TLS with the SMTP server failed: \(error)")
        } catch let error as NIOSSLExtraError {
            throw MailError.tlsRequired(reason: "TLS with the SMTP server failed: \(error)")
        } catch let error as BoringSSLError {
            throw MailError.tlsRequired(reason: "TLS with the SMTP server failed: \(error)")
        } catch {
            throw MailError.unreachable(reason: "\(error)")
        }
    }

    private func send(_ message: AccessCodeMessage) async throws {
        let sslContext = try NIOSSLContext(configuration: tls)
        let serverName = Self.isIPAddress(host) ? nil : host
        let implicitTLS = security == .implicitTLS
        let (channel, decoder) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        )
                    }
                    let decoder = SMTPReplyDecoder()
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
                    return (
                        try NIOAsyncChannel<SMTPReplyLine, ByteBuffer>(wrappingChannelSynchronously: channel),
                        NIOLoopBound(decoder, eventLoop: channel.eventLoop)
                    )
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(lines: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220)
            var capabilities = try await session.command("EHLO guest-access", expect: 250)
            var secured = implicitTLS
            if !secured && capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                _ = try await session.command("STARTTLS", expect: 220)
                // One event-loop step: TLS in front, and the decoder told, before any more bytes are read.
                let epoch = try await channel.channel.eventLoop.submit {
                    try channel.channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: sslContext, serverHostname: serverName),
                        position: .first
                    )
                    return decoder.value.startTLS()
                }.get()
                session.startedTLS(epoch: epoch)
                secured = true
                capabilities = try await session.command("EHLO guest-access", expect: 250)
            }
            if !secured && (requireTLS || credentials != nil) {
                throw MailError.tlsRequired(reason: "the SMTP server does not offer STARTTLS")
            }
            if let credentials {
                try await Self.authenticate(credentials, capabilities: capabilities, session: &session)
            }
            let needsUTF8 = !message.to.allSatisfy(\.isASCII)
            if needsUTF8 && !capabilities.contains(where: { $0.uppercased().hasPrefix("SMTPUTF8") }) {
                throw MailError.rejected(reason: "the SMTP server does not accept internationalized addresses")
            }
            _ = try await session.command("MAIL FROM:<\(from)>" + (needsUTF8 ? " SMTPUTF8" : ""), expect: 250)
            _ = try await session.command("RCPT TO:<\(message.to)>", expect: 250, 251)
            _ = try await session.command("DATA", expect: 354)
            try await session.write(SMTPMessage(from: from, message: message, email: composer.compose(message)).dotStuffed + ".\r\n")
            try await session.expect(250)
            _ = try? await session.command("QUIT", expect: 221)
        }
    }

    /// AUTH PLAIN (one round) when offered, else AUTH LOGIN; the caller has
    /// made sure the connection is under TLS. A refusal is `authenticationFailed`
    /// with the reply code alone: no reply text, which some servers fill with
    /// what they were sent.
    static func authenticate(_ credentials: SMTPCredentials, capabilities: [String], session: inout SMTPSession) async throws {
        let mechanisms = Set(
            capabilities.flatMap { line -> [String] in
                let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
                return words.first == "AUTH" ? Array(words.dropFirst()) : []
            }
        )
        func encoded(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            let reply = try await session.exchange("AUTH PLAIN " + encoded("\0" + credentials.username + "\0" + credentials.password))
            guard reply.code == 235 else { throw MailError.authenticationFailed(reply: reply.code) }
        } else if mechanisms.contains("LOGIN") {
            for (line, expected) in [("AUTH LOGIN", 334), (encoded(credentials.username), 334), (encoded(credentials.password), 235)] {
                let reply = try await session.exchange(line)
                guard reply.code == expected else { throw MailError.authenticationFailed(reply: reply.code) }
            }
        } else {
            throw MailError.rejected(reason: "the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    /// TLS server names must not be IP addresses (RFC 6066).
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
