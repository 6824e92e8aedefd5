public import Foundation
public import GuestAccessCore

/// Orders from a JSON file (an array of OrderDetail), loaded and validated
/// once at start: for the demo, tests and small setups.
public struct EmbeddedOrderProvider: OrderDetailProvider {
    /// Largest orders file accepted.
    public static let maxFileBytes = 64 << 20

    let orders: [String: OrderDetail]

    /// Serves `orders`; order numbers must be unique.
    public init(orders: [OrderDetail]) throws(OrderFileError) {
        var byNumber = [String: OrderDetail]()
        for (index, order) in orders.enumerated() {
            do { try order.validate() } catch { throw OrderFileError("entry \(index): \(error)") }
            guard byNumber.updateValue(order, forKey: order.orderNumber) == nil else {
                throw OrderFileError("entry \(index): orderNumber \(order.orderNumber) appears twice")
            }
        }
        self.orders = byNumber
    }

    /// Loads `path`; the error names the file, the entry and the field.
    public init(path: String) throws(OrderFileError) {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > Self.maxFileBytes {
                throw OrderFileError("orders file \(path) is larger than \(Self.maxFileBytes >> 20) MiB")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as OrderFileError {
            throw error
        } catch {
            throw OrderFileError("orders file \(path) cannot be read")
        }
        do {
            try self.init(data: data)
        } catch {
            throw OrderFileError("orders file \(path): \(error.message)")
        }
    }

    /// Decodes an array of OrderDetail, entry by entry.
    public init(data: Data) throws(OrderFileError) {
        guard let array = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw OrderFileError("not a JSON array of orders")
        }
        var decoded = [OrderDetail]()
        for (index, element) in array.enumerated() {
            let label: String
            if let number = (element as? [String: Any])?["orderNumber"] as? String, OrderNumber.isWellFormed(number) {
                label = "entry \(index) (\(number))"
            } else {
                label = "entry \(index)"
            }
            guard JSONSerialization.isValidJSONObject(element),
                let entry = try? JSONSerialization.data(withJSONObject: element)
            else { throw OrderFileError("\(label): not a JSON object") }
            do {
                decoded.append(try OrderDetailDecoding.decode(entry))
            } catch {
                throw OrderFileError("\(label): \(error)")
            }
        }
        try self.init(orders: decoded)
    }

    public func order(number: String) async throws(ProviderError) -> OrderDetail? { orders[number] }

    public func isReachable() async -> Bool { true }

    /// How many orders are served.
    public var count: Int { orders.count }
}
