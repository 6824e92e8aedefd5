/// Reads a JSON object of distinct known keys whose values are strings of
/// printable ASCII without escapes, with whitespace where JSON allows it;
/// nil for anything else (escapes, other characters, other values, unknown
/// or repeated keys, trailing bytes), which the general decoder then judges.
/// Whatever it accepts, `DuplicateKeyCheck`, `JSONSerialization` and
/// `JSONDecoder` accept with the same fields (`FlatJSONObjectTests`).
enum FlatJSONObject {
    static func fields(_ bytes: some Collection<UInt8>, known: Set<String>) -> [String: String]? {
        if let fields = bytes.withContiguousStorageIfAvailable({ parse($0, known: known) }) { return fields }
        return Array(bytes).withUnsafeBufferPointer { parse($0, known: known) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, known: Set<String>) -> [String: String]? {
        var index = 0
        let end = bytes.count
        func skipWhitespace() {
            while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }
        func take(_ byte: UInt8) -> Bool {
            guard index < end, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < end, bytes[index] != UInt8(ascii: "\"") {
                guard bytes[index] >= 0x20, bytes[index] <= 0x7E, bytes[index] != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            guard index < end else { return nil }
            let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            index += 1
            return value
        }

        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        var fields: [String: String] = [:]
        if !take(UInt8(ascii: "}")) {
            while true {
                guard let key = string(), known.contains(key), fields[key] == nil else { return nil }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let value = string() else { return nil }
                fields[key] = value
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    continue
                }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipWhitespace()
        return index == end ? fields : nil
    }
}
