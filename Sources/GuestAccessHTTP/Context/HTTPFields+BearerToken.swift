import Foundation
import Hummingbird

extension HTTPFields {
    /// Longest Authorization value looked at (the contract caps tokens at 4 KiB).
    static let maxAuthorizationLength = 4096 + 7

    /// The token of `Authorization: Bearer <token>`, or nil for a missing,
    /// oversized or non-Bearer header.
    var bearerToken: String? {
        guard let header = self[.authorization], header.utf8.count <= Self.maxAuthorizationLength else { return nil }
        guard header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
