import Foundation
import Logging
import Testing

@testable import GuestAccessHTTP
@testable import GuestAccessServer

@Suite("Log lines")
struct JSONLogLineTests {
    /// The line as the handler wrote it before it wrote bytes (Foundation's
    /// ISO 8601 style, escapes by Unicode scalar): the model the byte writer
    /// is held to.
    static func modelLine(_ event: LogEvent, label: String, metadata: Logger.Metadata, requestID: String?, at date: Date) -> String {
        func quote(_ text: String) -> String {
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
        var line = "{\"ts\":\"\(date.formatted(.iso8601))\",\"level\":\"\(event.level)\",\"logger\":"
        line += quote(label) + ",\"msg\":" + quote(event.message.description)
        var merged = metadata
        if let requestID { merged["request_id"] = .string(requestID) }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() {
            line += "," + quote(key) + ":" + quote(merged[key]!.description)
        }
        return line + "}\n"
    }

    /// Characters that need escaping, near-misses of those that do (U+2027,
    /// U+2030 share U+2028's first bytes), and multi-byte ones.
    static let alphabet: [Character] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{80}", "é", "\u{E2}",
        "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{2030}", "€", "😀", "\u{FEFF}", "\u{10FFFF}", "{", "}", ",", ":",
    ]

    static func randomText(from alphabet: [Character] = alphabet) -> String {
        String((0..<Int.random(in: 0...12)).map { _ in alphabet.randomElement()! })
    }

    @Test("Each line is byte for byte what the Foundation-based writer wrote, over 5,000 random events, dates, labels and metadata")
    func linesMatchTheModel() throws {
        let levels = Logger.Level.allCases
        for _ in 0..<5_000 {
            var metadata: Logger.Metadata = [:]
            for _ in 0..<Int.random(in: 0...2) { metadata[Self.randomText()] = .string(Self.randomText()) }
            var extra: Logger.Metadata? = Bool.random() ? nil : [:]
            for _ in 0..<Int.random(in: 0...4) {
                let key = Bool.random() ? Self.randomText() : ["route", "status", "request_id"].randomElement()!
                extra?[key] =
                    switch Int.random(in: 0..<4) {
                    case 0: .stringConvertible(Int.random(in: -1000...1000))
                    case 1: .array([.string(Self.randomText())])
                    case 2: .dictionary(["k": .string(Self.randomText())])
                    default: .string(Self.randomText())
                    }
            }
            let event = LogEvent(
                level: levels.randomElement()!,
                message: "\(Self.randomText())",
                metadata: extra,
                source: nil,
                file: #fileID,
                function: #function,
                line: #line
            )
            // Dates from 1970 to 2100, at fractions of a second too, and the calendar's edges.
            let edges: [Double] = [0, 0.999, 59, 86_399.5, 86_400, 951_782_400, 951_868_799, 978_307_200, 4_102_444_799]
            let date = Date(
                timeIntervalSince1970: Int.random(in: 0..<4) == 0 ? edges.randomElement()! : Double.random(in: 0..<4_102_444_800)
            )
            let label = Self.randomText()
            let requestID = Bool.random() ? nil : Self.randomText()
            let written = JSONLogHandler.line(event: event, label: label, metadata: metadata, requestID: requestID, at: date)
            let model = Self.modelLine(event, label: label, metadata: metadata, requestID: requestID, at: date)
            #expect(written == Array(model.utf8), "\(String(decoding: written, as: UTF8.self)) against \(model)")
            if written != Array(model.utf8) { return }
        }
    }

    @Test("The access line's duration is milliseconds with two decimals, within half a hundredth of the time taken")
    func durationIsRounded() throws {
        let samples: [Duration] =
            [.zero, .nanoseconds(4_999), .nanoseconds(5_000), .milliseconds(1), .seconds(3), .seconds(86_400 * 400)]
            + (0..<5_000).map { _ in .nanoseconds(Int64.random(in: 0...20_000_000_000)) }
        for duration in samples {
            let text = AccessLog.milliseconds(duration)
            #expect(text.wholeMatch(of: /[0-9]+\.[0-9]{2}/) != nil, "\(text)")
            let (seconds, attoseconds) = duration.components
            let exact = Double(seconds) * 1000 + Double(attoseconds) / 1e15
            #expect(abs(try #require(Double(text)) - exact) <= 0.005 + exact * 1e-12, "\(duration) written as \(text)")
        }
    }

    @Test("A clock far off still gives a well-formed timestamp: years clamped to 0000 and 9999, never a crash")
    func timestampsOfWildClocks() {
        let cases: [(Double, String)] = [
            (-1, "1969-12-31T23:59:59Z"), (-86_400 * 365.25 * 3000, "0000-01-01T00:00:00Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"), (1e18, "9999-12-31T23:59:59Z"), (-.infinity, "1970-01-01T00:00:00Z"),
            (.nan, "1970-01-01T00:00:00Z"),
        ]
        for (seconds, expected) in cases {
            var line: [UInt8] = []
            JSONLogHandler.appendTimestamp(Date(timeIntervalSince1970: seconds), to: &line)
            #expect(String(decoding: line, as: UTF8.self) == expected, "\(seconds)")
        }
    }

    @Test("A line parses as one JSON object whose strings read back as logged; no raw control character or line separator is in it")
    func linesParseBack() throws {
        // Without U+FEFF: Foundation's parser drops it from a string's start (the byte test above covers it).
        let alphabet = Self.alphabet.filter { $0 != "\u{FEFF}" }
        for _ in 0..<1_000 {
            let message = Self.randomText(from: alphabet)
            let value = Self.randomText(from: alphabet)
            let event = LogEvent(
                level: .info,
                message: "\(message)",
                metadata: ["value": .string(value)],
                source: nil,
                file: #fileID,
                function: #function,
                line: #line
            )
            let line = JSONLogHandler.line(event: event, label: "test", metadata: [:], requestID: "r-1", at: Date())
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(!line.dropLast().contains { $0 < 0x20 || $0 == 0x7F })
            let text = String(decoding: line, as: UTF8.self)
            #expect(!text.contains("\u{2028}") && !text.contains("\u{2029}"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
            #expect(object["msg"] == message && object["value"] == value && object["request_id"] == "r-1")
            #expect(object["level"] == "info" && object["logger"] == "test")
        }
    }
}
