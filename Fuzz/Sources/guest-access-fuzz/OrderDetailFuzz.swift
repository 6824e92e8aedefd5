import Foundation
import GuestAccessCore

/// Provider answers as the providers decode them. An accepted order must give
/// a tracking view with exactly the allow-listed keys, the masked email, and
/// no phone, street or postal code.
enum OrderDetailFuzz {
    static let allowedKeys: Set<String> = [
        "orderNumber", "status", "paymentStatus", "fulfillmentStatus", "currency", "grandTotal", "emailMasked", "shippingCity",
        "shippingCountry", "items", "createdAt",
    ]

    static func run(_ bytes: [UInt8]) {
        guard let order = try? OrderDetailDecoding.decode(Data(bytes)) else { return }
        let view = TrackingView(order: order)
        require(view.emailMasked == EmailMask.mask(order.email), "the view's email is not the mask")
        guard let data = try? JSONEncoder().encode(view),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return require(false, "a tracking view does not encode") }
        require(Set(object.keys).isSubset(of: allowedKeys), "the view has keys beyond the allow-list: \(object.keys.sorted())")
        for item in object["items"] as? [[String: Any]] ?? [] {
            require(Set(item.keys).isSubset(of: ["name", "quantity", "imageUrl"]), "an item shows more than name, quantity, image")
        }
    }
}
