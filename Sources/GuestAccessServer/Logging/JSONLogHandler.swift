import Foundation
import GuestAccessCore
import GuestAccessService
public import Logging
import Synchronization

/// One JSON object per line: `ts`, `level`, `logger`, `msg` and metadata,
/// with `request_id` on every line written while a request is served
/// (`RequestLogID`).
///
/// Call sites never pass tokens, codes, keys or full emails; the log-scanning
/// tests hold them to that.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let sink: LogSink

    public init(label: String, level: Logger.Level = .info, sink: LogSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "{\"ts\":\"\(Date().formatted(.iso8601))\",\"level\":\"\(event.level)\",\"logger\":"
        line += Self.quote(label) + ",\"msg\":" + Self.quote(event.message.description)
        var merged = metadata
        if let requestID = RequestLogID.current { merged["request_id"] = .string(requestID) }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() {
            line += "," + Self.quote(key) + ":" + Self.quote(merged[key]!.description)
        }
        line += "}\n"
        sink.write(line)
    }

    /// A JSON string literal, escaping quotes, backslashes and every control character.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value) {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
