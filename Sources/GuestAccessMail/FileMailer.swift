import Foundation
public import GuestAccessCore

#if canImport(Glibc)
    import Glibc
#endif

/// Development mailer: appends one JSON object per message to a file
/// (`{"to","orderNumber","code","expiresAt","language"}`), mode 0600.
///
/// The file holds live codes and full emails: it is for development and tests
/// only, and the service says so loudly when it starts with it.
public actor FileMailer: Mailer {
    public nonisolated let kind = "file"
    public let path: String

    public init(path: String) { self.path = path }

    public func deliver(_ message: AccessCodeMessage) async throws {
        let line = FileMailerLine(
            to: message.to,
            orderNumber: message.orderNumber,
            code: message.code,
            expiresAt: Timestamp.format(message.expiresAt),
            language: message.language.rawValue
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(line)
        data.append(0x0A)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw MailError.cannotWrite(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw MailError.cannotWrite(reason: "short write") }
        guard fsync(fd) == 0 else { throw MailError.cannotWrite(reason: String(cString: strerror(errno))) }
    }
}

/// One line of the file mailer's output.
struct FileMailerLine: Codable {
    let to: String
    let orderNumber: String
    let code: String
    let expiresAt: String
    let language: String
}
