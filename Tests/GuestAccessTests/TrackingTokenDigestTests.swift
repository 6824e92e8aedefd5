import GuestAccessStorage
import Testing

@testable import GuestAccessService

@Suite("The stored digest of a tracking token")
struct TrackingTokenDigestTests {
    @Test("A token's digest is SHA-256 of the domain, a zero byte and the token, the bytes every earlier release stored")
    func digestMatchesTheStoredFormat() {
        // Computed outside Swift: hashlib.sha256(b"guest-access/v1/tracking-token\x00" + token).hexdigest().
        let digest = TrackingTokens<SQLiteTrackingTokenStore>.digest("gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "58d4633ebcac78366f3b320dcd281e26dab4b40234b1c0522f9c662072a5a41a")
    }
}
