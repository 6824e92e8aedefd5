/// What the pages are configured with: the storefront's branding, and the
/// lifetimes they mirror (the code step lives as long as a code).
public struct PagesSettings: Sendable {
    public let branding: Branding
    /// Seconds a code, and so the code step's cookie, stays valid.
    public let codeLifetimeSeconds: Int

    public init(branding: Branding, codeLifetimeSeconds: Int) {
        self.branding = branding
        self.codeLifetimeSeconds = codeLifetimeSeconds
    }
}
