import HTTPTypes

/// The headers every page answers with. The policy allows nothing inline and
/// nothing from elsewhere but images (a storefront's logo and item images,
/// over https): no script at all, forms posting only here, no framing. The
/// tracking token is in the path, so no referrer leaves; order pages are
/// never cached or indexed (search engines once indexed a platform's order
/// pages with addresses and phone numbers).
enum PageHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xRobotsTag] = "noindex, nofollow"
        headers[.referrerPolicy] = "no-referrer"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
    }
}

extension HTTPField.Name {
    static let xRobotsTag = Self("X-Robots-Tag")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
