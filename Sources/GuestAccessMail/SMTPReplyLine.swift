import NIOCore

/// One line of an SMTP reply (CRLF removed), tagged with the TLS epoch it was
/// read in: 0 before STARTTLS, 1 after.
///
/// The tag is what lets the session tell a reply the server sent over TLS from
/// one that was already waiting, unencrypted, when the handshake began (and
/// that anyone on the path could have written).
struct SMTPReplyLine: Sendable {
    let epoch: Int
    let text: ByteBuffer
}
