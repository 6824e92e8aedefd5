import Foundation
import Hummingbird

/// The pages' four cookies. All HttpOnly and SameSite=Strict, Path=/.
/// Served to a browser that reached the service by a name other than
/// loopback, they are also Secure and `__Host-` prefixed (the browser then
/// refuses them over plain HTTP and from any other host or path); on
/// loopback, for development, they are neither.
enum PageCookie: String, CaseIterable, Sendable {
    /// The access token after a right code.
    case session = "ga-session"
    /// The sealed `CodeFlow`.
    case flow = "ga-flow"
    /// The nonce form tokens are bound to.
    case csrf = "ga-csrf"
    /// A random value set with every order page and deleted at sign-out.
    /// Chromium keeps `no-store` pages in its back/forward cache and restores
    /// them on Back unless an HttpOnly cookie the page was served with
    /// changes; the session cookie is set by the redirect before the page and
    /// its deletion did not evict it (Chromium 156, measured), this one's does.
    case page = "ga-page"

    func name(secure: Bool) -> String { secure ? "__Host-" + rawValue : rawValue }

    /// A `Set-Cookie` value; `maxAge` 0 deletes.
    func setCookie(_ value: String, maxAge: Int, secure: Bool) -> String {
        var text = "\(name(secure: secure))=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if secure { text += "; Secure" }
        return text
    }

    /// This cookie's value in the request, if any (the last one wins nothing:
    /// the first is taken, as browsers send the most specific first).
    func value(in request: Request, secure: Bool) -> String? {
        let wanted = name(secure: secure)
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == wanted {
                    let value = String(trimmed[trimmed.index(after: equals)...])
                    return value.isEmpty || value.utf8.count > 4096 ? nil : value
                }
            }
        }
        return nil
    }

    /// Whether cookies for this request get `Secure` and `__Host-`: yes
    /// unless the browser addressed the service as loopback.
    static func isSecure(_ request: Request) -> Bool {
        let host = (request.head.authority ?? "").lowercased()
        let name: Substring
        if host.hasPrefix("[") {
            name = host.split(separator: "]").first.map { $0.dropFirst() } ?? ""
        } else {
            name = host.split(separator: ":").first ?? ""
        }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackIPv4 =
            octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        return !(name == "localhost" || name == "::1" || loopbackIPv4)
    }
}
