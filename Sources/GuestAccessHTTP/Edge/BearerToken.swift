import Foundation

/// `Authorization: Bearer <token>` parsing, bounded in size.
public enum BearerToken {
    /// Longest Authorization value looked at (the contract caps tokens at 4 KiB).
    public static let maxLength = 4096 + 7

    /// The token, or nil for a missing, oversized or non-Bearer header.
    public static func parse(_ header: String?) -> String? {
        guard let header, header.utf8.count <= maxLength else { return nil }
        let scheme = header.prefix(7)
        guard scheme.lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
