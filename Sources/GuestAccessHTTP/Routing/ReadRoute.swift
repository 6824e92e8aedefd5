/// One of the two read routes, recognised from the request target's bytes
/// ahead of the router (`ServiceResponder`). Only the plain form of each
/// path is recognised: `/v1/guest/order`, and `/v1/tracking/` followed by one
/// segment in the base64url alphabet (`A–Z a–z 0–9 - _`), which tracking
/// tokens are written in (`gt_` and 32 of them). Anything else (a query, a
/// second slash, a percent escape, a non-ASCII byte) is nil and goes to the
/// router, which serves it as before. So every target recognised here is one
/// the router matches to the same route with the same token; it never takes a
/// path the router would read differently (the router splits on `Character`s,
/// so a `/` followed by a combining mark is not a separator there).
@usableFromInline
enum ReadRoute: Equatable, Sendable {
    /// `GET /v1/tracking/{trackingToken}`, with the segment's text.
    case tracking(token: String)
    /// `GET /v1/guest/order`.
    case guestOrder

    /// The router's template for each route, as `RouterPath` prints it: the
    /// metrics' and the access log's route label.
    @usableFromInline var template: String {
        switch self {
        case .tracking: Self.trackingTemplate
        case .guestOrder: Self.guestOrderTemplate
        }
    }

    @usableFromInline static let trackingTemplate = "/v1/tracking/{trackingToken}"
    @usableFromInline static let guestOrderTemplate = "/v1/guest/order"

    /// The longest segment taken here; longer ones go to the router, which
    /// answers them as it answers any unknown token.
    @usableFromInline static let maxTokenBytes = 256

    /// The route `target` (the request line's target) names in its plain
    /// form, or nil.
    @inlinable init?(target: String) {
        var target = target
        guard let route = target.withUTF8({ Self.match($0) }) else { return nil }
        self = route
    }

    @inlinable static func match(_ bytes: UnsafeBufferPointer<UInt8>) -> ReadRoute? {
        if bytes.elementsEqual(guestOrderTemplate.utf8) { return .guestOrder }
        let prefix: StaticString = "/v1/tracking/"
        let prefixCount = prefix.utf8CodeUnitCount
        let tokenCount = bytes.count - prefixCount
        guard tokenCount > 0, tokenCount <= maxTokenBytes,
            UnsafeBufferPointer(start: prefix.utf8Start, count: prefixCount).elementsEqual(bytes.prefix(prefixCount))
        else { return nil }
        let token = UnsafeBufferPointer(rebasing: bytes[prefixCount...])
        guard token.allSatisfy(isBase64URL) else { return nil }
        return .tracking(token: String(decoding: token, as: UTF8.self))
    }

    /// The base64url alphabet: ASCII that neither the router nor the URI
    /// parser treats specially (no `/`, `.`, `%`, `?` or `#`).
    @inlinable static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
