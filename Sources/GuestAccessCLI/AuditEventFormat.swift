import Foundation
import GuestAccessCore

/// How `guest-access audit` prints an event: a table row or a JSON line. The
/// order digest is shown in hex, cut to 16 digits in the table; an hourly
/// aggregate shows its count.
enum AuditEventFormat {
    static func line(_ event: AuditEvent) -> String {
        let order = event.orderDigest.map { String(hex($0).prefix(16)) + "@" + (event.kid ?? "-") } ?? "-"
        let detail = (event.detail ?? "") + (event.count > 1 ? " ×\(event.count) this hour" : "")
        return [timestamp(event.at), pad(event.kind.rawValue, 22), pad(order, 40), detail].joined(separator: "  ")
    }

    static func json(_ event: AuditEvent) -> String {
        var object: [String: Any] = ["id": event.id ?? 0, "at": timestamp(event.at), "kind": event.kind.rawValue, "count": event.count]
        if let digest = event.orderDigest { object["orderDigest"] = hex(digest) }
        if let kid = event.kid { object["kid"] = kid }
        if let detail = event.detail { object["detail"] = detail }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
