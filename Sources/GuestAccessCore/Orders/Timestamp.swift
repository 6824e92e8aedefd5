public import Foundation

/// RFC 3339 timestamps, with or without fractional seconds.
public enum Timestamp {
    /// The instant, or nil for anything that is not RFC 3339.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 40 else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `2026-03-23T14:30:00Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
