public import GuestAccessCore
public import Hummingbird

/// The full order, the answer of the token re-fetch, written straight into
/// the response buffer: the same bytes `JSONResponseEncoder` writes for the
/// synthesized `Codable` (keys sorted, absent optionals left out), without
/// `JSONEncoder`. `JSONBufferWriterTests` holds the two to each other.
extension OrderDetail: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONBufferWriter(capacity: 1024 + items.count * 192 + fulfillments.count * 192)
        write(to: &json)
        return Response(status: .ok, headers: JSONResponseEncoder.headers, body: .init(byteBuffer: json.buffer))
    }

    /// The order's JSON object, keys in sorted order.
    func write(to json: inout JSONBufferWriter) {
        json.beginObject()
        if let billingAddress {
            json.key("billingAddress")
            billingAddress.write(to: &json)
        }
        json.key("createdAt")
        json.string(createdAt)
        json.key("currency")
        json.string(currency)
        json.key("discountAmount")
        json.integer(discountAmount)
        json.key("email")
        json.string(email)
        json.key("fulfillmentStatus")
        json.string(fulfillmentStatus.rawValue)
        json.key("fulfillments")
        json.beginArray()
        for fulfillment in fulfillments {
            json.beginObject()
            json.field("carrier", ifPresent: fulfillment.carrier)
            json.field("deliveredAt", ifPresent: fulfillment.deliveredAt)
            json.field("shippedAt", ifPresent: fulfillment.shippedAt)
            json.key("status")
            json.string(fulfillment.status)
            json.field("trackingNumber", ifPresent: fulfillment.trackingNumber)
            json.field("trackingUrl", ifPresent: fulfillment.trackingUrl)
            json.endObject()
        }
        json.endArray()
        json.key("grandTotal")
        json.integer(grandTotal)
        json.key("items")
        json.beginArray()
        for item in items {
            json.beginObject()
            json.field("imageUrl", ifPresent: item.imageUrl)
            json.key("name")
            json.string(item.name)
            json.key("quantity")
            json.integer(item.quantity)
            json.field("sku", ifPresent: item.sku)
            json.key("total")
            json.integer(item.total)
            json.key("unitPrice")
            json.integer(item.unitPrice)
            json.endObject()
        }
        json.endArray()
        json.key("orderNumber")
        json.string(orderNumber)
        json.key("paymentStatus")
        json.string(paymentStatus.rawValue)
        json.field("phone", ifPresent: phone)
        if let shippingAddress {
            json.key("shippingAddress")
            shippingAddress.write(to: &json)
        }
        json.key("shippingAmount")
        json.integer(shippingAmount)
        json.key("status")
        json.string(status.rawValue)
        json.key("subtotal")
        json.integer(subtotal)
        json.key("taxAmount")
        json.integer(taxAmount)
        json.key("updatedAt")
        json.string(updatedAt)
        json.endObject()
    }
}

extension PostalAddress {
    /// The address's JSON object, keys in sorted order.
    func write(to json: inout JSONBufferWriter) {
        json.beginObject()
        json.key("city")
        json.string(city)
        json.key("country")
        json.string(country)
        json.key("line1")
        json.string(line1)
        json.field("line2", ifPresent: line2)
        json.key("name")
        json.string(name)
        json.field("postalCode", ifPresent: postalCode)
        json.field("region", ifPresent: region)
        json.endObject()
    }
}
