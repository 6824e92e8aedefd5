import Foundation

extension Date {
    /// Milliseconds since 1970, as stored (the SQLite adapters' unit too).
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(millisecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1000)
    }
}
