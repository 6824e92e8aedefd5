/// Rules for order numbers taken from requests, paths and providers.
public enum OrderNumber {
    /// Longest accepted order number.
    public static let maxLength = 64

    /// 1–64 of `[A-Za-z0-9_-]`, starting with a letter or digit: safe in a URL
    /// path segment, a log line and a SQL parameter, with nothing to normalise.
    public static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        guard isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F }
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
