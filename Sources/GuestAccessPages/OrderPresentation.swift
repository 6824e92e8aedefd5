import Foundation
import GuestAccessCore

/// Turns the views the use cases return into what the templates show, in
/// the shopper's language: amounts with their currency, dates, a status
/// timeline, countries by name. Only `https:` links and images get through
/// (a provider's `javascript:` URL is dropped, not escaped).
struct OrderPresentation {
    let language: ShopperLanguage
    let messages: [String: String]

    private var locale: Locale { Locale(identifier: language.localeIdentifier) }

    func money(_ minorUnits: Int, _ currency: String) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .currency
        formatter.locale = locale
        formatter.currencyCode = currency
        let digits = formatter.maximumFractionDigits
        var divisor = 1.0
        for _ in 0..<digits { divisor *= 10 }
        return formatter.string(from: NSNumber(value: Double(minorUnits) / divisor)) ?? "\(minorUnits) \(currency)"
    }

    func date(_ rfc3339: String?) -> String? {
        guard let rfc3339 else { return nil }
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = parser.date(from: rfc3339) ?? plain.date(from: rfc3339) else { return rfc3339 }
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateStyle = .long
        formatter.timeStyle = .none
        return formatter.string(from: date)
    }

    func country(_ code: String?) -> String? {
        guard let code else { return nil }
        return locale.localizedString(forRegionCode: code) ?? code
    }

    /// An `https:` URL of printable ASCII only (non-ASCII must come
    /// percent-encoded): no quote, space, angle bracket, backslash or any
    /// combining or format character that could bend the attribute it lands in.
    static func safeURL(_ text: String?) -> String? {
        guard let text, text.utf8.count <= 2048, Branding.isPrintableURLText(text), let url = URL(string: text),
            url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty
        else { return nil }
        return text
    }

    /// The steps an order goes through, each done, current or to come; a
    /// cancelled or refunded order has a sentence instead.
    func status(_ status: OrderStatus) -> [String: Any] {
        switch status {
        case .cancelled, .refunded: return ["ended": true, "endedText": messages["status_\(status.rawValue)"] ?? status.rawValue]
        default: break
        }
        let path: [OrderStatus] = [.pending, .confirmed, .processing, .shipped, .delivered]
        let reached = path.firstIndex(of: status) ?? 0
        let steps: [[String: Any]] = path.enumerated().map { index, step in
            let state = index < reached ? "done" : index == reached ? "current" : "upcoming"
            return [
                "label": messages["status_\(step.rawValue)"] ?? step.rawValue, "state": state, "current": index == reached,
                "stateText": messages["step_\(state)"] ?? state,
            ]
        }
        return ["steps": steps]
    }

    func tracking(_ view: TrackingView) -> [String: Any] {
        var order: [String: Any] = [
            "number": view.orderNumber, "placed": date(view.createdAt) ?? view.createdAt, "emailMasked": view.emailMasked,
            "total": money(view.grandTotal, view.currency),
            "items": view.items.map { item -> [String: Any] in
                var entry: [String: Any] = ["name": item.name, "quantity": item.quantity]
                if let image = Self.safeURL(item.imageUrl) { entry["imageUrl"] = image }
                return entry
            },
        ]
        let destination = [view.shippingCity, country(view.shippingCountry)].compactMap { $0 }.joined(separator: ", ")
        if !destination.isEmpty { order["destination"] = destination }
        for (key, value) in status(view.status) { order[key] = value }
        return order
    }

    func address(_ address: PostalAddress?) -> [String: Any]? {
        guard let address else { return nil }
        let cityLine = [address.postalCode, address.city].compactMap { $0 }.joined(separator: " ")
        let lines = [address.name, address.line1, address.line2, cityLine, address.region, country(address.country)]
        return ["lines": lines.compactMap { $0 }.filter { !$0.isEmpty }]
    }

    func detail(_ order: OrderDetail) -> [String: Any] {
        var view: [String: Any] = [
            "number": order.orderNumber, "placed": date(order.createdAt) ?? order.createdAt,
            "payment": messages["payment_\(order.paymentStatus.rawValue)"] ?? order.paymentStatus.rawValue, "email": order.email,
            "subtotal": money(order.subtotal, order.currency), "shippingAmount": money(order.shippingAmount, order.currency),
            "tax": money(order.taxAmount, order.currency), "grandTotal": money(order.grandTotal, order.currency),
            "items": order.items.map { item -> [String: Any] in
                var entry: [String: Any] = [
                    "name": item.name, "quantity": item.quantity, "unitPrice": money(item.unitPrice, order.currency),
                    "total": money(item.total, order.currency),
                ]
                if let sku = item.sku { entry["sku"] = sku }
                if let image = Self.safeURL(item.imageUrl) { entry["imageUrl"] = image }
                return entry
            },
            "fulfillments": order.fulfillments.map { shipment -> [String: Any] in
                var entry: [String: Any] = ["status": shipment.status]
                if let carrier = shipment.carrier { entry["carrier"] = carrier }
                if let number = shipment.trackingNumber { entry["trackingNumber"] = number }
                if let url = Self.safeURL(shipment.trackingUrl) { entry["trackingUrl"] = url }
                if let shipped = date(shipment.shippedAt) { entry["shipped"] = shipped }
                if let delivered = date(shipment.deliveredAt) { entry["delivered"] = delivered }
                return entry
            },
        ]
        if order.discountAmount != 0 { view["discount"] = money(order.discountAmount, order.currency) }
        if let phone = order.phone { view["phone"] = phone }
        if let shipping = address(order.shippingAddress) { view["shipping"] = shipping }
        if let billing = address(order.billingAddress) { view["billing"] = billing }
        for (key, value) in status(order.status) { view[key] = value }
        return view
    }
}
