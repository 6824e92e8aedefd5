/// What the pages are configured with: the storefront's branding, and the
/// lifetimes they mirror (the code step lives as long as a code).
public struct PagesSettings: Sendable {
    public let branding: Branding
    /// Seconds a code, and so the code step's cookie, stays valid.
    public let codeLifetimeSeconds: Int
    /// `https://orders.shop.example`: the origin shoppers' browsers use.
    /// Form posts must come from it, and its scheme decides `Secure`. Without
    /// it, both follow the Host header, which a proxy must then pass on.
    public let publicOrigin: String?

    public init(branding: Branding, codeLifetimeSeconds: Int, publicOrigin: String? = nil) {
        self.publicOrigin = publicOrigin
        self.branding = branding
        self.codeLifetimeSeconds = codeLifetimeSeconds
    }
}
