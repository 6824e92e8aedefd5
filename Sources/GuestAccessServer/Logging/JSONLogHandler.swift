import Foundation
import GuestAccessCore
public import Logging
import Synchronization

/// One JSON object per line: `ts`, `level`, `logger`, `msg` and metadata
/// (keys sorted), with `request_id` on every line written while a request is
/// served (`RequestLogID`).
///
/// At `info`, the service's default, it writes one access-log line per
/// request, so the line is built as bytes: the timestamp from the UTC
/// calendar fields, strings escaped byte by byte, one `write` to the sink.
/// Foundation's ISO 8601 format style, `String(format:)` escapes and a
/// `FileHandle` write per line made the access log the largest cost of a
/// tracking lookup at `info` (BENCHMARKS.md, 2026-11-28).
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
        let line = Self.line(event: event, label: label, metadata: metadata, requestID: RequestLogID.current, at: Date())
        sink.write(line, urgent: event.level >= .warning)
    }

    /// The warning the standard-error sink writes where lines were dropped
    /// because its reader had stalled (`LogWriter`).
    static func droppedNotice(count: Int, at date: Date) -> [UInt8] {
        let event = LogEvent(
            level: .warning,
            message: "log lines dropped: standard error took no bytes while the queue was full",
            metadata: ["dropped": "\(count)"],
            source: nil,
            file: #fileID,
            function: #function,
            line: #line
        )
        return line(event: event, label: "guest-access.log", metadata: [:], requestID: nil, at: date)
    }

    /// The line's bytes, newline included.
    static func line(event: LogEvent, label: String, metadata: Logger.Metadata, requestID: String?, at date: Date) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: #"{"ts":""#.utf8)
        appendTimestamp(date, to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(contentsOf: #"","logger":"#.utf8)
        appendQuoted(label, to: &line)
        line.append(contentsOf: #","msg":"#.utf8)
        appendQuoted(event.message.description, to: &line)
        var merged = metadata
        if let requestID { merged["request_id"] = .string(requestID) }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: ","))
            appendQuoted(key, to: &line)
            line.append(UInt8(ascii: ":"))
            if case .string(let text) = value { appendQuoted(text, to: &line) } else { appendQuoted(value.description, to: &line) }
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// `2026-11-28T04:41:11Z`: what Foundation's `.iso8601` format style wrote, whole seconds in UTC.
    /// The civil date from the day count in integer arithmetic (Howard Hinnant's `civil_from_days`),
    /// not `gmtime_r`: no time-zone lock per line, no leap seconds from a `right/` zone; the year
    /// is clamped to 0...9999 so a wildly wrong clock still yields a well-formed line.
    static func appendTimestamp(_ date: Date, to line: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        let seconds: Int64 = interval.isFinite ? Int64(max(-62_167_219_200, min(253_402_300_799, interval.rounded(.down)))) : 0
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(min(max(year, 0), 9999), 4)
        line.append(UInt8(ascii: "-"))
        digits(month, 2)
        line.append(UInt8(ascii: "-"))
        digits(day, 2)
        line.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        line.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        line.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        line.append(UInt8(ascii: "Z"))
    }

    /// A JSON string literal, escaping quotes, backslashes, every control
    /// character (C0 and DEL) and U+2028/U+2029 (line breaks to JavaScript).
    static func appendQuoted(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20, 0x7F:
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hexDigit(byte >> 4))
                line.append(hexDigit(byte & 0xF))
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 (a String's UTF-8 is valid: two continuation bytes follow).
                guard let second = utf8.next() else {
                    line.append(byte)
                    continue
                }
                guard second == 0x80, let third = utf8.next() else {
                    line.append(byte)
                    line.append(second)
                    continue
                }
                if third == 0xA8 || third == 0xA9 {
                    line.append(contentsOf: #"\u202"#.utf8)
                    line.append(third == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                } else {
                    line.append(byte)
                    line.append(second)
                    line.append(third)
                }
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10 }
}
