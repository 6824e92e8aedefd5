import NIOCore

/// Splits the server's bytes into reply lines of at most 512 bytes, each tagged
/// with the TLS epoch it arrived in.
///
/// It replaces NIOExtras' `LineBasedFrameDecoder` for two reasons:
///
/// - That decoder buffers a line without bound, so a server that never sends a
///   newline would hold as much of our memory as it liked until the deadline.
///   RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets, code and CRLF
///   included; beyond that we fail the delivery.
/// - It cannot tell bytes read before the STARTTLS handshake from bytes read
///   after. Replies pipelined behind the `220` to STARTTLS (by the server or
///   by anyone on the path, before there is any TLS) would otherwise be read
///   as replies of the encrypted session: the STARTTLS injection class
///   (CVE-2011-0411 and kin). `startTLS()` closes the plaintext epoch: lines
///   already decoded keep the old epoch, and the session skips them; a partial
///   line still in the handler's buffer is dropped here, so it cannot be glued
///   to the front of the first line that comes through TLS.
///
/// A final class because `ByteToMessageHandler` owns the decoder while the
/// mailer needs to reach it for `startTLS()`. Only ever used on the channel's
/// event loop (the mailer holds it in a `NIOLoopBound`).
final class SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReplyLine

    /// RFC 5321 §4.5.3.1.5: reply code, text and CRLF together.
    static let maximumLineLength = 512

    private(set) var epoch = 0
    /// Bytes left unread in the handler's buffer after the last `decode`: the
    /// start of a line whose newline has not arrived yet.
    private var unread = 0
    /// Bytes at the front of the next buffer that were read before the TLS
    /// handshake began.
    private var plaintextToDrop = 0

    /// Call on the event loop, in the same step that puts `NIOSSLClientHandler`
    /// at the front of the pipeline: every byte decoded afterwards came through
    /// TLS. Returns the new epoch.
    func startTLS() -> Int {
        epoch += 1
        // `ByteToMessageHandler` hands unconsumed bytes back, first, on the next
        // call: these are exactly the `unread` bytes of the last call.
        plaintextToDrop += unread
        unread = 0
        return epoch
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if plaintextToDrop > 0 {
            let count = min(plaintextToDrop, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: count)
            plaintextToDrop -= count
        }
        defer { unread = buffer.readableBytes }
        // A line that fits has its newline within the first 512 bytes: never scan further.
        let window = buffer.readableBytesView.prefix(Self.maximumLineLength)
        guard let newline = window.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes >= Self.maximumLineLength {
                throw MailError.rejected(reason: "SMTP reply line longer than \(Self.maximumLineLength) bytes")
            }
            return .needMoreData
        }
        var length = newline - window.startIndex
        if length > 0 && window[newline - 1] == UInt8(ascii: "\r") { length -= 1 }
        let text = buffer.getSlice(at: buffer.readerIndex, length: length)!
        buffer.moveReaderIndex(to: newline + 1)
        context.fireChannelRead(wrapInboundOut(SMTPReplyLine(epoch: epoch, text: text)))
        return .continue
    }

    /// At end of input, complete lines still count; a partial one is no reply and is dropped.
    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        unread = 0
        return .needMoreData
    }
}
