public import GuestAccessCore
import GuestAccessService
public import Hummingbird

/// The answer to a right code: the access token (a Bearer token) and the order.
public struct VerifyResponse: ResponseEncodable, Sendable {
    public let accessToken: String
    public let tokenType = "Bearer"
    public let expiresIn: Int
    public let order: OrderDetail

    init<Codes, Provider>(_ access: VerifyCode<Codes, Provider>.Access) {
        accessToken = access.accessToken
        expiresIn = access.expiresIn
        order = access.order
    }
}
