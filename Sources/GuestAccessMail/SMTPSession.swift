import NIOCore

/// The line protocol of one SMTP conversation: commands out, multi-line
/// replies (`250-…` continued, `250 …` final) in.
struct SMTPSession {
    var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.lines = lines
        self.outbound = outbound
    }

    /// Sends a command and returns the reply's text lines (capabilities, for EHLO).
    mutating func command(_ line: String, expect codes: Int...) async throws -> [String] {
        try await write(line + "\r\n")
        return try await reply(expect: codes)
    }

    mutating func expect(_ code: Int) async throws { _ = try await reply(expect: [code]) }

    func write(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text)) }

    private mutating func reply(expect codes: [Int]) async throws -> [String] {
        var texts = [String]()
        while true {
            guard let buffer = try await lines.next() else { throw MailError.rejected(reason: "the SMTP server closed the connection") }
            var line = String(buffer: buffer)
            if line.hasSuffix("\r") { line.removeLast() }
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else { throw MailError.rejected(reason: "malformed SMTP reply") }
            let separator = line.dropFirst(3).first
            texts.append(String(line.dropFirst(4)))
            if separator == "-" { continue }
            guard codes.contains(code) else { throw MailError.rejected(reason: "SMTP reply \(code)") }
            return texts
        }
    }
}
