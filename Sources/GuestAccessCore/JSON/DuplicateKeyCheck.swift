import Foundation

/// Finds an object with the same key twice anywhere in a JSON document.
///
/// Foundation's decoder keeps the first of two equal keys, another parser may
/// keep the last: a body that two parsers read differently is refused instead.
/// Keys are compared after decoding their escapes, so `"a"` and `"\u0061"` are
/// the same key. The input has already been, or will be, validated as JSON.
public enum DuplicateKeyCheck {
    private enum Frame {
        case object(keys: Set<String>, expectingKey: Bool)
        case array
    }

    public static func hasDuplicateKeys(_ bytes: some Collection<UInt8>) -> Bool {
        let bytes = Array(bytes)
        var stack = [Frame]()
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"): stack.append(.object(keys: [], expectingKey: true))
            case UInt8(ascii: "["): stack.append(.array)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","):
                if case .object(let keys, _) = stack.last { stack[stack.count - 1] = .object(keys: keys, expectingKey: true) }
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard end < bytes.count else { return false }  // unterminated: the decoder refuses it
                if case .object(var keys, true) = stack.last {
                    guard let key = try? JSONDecoder().decode(String.self, from: Data(bytes[index...end])) else { return false }
                    if !keys.insert(key).inserted { return true }
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: false)
                }
                index = end
            default: break
            }
            index += 1
        }
        return false
    }
}
