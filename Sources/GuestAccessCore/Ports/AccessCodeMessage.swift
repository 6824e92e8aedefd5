public import Foundation

/// A one-time code on its way to the email on record.
public struct AccessCodeMessage: Sendable, Equatable {
    /// The email on record at the provider, never one taken from a request.
    public let to: String
    public let orderNumber: String
    public let code: String
    public let expiresAt: Date
    /// The language the email speaks: the one of the request that asked.
    public let language: ShopperLanguage

    public init(to: String, orderNumber: String, code: String, expiresAt: Date, language: ShopperLanguage = .en) {
        self.language = language
        self.to = to
        self.orderNumber = orderNumber
        self.code = code
        self.expiresAt = expiresAt
    }
}
