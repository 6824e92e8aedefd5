import GuestAccessCore

/// Walks one mapping of a parsed policy document, remembering which keys were
/// read so that unknown (misspelt) keys are refused rather than ignored.
struct PolicyReader {
    let path: String
    let values: [String: Any]
    private(set) var read: Set<String> = []

    init(path: String, value: Any?) throws(PolicyError) {
        guard let mapping = value as? [String: Any] else {
            throw PolicyError(key: path, reason: value == nil ? "is missing" : "must be a mapping")
        }
        self.path = path
        self.values = mapping
    }

    private func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    mutating func section(_ name: String) throws(PolicyError) -> PolicyReader {
        read.insert(name)
        return try PolicyReader(path: key(name), value: values[name])
    }

    mutating func int(_ name: String, _ range: ClosedRange<Int>) throws(PolicyError) -> Int {
        read.insert(name)
        guard let raw = values[name] else { throw PolicyError(key: key(name), reason: "is missing") }
        guard let value = raw as? Int, !(raw is Bool) else {
            throw PolicyError(key: key(name), reason: "must be a whole number")
        }
        guard range.contains(value) else {
            throw PolicyError(key: key(name), reason: "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
        }
        return value
    }

    mutating func double(_ name: String, above lower: Double, atMost upper: Double) throws(PolicyError) -> Double {
        read.insert(name)
        guard let raw = values[name] else { throw PolicyError(key: key(name), reason: "is missing") }
        let value: Double
        if let number = raw as? Double {
            value = number
        } else if let number = raw as? Int, !(raw is Bool) {
            value = Double(number)
        } else if let text = raw as? String, let number = Double(text) {
            value = number
        } else {
            throw PolicyError(key: key(name), reason: "must be a number")
        }
        guard value.isFinite, value > lower, value <= upper else {
            throw PolicyError(key: key(name), reason: "must be above \(lower) and at most \(upper) (got \(value))")
        }
        return value
    }

    mutating func string(_ name: String, maxLength: Int) throws(PolicyError) -> String {
        read.insert(name)
        guard let raw = values[name] else { throw PolicyError(key: key(name), reason: "is missing") }
        guard let value = raw as? String, !value.isEmpty, value.count <= maxLength,
            value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw PolicyError(key: key(name), reason: "must be 1–\(maxLength) printable ASCII characters")
        }
        return value
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws(PolicyError) -> T
    where T.RawValue == String {
        read.insert(name)
        guard let raw = values[name] else { throw PolicyError(key: key(name), reason: "is missing") }
        guard let text = raw as? String, let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw PolicyError(key: key(name), reason: "must be one of: \(allowed)")
        }
        return value
    }

    /// Refuses any key that was not read.
    func finish() throws(PolicyError) {
        if let unknown = values.keys.filter({ !read.contains($0) }).sorted().first {
            throw PolicyError(key: key(String(unknown.prefix(64))), reason: "is not a known policy key")
        }
    }
}
