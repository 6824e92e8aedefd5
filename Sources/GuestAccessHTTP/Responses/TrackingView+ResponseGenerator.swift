public import GuestAccessCore
public import Hummingbird

/// The tracking view, the hottest answer, written straight into the response
/// buffer: the same bytes `JSONResponseEncoder` writes (keys sorted, every
/// field present, null when absent), without `JSONEncoder` (about an eighth
/// of the route's time in a profile, BENCHMARKS.md).
extension TrackingView: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok,
            headers: JSONResponseEncoder.headers,
            body: .init(byteBuffer: jsonBuffer())
        )
    }

    /// The view's JSON, keys in sorted order.
    func jsonBuffer() -> ByteBuffer {
        var json = JSONBufferWriter(capacity: 384 + items.count * 160)
        json.beginObject()
        json.key("createdAt")
        json.string(createdAt)
        json.key("currency")
        json.string(currency)
        json.key("emailMasked")
        json.string(emailMasked)
        json.key("fulfillmentStatus")
        json.string(fulfillmentStatus.rawValue)
        json.key("grandTotal")
        json.integer(grandTotal)
        json.key("items")
        json.beginArray()
        for item in items {
            json.beginObject()
            json.key("imageUrl")
            json.string(item.imageUrl)
            json.key("name")
            json.string(item.name)
            json.key("quantity")
            json.integer(item.quantity)
            json.endObject()
        }
        json.endArray()
        json.key("orderNumber")
        json.string(orderNumber)
        json.key("paymentStatus")
        json.string(paymentStatus.rawValue)
        json.key("shippingCity")
        json.string(shippingCity)
        json.key("shippingCountry")
        json.string(shippingCountry)
        json.key("status")
        json.string(status.rawValue)
        json.endObject()
        return json.buffer
    }
}
