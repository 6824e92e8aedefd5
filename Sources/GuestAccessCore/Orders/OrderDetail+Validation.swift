import Foundation

extension OrderDetail {
    /// Longest free-text field accepted from a provider.
    public static let maxTextLength = 512
    /// Most items or fulfillments accepted on one order.
    public static let maxLines = 500

    /// Checks what the contract and the masks rely on; the error names the field.
    public func validate() throws(OrderValidationError) {
        guard OrderNumber.isWellFormed(orderNumber) else { throw .init(field: "orderNumber", reason: "not a well-formed order number") }
        guard Self.isCurrency(currency) else { throw .init(field: "currency", reason: "not an ISO 4217 code") }
        for (name, value) in [
            ("subtotal", subtotal), ("shippingAmount", shippingAmount), ("taxAmount", taxAmount),
            ("discountAmount", discountAmount), ("grandTotal", grandTotal),
        ] where value < 0 {
            throw .init(field: name, reason: "must not be negative")
        }
        guard EmailAddress.isAcceptable(email) else { throw .init(field: "email", reason: "not an acceptable email address") }
        try Self.text(phone, "phone")
        try Self.address(shippingAddress, "shippingAddress")
        try Self.address(billingAddress, "billingAddress")
        guard items.count <= Self.maxLines else { throw .init(field: "items", reason: "more than \(Self.maxLines) items") }
        for (index, item) in items.enumerated() {
            try Self.text(item.name, "items[\(index)].name", required: true)
            try Self.text(item.sku, "items[\(index)].sku")
            try Self.text(item.imageUrl, "items[\(index)].imageUrl")
            guard item.quantity >= 0, item.unitPrice >= 0, item.total >= 0 else {
                throw .init(field: "items[\(index)]", reason: "quantity and prices must not be negative")
            }
        }
        guard fulfillments.count <= Self.maxLines else {
            throw .init(field: "fulfillments", reason: "more than \(Self.maxLines) fulfillments")
        }
        for (index, fulfillment) in fulfillments.enumerated() {
            let path = "fulfillments[\(index)]"
            try Self.text(fulfillment.status, "\(path).status", required: true)
            for (name, value) in [
                ("carrier", fulfillment.carrier), ("trackingNumber", fulfillment.trackingNumber), ("trackingUrl", fulfillment.trackingUrl),
            ] {
                try Self.text(value, "\(path).\(name)")
            }
            try Self.timestamp(fulfillment.shippedAt, "\(path).shippedAt")
            try Self.timestamp(fulfillment.deliveredAt, "\(path).deliveredAt")
        }
        try Self.timestamp(createdAt, "createdAt")
        try Self.timestamp(updatedAt, "updatedAt")
    }

    private static func isCurrency(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    private static func text(_ value: String?, _ field: String, required: Bool = false) throws(OrderValidationError) {
        guard let value else {
            if required { throw .init(field: field, reason: "is required") }
            return
        }
        if required && value.isEmpty { throw .init(field: field, reason: "must not be empty") }
        guard value.count <= maxTextLength else { throw .init(field: field, reason: "longer than \(maxTextLength) characters") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .init(field: field, reason: "contains control characters")
        }
    }

    private static func address(_ address: PostalAddress?, _ field: String) throws(OrderValidationError) {
        guard let address else { return }
        try text(address.name, "\(field).name")
        try text(address.line1, "\(field).line1")
        try text(address.line2, "\(field).line2")
        try text(address.city, "\(field).city", required: true)
        try text(address.region, "\(field).region")
        try text(address.postalCode, "\(field).postalCode")
        guard address.country.utf8.count == 2, address.country.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw .init(field: "\(field).country", reason: "not an ISO 3166-1 alpha-2 code")
        }
    }

    private static func timestamp(_ value: String?, _ field: String) throws(OrderValidationError) {
        guard let value else { return }
        guard Timestamp.parse(value) != nil else { throw .init(field: field, reason: "not an RFC 3339 timestamp") }
    }
}
