public import Foundation

/// Decodes and validates provider JSON into an `OrderDetail`, with an error
/// that names the field (never its value).
public enum OrderDetailDecoding {
    public static func decode(_ data: Data) throws(OrderValidationError) -> OrderDetail {
        let order: OrderDetail
        do {
            order = try JSONDecoder().decode(OrderDetail.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw OrderValidationError(field: "", reason: "not JSON")
        }
        try order.validate()
        return order
    }

    static func describe(_ error: DecodingError) -> OrderValidationError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .init(field: path(context.codingPath + [key]), reason: "is missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .init(field: path(context.codingPath), reason: "has the wrong type or is null")
        case .dataCorrupted(let context):
            return .init(
                field: path(context.codingPath),
                reason: context.codingPath.isEmpty ? "is not valid JSON" : "has a value the contract does not allow"
            )
        @unknown default:
            return .init(field: "", reason: "cannot be decoded")
        }
    }
}
