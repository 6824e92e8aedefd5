/// A shipping or billing address. Only `city` and `country` of the shipping
/// address ever reach the public tracking view.
public struct PostalAddress: Codable, Sendable, Equatable {
    public var name: String
    public var line1: String
    public var line2: String?
    public var city: String
    public var region: String?
    public var postalCode: String?
    /// ISO 3166-1 alpha-2.
    public var country: String

    public init(
        name: String,
        line1: String,
        line2: String? = nil,
        city: String,
        region: String? = nil,
        postalCode: String? = nil,
        country: String
    ) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }
}
