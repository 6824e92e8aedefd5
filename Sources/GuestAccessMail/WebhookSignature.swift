public import Foundation
public import GuestAccessCrypto

/// The webhook mailer's signature: `v1=` and the hex HMAC-SHA256, under the
/// shared webhook secret, of `timestamp + "." + body`. Receivers verify it
/// with `verify`, which also refuses timestamps outside the replay window.
public enum WebhookSignature {
    public static let timestampHeader = "X-Guest-Access-Timestamp"
    public static let signatureHeader = "X-Guest-Access-Signature"
    /// Seconds a receiver accepts a timestamp away from its own clock.
    public static let replayWindow: Int64 = 300

    public static func sign(body: [UInt8], timestamp: Int64, key: HMACKey) -> String {
        "v1=" + key.authenticate(Array("\(timestamp).".utf8) + body).map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time check of signature and window.
    public static func verify(body: [UInt8], timestamp: String, signature: String, key: HMACKey, now: Date = Date()) -> Bool {
        guard let stamp = Int64(timestamp), abs(Int64(now.timeIntervalSince1970) - stamp) <= replayWindow else { return false }
        return ConstantTime.equals(Array(sign(body: body, timestamp: stamp, key: key).utf8), Array(signature.utf8))
    }
}
