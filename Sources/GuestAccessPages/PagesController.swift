import Foundation
public import GuestAccessCore
import GuestAccessCrypto
public import GuestAccessHTTP
public import GuestAccessService
public import Hummingbird
import NIOCore

/// The hosted shopper pages (`--pages`) over the same use cases as the API:
/// `/track/{token}`, `/lookup`, `/code`, `/order`, `/sign-out`. No page
/// needs JavaScript. The access token lives only in an HttpOnly,
/// SameSite=Strict cookie; the order number and email between the two forms
/// only in a sealed one (`CodeFlow`), so the code page is one page for every
/// order and email. Failures map to the API's own: one 404 page for every
/// tracking token that leads nowhere, one code page for every wrong code.
public struct PagesController<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    let app: GuestAccess<Stores, Provider>
    let kit: PageKit

    /// Refuses to build when a template does not parse (a build defect, caught by the tests).
    public init(_ app: GuestAccess<Stores, Provider>, settings: PagesSettings, adminKey: String) throws {
        self.app = app
        self.kit = PageKit(settings: settings, renderer: try PageRenderer(), catalogue: .embedded, signer: PageSigner(adminKey: adminKey))
    }

    /// Adds the pages to `router`: the stylesheets as they are, every page
    /// behind `limits` (the API's own per-client limit, one bucket for both)
    /// and `PageErrorMiddleware` (errors as pages, the page headers on all).
    public func add(to router: Router<AppRequestContext>, limits: some RouterMiddleware<AppRequestContext>) {
        let stylesheet = ByteBuffer(bytes: PackageResources.guest_css)
        let brand = ByteBuffer(string: kit.settings.branding.stylesheet)
        for (path, body) in [("/assets/guest.css", stylesheet), ("/assets/brand.css", brand)] {
            router.get(RouterPath(stringLiteral: path)) { _, _ in
                var headers: HTTPFields = [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"]
                headers[.xContentTypeOptions] = "nosniff"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            }
        }
        router.group()
            .add(middleware: PageErrorMiddleware(kit: kit))
            .add(middleware: limits)
            .get("/track/{trackingToken}", use: track)
            .get("/lookup", use: lookupForm)
            .post("/lookup", use: lookup)
            .get("/code", use: codeForm)
            .post("/code", use: verify)
            .get("/order", use: order)
            .post("/sign-out", use: signOut)
            .get("/signed-out") { request, _ in kit.message(.signedOut, status: .ok, for: request) }
    }

    private func presentation(_ request: Request) -> OrderPresentation {
        let language = ShopperLanguage.negotiate(request.headers[.acceptLanguage])
        return OrderPresentation(language: language, messages: kit.catalogue(language))
    }

    @Sendable func track(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("trackingToken") ?? ""
        do {
            let view = try await app.trackOrder(token, logger: context.logger)
            return kit.page(.tracking, for: request, title: "tracking_title", ["order": presentation(request).tracking(view)])
        } catch .notFound, .invalidRequest, .unauthorized, .invalidCode {
            return kit.message(.notFound, status: .notFound, for: request)
        } catch .unavailable {
            throw APIError.unavailable
        }
    }

    @Sendable func lookupForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        kit.page(.lookup, for: request, title: "lookup_title")
    }

    @Sendable func lookup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await kit.form(LookupForm.self, from: request, context: context)
        let email = form.email.trimmingCharacters(in: .whitespaces)
        let body = CodeRequestBody(orderNumber: form.orderNumber.trimmingCharacters(in: .whitespaces), email: email, code: nil)
        do {
            try await app.requestCode(
                body,
                clientKey: context.clientKey,
                language: ShopperLanguage.negotiate(request.headers[.acceptLanguage]),
                logger: context.logger
            )
        } catch .invalidRequest {
            let messages = kit.catalogue(ShopperLanguage.negotiate(request.headers[.acceptLanguage]))
            return kit.page(
                .lookup,
                status: .badRequest,
                for: request,
                title: "lookup_title",
                ["error": messages["form_error_lookup"] ?? ""]
            )
        } catch {
            throw APIError(error)
        }
        let flow = CodeFlow(
            orderNumber: body.orderNumber,
            email: email,
            expires: Int(Date().timeIntervalSince1970) + kit.settings.codeLifetimeSeconds
        )
        let cookie = PageCookie.flow.setCookie(
            flow.sealed(by: kit.signer),
            maxAge: kit.settings.codeLifetimeSeconds,
            secure: kit.isSecure(request)
        )
        return kit.redirect("/code", cookies: [cookie])
    }

    private func flow(_ request: Request) -> CodeFlow? {
        PageCookie.flow.value(in: request, secure: kit.isSecure(request))
            .flatMap { CodeFlow.open($0, signer: kit.signer, now: Date()) }
    }

    @Sendable func codeForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard flow(request) != nil else { return kit.redirect("/lookup") }
        return kit.page(.code, for: request, title: "code_title")
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let form = try await kit.form(CodeForm.self, from: request, context: context)
        guard let flow = flow(request) else { return kit.redirect("/lookup") }
        let secure = kit.isSecure(request)
        do {
            let access = try await app.verifyCode(
                CodeRequestBody(orderNumber: flow.orderNumber, email: flow.email, code: form.code.trimmingCharacters(in: .whitespaces)),
                startedAt: started,
                logger: context.logger
            )
            return kit.redirect(
                "/order",
                cookies: [
                    PageCookie.session.setCookie(access.accessToken, maxAge: access.expiresIn, secure: secure),
                    PageCookie.flow.setCookie("", maxAge: 0, secure: secure),
                ]
            )
        } catch .invalidCode, .invalidRequest {
            let messages = kit.catalogue(ShopperLanguage.negotiate(request.headers[.acceptLanguage]))
            return kit.page(.code, status: .unauthorized, for: request, title: "code_title", ["error": messages["form_error_code"] ?? ""])
        } catch {
            throw APIError(error)
        }
    }

    @Sendable func order(_ request: Request, context: AppRequestContext) async throws -> Response {
        let secure = kit.isSecure(request)
        let token = PageCookie.session.value(in: request, secure: secure)
        do {
            let (order, secondsLeft) = try await app.readOrder.withLifetime(accessToken: token, logger: context.logger)
            // A fresh page cookie with each order page, deleted at sign-out: the change that makes Chromium evict
            // this page from its back/forward cache, so Back after sign-out asks the server (see `PageCookie.page`).
            // Not the session cookie again: the token would travel in every order page's headers, and a page
            // answered while another tab signs out would put a revoked token back in the jar.
            let marker = PageCookie.page.setCookie(Base64URL.encode(SecureRandom.bytes(16)), maxAge: secondsLeft, secure: secure)
            return kit.page(
                .order,
                for: request,
                title: "order_title",
                ["order": presentation(request).detail(order)],
                cookies: [marker]
            )
        } catch .unavailable {
            throw APIError.unavailable
        } catch {
            let clear =
                token == nil
                ? []
                : [PageCookie.session.setCookie("", maxAge: 0, secure: secure), PageCookie.page.setCookie("", maxAge: 0, secure: secure)]
            return kit.message(.sessionEnded, status: .unauthorized, for: request, cookies: clear)
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await kit.form(SignOutForm.self, from: request, context: context)
        let secure = kit.isSecure(request)
        if let token = PageCookie.session.value(in: request, secure: secure) {
            do {
                try await app.signOut(accessToken: token, logger: context.logger)
            } catch .unavailable {
                throw APIError.unavailable
            } catch {
                // Already invalid: signed out all the same.
            }
        }
        return kit.redirect(
            "/signed-out",
            cookies: [
                PageCookie.session.setCookie("", maxAge: 0, secure: secure), PageCookie.page.setCookie("", maxAge: 0, secure: secure),
            ]
        )
    }
}
