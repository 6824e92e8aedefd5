import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import HTTPTypes
import Hummingbird
import NIOCore

/// What every page handler shares: rendering with the common context
/// (language, messages, branding, form token), cookies, and the checks a
/// form post must pass.
struct PageKit: Sendable {
    let settings: PagesSettings
    let renderer: PageRenderer
    let catalogue: MessageCatalogue
    let signer: PageSigner

    /// Whether cookies get `Secure` and `__Host-`: by the configured public
    /// origin's scheme when there is one (behind a proxy that does not pass
    /// the browser's Host on, the Host says loopback), else by the Host the
    /// browser used (`PageCookie.isSecure`).
    func isSecure(_ request: Request) -> Bool {
        if let origin = settings.publicOrigin { return origin.hasPrefix("https://") }
        return PageCookie.isSecure(request)
    }

    /// The browser's form-token nonce, and whether it has to be set.
    struct FormNonce {
        let value: String
        let isNew: Bool
    }

    func nonce(for request: Request) -> FormNonce {
        if let value = PageCookie.csrf.value(in: request, secure: isSecure(request)), value.utf8.count == 22 {
            return FormNonce(value: value, isNew: false)
        }
        return FormNonce(value: Base64URL.encode(SecureRandom.bytes(16)), isNew: true)
    }

    /// The page `template` for `request` with `values` added to the common context.
    func page(
        _ template: PageRenderer.Template,
        status: HTTPResponse.Status = .ok,
        for request: Request,
        title: String,
        _ values: [String: Any] = [:],
        cookies: [String] = []
    ) -> Response {
        let language = ShopperLanguage.negotiate(request.headers[.acceptLanguage])
        let messages = catalogue(language)
        let nonce = nonce(for: request)
        let branding = settings.branding
        var brand: [String: Any] = ["name": branding.storeName]
        if let logo = branding.logoURL { brand["logoUrl"] = logo }
        if let support = branding.supportContact {
            brand["support"] = support
            brand["supportIsEmail"] = !support.hasPrefix("https://")
        }
        var context: [String: Any] = [
            "lang": language.rawValue, "t": messages, "brand": brand, "csrf": signer.formToken(nonce: nonce.value),
            "title": messages[title] ?? title, "page": template.rawValue,
        ]
        for (key, value) in values { context[key] = value }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .contentLanguage: language.rawValue, .vary: "Accept-Language"]
        PageHeaders.apply(to: &headers)
        let secure = isSecure(request)
        if nonce.isNew {
            headers.append(HTTPField(name: .setCookie, value: PageCookie.csrf.setCookie(nonce.value, maxAge: 86400, secure: secure)))
        }
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: renderer.render(template, context))))
    }

    /// One of the plain message pages (not found, signed out, refused, …).
    func message(
        _ page: MessagePage,
        status: HTTPResponse.Status,
        for request: Request,
        retryAfter: Int? = nil,
        cookies: [String] = []
    ) -> Response {
        let messages = catalogue(ShopperLanguage.negotiate(request.headers[.acceptLanguage]))
        var response = self.page(
            .message,
            status: status,
            for: request,
            title: page.titleKey,
            [
                "heading": messages[page.titleKey] ?? "", "body": messages[page.bodyKey] ?? "", "showLookup": page.offersLookup,
                "page": page.rawValue,
            ],
            cookies: cookies
        )
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    /// A 303 to `location` (after a post, so a reload does not post again).
    func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        PageHeaders.apply(to: &headers)
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// Reads and decodes a form post, after the cross-site checks: a
    /// `Sec-Fetch-Site` other than same-origin (or none, a typed address),
    /// an `Origin` naming another host, or a form token not made for this
    /// browser's nonce is refused (`PageRefusal.crossSite`). SameSite=Strict
    /// cookies already keep another site's post from carrying a session;
    /// these make it fail even where a browser does not honour them.
    func form<Form: Decodable>(
        _ type: Form.Type,
        from request: Request,
        context: some RequestContext
    ) async throws(PageRefusal) -> Form {
        let site = request.headers[.secFetchSite]
        if let site, site != "same-origin", site != "none" { throw .crossSite }
        // Chromium sends `Origin: null` for a page's own posts under
        // `Referrer-Policy: no-referrer`; it is taken as no Origin only when
        // the browser also vouches for the post as same-origin.
        if let origin = request.headers[.origin], !(origin == "null" && site == "same-origin"), let expected = settings.publicOrigin {
            guard origin.lowercased() == expected else { throw .crossSite }
        } else if let origin = request.headers[.origin], !(origin == "null" && site == "same-origin") {
            let host = (request.head.authority ?? "").lowercased()
            guard let url = URL(string: origin), let originHost = url.host?.lowercased(), !host.isEmpty else { throw .crossSite }
            let originAuthority = originHost + (url.port.map { ":\($0)" } ?? "")
            // The Host header may leave out a default port the Origin leaves out too.
            guard
                originAuthority == host
                    || (url.port == nil && host.split(separator: ":").first.map(String.init) == originHost && !host.contains(":"))
            else { throw .crossSite }
        }
        guard (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") else { throw .malformed }
        let body: ByteBuffer
        // Bounded by the request's deadline, as the API's bodies are: a body dripped a byte at a time cannot hold the connection.
        let requestBody = request.body
        let deadline = (context as? AppRequestContext)?.deadline ?? .now + .seconds(10)
        do { body = try await withDeadline(max(deadline - .now, .zero)) { try await requestBody.collect(upTo: 4096) } } catch {
            throw .malformed
        }
        let text = String(buffer: body)
        // The token first: a post without one is refused as cross-site, whatever else is wrong with it.
        guard let nonce = PageCookie.csrf.value(in: request, secure: isSecure(request)),
            let presented = try? URLEncodedFormDecoder().decode(FormToken.self, from: text).csrf,
            signer.checkFormToken(presented, nonce: nonce)
        else { throw .crossSite }
        let form: Form
        do { form = try URLEncodedFormDecoder().decode(Form.self, from: text) } catch { throw .malformed }
        return form
    }
}

/// The form token alone, read before the rest of a form.
struct FormToken: Decodable {
    let csrf: String?
}

/// Why a form post is not acted on.
enum PageRefusal: Error {
    case crossSite
    case malformed
}

extension HTTPField.Name {
    static let contentLanguage = Self("Content-Language")!
}
