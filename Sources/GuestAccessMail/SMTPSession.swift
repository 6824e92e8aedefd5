import NIOCore

/// The line protocol of one SMTP conversation: commands out, multi-line
/// replies (`250-…` continued, `250 …` final) in.
struct SMTPSession {
    /// A cap on the lines of one reply, so a server cannot keep one reply going
    /// for as long as the deadline allows. RFC 5321 sets none; an EHLO reply,
    /// the longest in practice, has a dozen or two.
    static let maximumReplyLines = 100

    var lines: NIOAsyncChannelInboundStream<SMTPReplyLine>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// Lines read in an earlier TLS epoch are skipped: after STARTTLS, they are
    /// plaintext the server (or anyone on the path) pipelined behind its `220`,
    /// never replies to what we send over TLS (RFC 3207 §4.2: discard what was
    /// learned before TLS).
    private var epoch = 0

    init(lines: NIOAsyncChannelInboundStream<SMTPReplyLine>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.lines = lines
        self.outbound = outbound
    }

    /// From now on, only lines of `epoch` (returned by `SMTPReplyDecoder.startTLS()`) are replies.
    mutating func startedTLS(epoch: Int) { self.epoch = epoch }

    /// Sends a command and returns the reply's text lines (capabilities, for EHLO).
    mutating func command(_ line: String, expect codes: Int...) async throws -> [String] {
        try await write(line + "\r\n")
        return try await reply(expect: codes)
    }

    mutating func expect(_ code: Int) async throws { _ = try await reply(expect: [code]) }

    func write(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text)) }

    /// Sends a line and returns the reply's code and text lines, whatever the code.
    mutating func exchange(_ line: String) async throws -> (code: Int, texts: [String]) {
        try await write(line + "\r\n")
        return try await readReply()
    }

    private mutating func reply(expect codes: [Int]) async throws -> [String] {
        let (code, texts) = try await readReply()
        guard codes.contains(code) else { throw MailError.rejected(reason: "SMTP reply \(code)") }
        return texts
    }

    private mutating func readReply() async throws -> (code: Int, texts: [String]) {
        var texts = [String]()
        while true {
            guard let next = try await lines.next() else { throw MailError.rejected(reason: "the SMTP server closed the connection") }
            guard next.epoch >= epoch else { continue }
            guard texts.count < Self.maximumReplyLines else {
                throw MailError.rejected(reason: "SMTP reply longer than \(Self.maximumReplyLines) lines")
            }
            let line = String(buffer: next.text)
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else { throw MailError.rejected(reason: "malformed SMTP reply") }
            let separator = line.dropFirst(3).first
            texts.append(String(line.dropFirst(4)))
            if separator == "-" { continue }
            return (code, texts)
        }
    }
}
