import Configuration
import Foundation
import GuestAccessCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import GuestAccessPages
@testable import GuestAccessServer

/// The hosted pages (`--pages`) in process: every header, every cookie
/// attribute, the cross-site defences, escaping, and that they tell no more
/// than the API. The whole journey in a real browser is `BrowserJourneyTests`.
@Suite("Hosted pages: headers, cookies, cross-site defences, escaping")
struct PagesTests {
    static let xssName = "<img src=x onerror=alert(1)>\"'&"

    static func environment() throws -> TestEnvironment {
        var xss = Fixtures.order("ORD-2026-0666", email: "xss@example.com")
        xss.items[0].name = xssName
        xss.items[0].imageUrl = "javascript:alert(2)"
        xss.fulfillments[0].trackingUrl = "javascript:alert(3)"
        xss.shippingAddress?.city = "<script>alert(4)</script>"
        // Marks that join an ASCII quote or bracket into one Character (found by an outside review).
        xss.items.append(
            OrderItem(
                name:
                    "Shirt \u{0600}<img src=https://evil.example/x.png id=injected \u{0600}>\u{0600}<meta http-equiv=refresh content=0 \u{0600}>",
                quantity: 1,
                unitPrice: 1,
                total: 1,
                imageUrl: "https://img.example/a.png\"\u{0338} referrerpolicy=unsafe-url"
            )
        )
        return try TestEnvironment(typedOrders: Fixtures.orders + [xss], policy: TestEnvironment.fastPolicy)
    }

    static func app(_ env: TestEnvironment, _ extra: [ConfigKey: String] = [:]) async throws -> some ApplicationProtocol {
        var values: [ConfigKey: String] = [
            Setting.pages.key: "true", Setting.mailer.key: "file:" + env.outboxPath, Setting.brandName.key: "Test Shop",
        ]
        for (key, value) in extra { values[key] = value }
        return try await buildApplication(reader: env.reader(values))
    }

    /// A browser's cookie jar, enough for these pages.
    final class Jar: @unchecked Sendable {
        var cookies: [String: String] = [:]

        func take(_ response: TestResponse) {
            for field in response.headers[values: .setCookie] {
                let pair = field.split(separator: ";")[0]
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                if field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
        }

        var header: HTTPFields {
            cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")]
        }
    }

    static func formToken(_ page: TestResponse) -> String? {
        guard let range = page.text.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page.text[range.upperBound...].prefix { $0 != "\"" })
    }

    static func post(
        _ client: some TestClientProtocol,
        _ path: String,
        _ form: String,
        jar: Jar,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = jar.header
        headers[.contentType] = "application/x-www-form-urlencoded"
        for field in extra { headers[field.name] = field.value }
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: form))
        jar.take(response)
        return response
    }

    static func get(
        _ client: some TestClientProtocol,
        _ path: String,
        jar: Jar,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = jar.header
        for field in extra { headers[field.name] = field.value }
        let response = try await client.execute(uri: path, method: .get, headers: headers)
        jar.take(response)
        return response
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func expectPageHeaders(_ response: TestResponse, _ what: String) {
        let csp = response.headers[.contentSecurityPolicy] ?? ""
        #expect(csp.contains("frame-ancestors 'none'"), "\(what)")
        #expect(csp.contains("default-src 'none'"), "\(what)")
        #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains("script-src"), "\(what)")
        #expect(response.headers[HTTPField.Name("X-Robots-Tag")!]?.contains("noindex") == true, "\(what)")
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(what)")
        #expect(response.headers[.cacheControl] == "no-store", "\(what)")
    }

    @Test("Every page, found or not, posted or refused, answers with the CSP, noindex, no-referrer and no-store")
    func headersOnEveryPage() async throws {
        let env = try Self.environment()
        try await Self.app(env).test(.router) { client in
            let jar = Jar()
            let lookup = try await Self.get(client, "/lookup", jar: jar)
            #expect(lookup.status == .ok)
            Self.expectPageHeaders(lookup, "/lookup")
            for path in ["/track/gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/track/x", "/code", "/order", "/signed-out"] {
                Self.expectPageHeaders(try await Self.get(client, path, jar: Jar()), path)
            }
            let refused = try await Self.post(client, "/lookup", "csrf=x&orderNumber=ORD-1&email=a%40b.co", jar: Jar())
            #expect(refused.status == .forbidden)
            Self.expectPageHeaders(refused, "refused post")
            let token = try #require(Self.formToken(lookup))
            let malformed = try await Self.post(client, "/lookup", "csrf=\(token)&orderNumber=ORD/1&email=nope", jar: jar)
            #expect(malformed.status == .badRequest)
            #expect(malformed.text.contains("id=\"form-error\""))
            Self.expectPageHeaders(malformed, "malformed post")
        }
    }

    @Test(
        "A right code puts the access token only in an HttpOnly, SameSite=Strict cookie that lives as long as the token; sign-out revokes it"
    )
    func sessionCookie() async throws {
        let env = try Self.environment()
        let order = Fixtures.orders[0]
        try await Self.app(env).test(.router) { client in
            let jar = Jar()
            let lookup = try await Self.get(client, "/lookup", jar: jar)
            let token = try #require(Self.formToken(lookup))
            #expect(jar.cookies["ga-csrf"] != nil)
            let requested = try await Self.post(
                client,
                "/lookup",
                "csrf=\(token)&orderNumber=\(order.orderNumber)&email=\(Self.encoded(order.email))",
                jar: jar
            )
            #expect(requested.status == .seeOther)
            #expect(requested.headers[.location] == "/code")
            let flowCookie = try #require(requested.headers[values: .setCookie].first { $0.hasPrefix("ga-flow=") })
            #expect(!flowCookie.contains(order.email) && !flowCookie.contains(Self.encoded(order.email)))
            let code = try await env.waitForCode(order.orderNumber)
            let verified = try await Self.post(client, "/code", "csrf=\(token)&code=\(code)", jar: jar)
            #expect(verified.status == .seeOther)
            #expect(verified.headers[.location] == "/order")
            let session = try #require(verified.headers[values: .setCookie].first { $0.hasPrefix("ga-session=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=\(TestEnvironment.fastPolicy.accessTokens.ttlSeconds)"] {
                #expect(session.contains(attribute), "\(session)")
            }
            let accessToken = try #require(jar.cookies["ga-session"])
            #expect(accessToken.split(separator: ".").count == 3)
            #expect(!verified.text.contains(accessToken) && !(verified.headers[.location] ?? "").contains(accessToken))

            let page = try await Self.get(client, "/order", jar: jar)
            #expect(page.status == .ok)
            #expect(page.text.contains(order.email))
            #expect(page.text.contains("742 Evergreen Terrace"))
            #expect(!page.text.contains(accessToken))
            // A fresh random page cookie with every order page, for the token's remaining lifetime, deleted at
            // sign-out: the change that evicts the page from Chromium's back/forward cache. Never the token again.
            #expect(!page.headers[values: .setCookie].contains { $0.hasPrefix("ga-session=") || $0.contains(accessToken) })
            let marker = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("ga-page=") })
            #expect(marker.contains("HttpOnly") && marker.contains("SameSite=Strict") && marker.contains("Path=/"))
            let maxAge = try #require(
                marker.split(separator: ";").first { $0.contains("Max-Age=") }?.split(separator: "=").last.flatMap { Int($0) }
            )
            #expect(
                maxAge <= TestEnvironment.fastPolicy.accessTokens.ttlSeconds
                    && maxAge >= TestEnvironment.fastPolicy.accessTokens.ttlSeconds - 60
            )
            let secondPage = try await Self.get(client, "/order", jar: jar)
            let secondMarker = try #require(secondPage.headers[values: .setCookie].first { $0.hasPrefix("ga-page=") })
            #expect(secondMarker.split(separator: ";").first != marker.split(separator: ";").first, "the page cookie is fresh each time")
            let signOutToken = try #require(Self.formToken(page))
            let signedOut = try await Self.post(client, "/sign-out", "csrf=\(signOutToken)", jar: jar)
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers[values: .setCookie].contains { $0.hasPrefix("ga-session=;") && $0.contains("Max-Age=0") })
            #expect(signedOut.headers[values: .setCookie].contains { $0.hasPrefix("ga-page=;") && $0.contains("Max-Age=0") })
            // The old cookie, replayed, is refused server-side: the token was revoked.
            let replayed = try await client.execute(uri: "/order", method: .get, headers: [.cookie: "ga-session=\(accessToken)"])
            #expect(replayed.status == .unauthorized)
            #expect(!replayed.text.contains(order.email))
            let api = try await client.execute(uri: "/v1/guest/order", method: .get, headers: bearer(accessToken))
            #expect(api.status == .unauthorized)
        }
    }

    @Test("Cookies get Secure and the __Host- prefix unless the browser addressed the service as loopback")
    func secureCookies() {
        func request(_ authority: String) -> Request {
            Request(head: HTTPRequest(method: .get, scheme: "https", authority: authority, path: "/"), body: .init(buffer: ByteBuffer()))
        }
        for authority in [
            "shop.example", "guest.shop.example:443", "127.evil.example", "127.0.0.1.nip.io", "10.0.0.5:8080", "[2001:db8::1]:8080",
        ] {
            #expect(PageCookie.isSecure(request(authority)), "\(authority)")
        }
        for authority in ["localhost", "localhost:8080", "127.0.0.1:8080", "127.1.2.3", "[::1]:8080"] {
            #expect(!PageCookie.isSecure(request(authority)), "\(authority)")
        }
        let cookie = PageCookie.session.setCookie("v", maxAge: 1800, secure: true)
        #expect(cookie == "__Host-ga-session=v; Path=/; Max-Age=1800; HttpOnly; SameSite=Strict; Secure")
    }

    @Test(
        "With --public-origin, cookies are Secure and __Host- whatever Host a proxy passes on, and a form post must come from exactly that origin, scheme included"
    )
    func publicOrigin() async throws {
        let env = try Self.environment()
        let order = Fixtures.orders[0]
        try await Self.app(env, [Setting.publicOrigin.key: "https://orders.shop.example"]).test(.router) { client in
            // The router test's Host is localhost, as behind a proxy that does not pass the browser's on.
            let jar = Jar()
            let token = try #require(Self.formToken(try await Self.get(client, "/lookup", jar: jar)))
            let csrf = try #require(jar.cookies["__Host-ga-csrf"])
            #expect(!csrf.isEmpty)
            let form = "csrf=\(token)&orderNumber=\(order.orderNumber)&email=\(Self.encoded(order.email))"
            for origin in ["http://orders.shop.example", "https://localhost", "https://orders.shop.example:8443", "https://evil.example"] {
                let refused = try await Self.post(client, "/lookup", form, jar: jar, headers: [.origin: origin])
                #expect(refused.status == .forbidden, "\(origin)")
            }
            let accepted = try await Self.post(client, "/lookup", form, jar: jar, headers: [.origin: "https://orders.shop.example"])
            #expect(accepted.status == .seeOther)
            #expect(
                accepted.headers[values: .setCookie].contains { $0.hasPrefix("__Host-ga-flow=") && $0.contains("; Secure") },
                "\(accepted.status) \(accepted.headers)"
            )
        }
    }

    @Test("Served to a browser on loopback, the cookies have neither Secure nor the __Host- prefix, so development over http works")
    func loopbackCookies() async throws {
        let env = try Self.environment()
        try await Self.app(env).test(.live) { client in
            let page = try await client.execute(uri: "/lookup", method: .get)
            let cookie = try #require(page.headers[values: .setCookie].first)
            #expect(cookie.hasPrefix("ga-csrf="))
            #expect(!cookie.contains("Secure"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        }
    }

    @Test(
        "A cross-site form post is refused whatever it carries: another site's Origin, Sec-Fetch-Site cross-site, no form token, another browser's token"
    )
    func crossSitePosts() async throws {
        let env = try Self.environment()
        let order = Fixtures.orders[0]
        try await Self.app(env).test(.router) { client in
            let jar = Jar()
            let token = try #require(Self.formToken(try await Self.get(client, "/lookup", jar: jar)))
            let otherJar = Jar()
            let otherToken = try #require(Self.formToken(try await Self.get(client, "/lookup", jar: otherJar)))
            let form = "orderNumber=\(order.orderNumber)&email=\(Self.encoded(order.email))"
            let attempts: [(String, String, HTTPFields)] = [
                ("another site's Origin", "csrf=\(token)&" + form, [.origin: "https://evil.example"]),
                ("an opaque Origin", "csrf=\(token)&" + form, [.origin: "null"]),
                (
                    "an opaque Origin, cross-site", "csrf=\(token)&" + form,
                    [.origin: "null", HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]
                ),
                ("Sec-Fetch-Site cross-site", "csrf=\(token)&" + form, [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]),
                ("Sec-Fetch-Site same-site", "csrf=\(token)&" + form, [HTTPField.Name("Sec-Fetch-Site")!: "same-site"]),
                ("no form token", form, [:]),
                ("another browser's token", "csrf=\(otherToken)&" + form, [:]),
            ]
            for (what, body, headers) in attempts {
                let response = try await Self.post(client, "/lookup", body, jar: jar, headers: headers)
                #expect(response.status == .forbidden, "\(what)")
                #expect(response.text.contains(#"data-page="forbidden""#), "\(what)")
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(env.outbox().isEmpty, "a refused post queued a code")
            // The same post from the same origin goes through, also as Chromium sends it from a
            // no-referrer page: Origin null, Sec-Fetch-Site same-origin.
            let opaque = try await Self.post(
                client,
                "/lookup",
                "csrf=\(token)&" + form,
                jar: jar,
                headers: [.origin: "null", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]
            )
            #expect(opaque.status == .seeOther)
            let accepted = try await Self.post(
                client,
                "/lookup",
                "csrf=\(token)&" + form,
                jar: jar,
                headers: [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]
            )
            #expect(accepted.status == .seeOther)
        }
    }

    @Test("Every provider field is HTML-escaped, and script URLs in images and tracking links are dropped")
    func escaping() async throws {
        let env = try Self.environment()
        try await Self.app(env).test(.router) { client in
            let minted = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"ORD-2026-0666"}"#,
                headers: bearer(env.adminKey)
            )
            let token = try #require(minted.json["trackingToken"] as? String)
            let page = try await Self.get(client, "/track/\(token)", jar: Jar())
            #expect(page.status == .ok)
            #expect(page.text.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"))
            #expect(!page.text.contains("<img src=x"))
            #expect(!page.text.contains("<script>"))
            #expect(page.text.contains("&lt;script&gt;alert(4)&lt;/script&gt;"))
            #expect(!page.text.lowercased().contains("javascript:"))
            // No element from the joined marks: every '<' and '"' of provider text is escaped, scalar by scalar.
            #expect(!page.text.contains("id=injected") || page.text.contains("&lt;img src=https://evil.example/x.png id=injected"))
            #expect(!page.text.unicodeScalars.split(separator: "\u{0600}").dropFirst().contains { $0.first == "<" })
            #expect(!page.text.contains("<meta http-equiv=refresh"))
            #expect(!page.text.contains("referrerpolicy=unsafe-url"))
        }
    }

    @Test("The code step is one page for a real order, a made-up order and a wrong email; so is every wrong code")
    func sameCodePageForEveryone() async throws {
        let env = try Self.environment()
        let order = Fixtures.orders[0]
        try await Self.app(env).test(.router) { client in
            let jar = Jar()
            let token = try #require(Self.formToken(try await Self.get(client, "/lookup", jar: jar)))
            var codePages: [String] = []
            var wrongCodePages: [String] = []
            for (number, email) in [
                (order.orderNumber, order.email), ("ORD-2099-9999", order.email), (order.orderNumber, "someone.else@example.com"),
            ] {
                let requested = try await Self.post(
                    client,
                    "/lookup",
                    "csrf=\(token)&orderNumber=\(number)&email=\(Self.encoded(email))",
                    jar: jar
                )
                #expect(requested.status == .seeOther)
                #expect(requested.headers[.location] == "/code")
                let page = try await Self.get(client, "/code", jar: jar)
                #expect(page.status == .ok)
                codePages.append(page.text)
                let wrong = try await Self.post(client, "/code", "csrf=\(token)&code=000000", jar: jar)
                #expect(wrong.status == .unauthorized)
                wrongCodePages.append(wrong.text)
            }
            #expect(Set(codePages).count == 1)
            #expect(Set(wrongCodePages).count == 1)
            #expect(!codePages[0].contains(order.email) && !codePages[0].contains(order.orderNumber))
        }
    }

    @Test("Unknown, malformed and revoked tracking tokens get one identical 404 page")
    func oneNotFoundPage() async throws {
        let env = try Self.environment()
        try await Self.app(env).test(.router) { client in
            let minted = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"ORD-2026-0043"}"#,
                headers: bearer(env.adminKey)
            )
            let token = try #require(minted.json["trackingToken"] as? String)
            #expect(
                try await client.execute(uri: "/v1/admin/orders/ORD-2026-0043/revoke", method: .post, headers: bearer(env.adminKey)).status
                    == .noContent
            )
            var bodies: Set<String> = []
            for path in ["/track/\(token)", "/track/gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/track/%3Cscript%3E", "/track/x"] {
                let page = try await client.execute(uri: path, method: .get, headers: [.cookie: "ga-csrf=AAAAAAAAAAAAAAAAAAAAAA"])
                #expect(page.status == .notFound, "\(path)")
                bodies.insert(page.text)
            }
            #expect(bodies.count == 1)
        }
    }

    @Test(
        "Pages speak German to a browser that prefers it and English otherwise",
        arguments: [
            ("de-DE,de;q=0.9,en;q=0.5", "de", "Bestellung verfolgen"), ("fr-FR,fr;q=0.9", "en", "Track your order"),
            ("en;q=0.2, de;q=0.8", "de", "Bestellung verfolgen"), ("de;q=0", "en", "Track your order"),
        ]
    )
    func languages(header: String, lang: String, heading: String) async throws {
        let env = try Self.environment()
        try await Self.app(env).test(.router) { client in
            let page = try await client.execute(uri: "/lookup", method: .get, headers: [.acceptLanguage: header])
            #expect(page.text.contains(#"<html lang="\#(lang)">"#))
            #expect(page.text.contains(heading))
            #expect(page.headers[HTTPField.Name("Content-Language")!] == lang)
        }
    }

    @Test("Every catalogue has exactly English's keys, no template uses unescaped output, and every catalogue key a template names exists")
    func cataloguesAndTemplates() throws {
        let catalogue = MessageCatalogue.embedded
        let english = Set(catalogue(.en).keys)
        #expect(english.count > 50)
        for language in ShopperLanguage.allCases {
            #expect(Set(catalogue(language).keys) == english, "\(language)")
        }
        for (name, bytes) in PageRenderer.sources.merging(["email": PackageResources.email_mustache], uniquingKeysWith: { $1 }) {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("{{% CONTENT_TYPE: guest-access-html }}\n"), "\(name) must escape scalar by scalar")
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name)")
            for match in text.matches(of: /\{\{t\.([a-z_A-Z]+)\}\}/) {
                #expect(english.contains(String(match.1)), "\(name) names t.\(match.1)")
            }
            #expect((name == "email" || !text.contains("style=")) && !text.contains("<script"), "\(name)")
        }
    }

    @Test("Escaping works on Unicode scalars: a quote or bracket joined to a mark is still escaped")
    func scalarEscaping() {
        #expect(ScalarHTMLEscaping.escape("a\"\u{0338}b") == "a&quot;\u{0338}b")
        #expect(ScalarHTMLEscaping.escape("\u{0600}<img>") == "\u{0600}&lt;img&gt;")
        #expect(ScalarHTMLEscaping.escape("<&'\">") == "&lt;&amp;&#39;&quot;&gt;")
        #expect(OrderPresentation.safeURL("https://img.example/a.png\"\u{0338} x=y") == nil)
        #expect(OrderPresentation.safeURL("https://img.example/a%20b.png") == "https://img.example/a%20b.png")
    }

    @Test("Branding that could break out of an attribute or a stylesheet is refused at start")
    func brandingChecks() {
        #expect(throws: PagesSettingError.self) { try Branding(accentColour: "red;}body{display:none") }
        #expect(throws: PagesSettingError.self) { try Branding(logoURL: "javascript:alert(1)") }
        #expect(throws: PagesSettingError.self) { try Branding(logoURL: "https://x.example/\"onload=") }
        #expect(throws: PagesSettingError.self) { try Branding(supportContact: "mailto:x@y\" onclick=") }
        #expect(throws: PagesSettingError.self) { try Branding(storeName: "") }
        #expect(
            (try? Branding(storeName: "Shop", logoURL: "https://cdn.example/logo.png", accentColour: "#AA3300"))?.accentColour == "#aa3300"
        )
    }

    @Test("Without --pages there are no pages; with --cors-origins only the listed origins get CORS headers, on the guest API only")
    func pagesOffAndCORS() async throws {
        let env = try Self.environment()
        try await buildApplication(reader: env.reader()).test(.router) { client in
            #expect(try await client.get("/lookup").status == .notFound)
            let response = try await client.get("/v1/tracking/x", headers: [.origin: "https://shop.example"])
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
        try await Self.app(env, [Setting.corsOrigins.key: "https://shop.example,https://www.shop.example"]).test(.router) { client in
            let preflight = try await client.execute(
                uri: "/v1/access-codes",
                method: .options,
                headers: [
                    .origin: "https://shop.example", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type",
                ]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            let answered = try await client.get("/v1/tracking/x", headers: [.origin: "https://www.shop.example"])
            #expect(answered.status == .notFound)
            #expect(answered.headers[.accessControlAllowOrigin] == "https://www.shop.example")
            #expect(answered.headers[.vary] == "Origin")
            let other = try await client.get("/v1/tracking/x", headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let admin = try await client.execute(
                uri: "/v1/admin/tracking-tokens",
                method: .options,
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"]
            )
            #expect(admin.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
