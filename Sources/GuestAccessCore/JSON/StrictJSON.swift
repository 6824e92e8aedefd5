import Foundation

/// Decodes a request body strictly: a body that repeats a key anywhere is
/// refused before decoding (see `DuplicateKeyCheck`), a `StrictlyKeyed` body
/// with a key it does not know is refused, then Foundation's decoder must
/// accept it as `T`. The HTTP edge and the fuzz targets share it. A
/// `FlatStringBody` in its plain form is read in one pass first.
public enum StrictJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(RequestBodyError) -> T {
        if let flat = T.self as? any FlatStringBody.Type, let fields = FlatJSONObject.fields(bytes, known: flat.knownKeys),
            let body = flat.init(flatStrings: fields) as? T
        {
            return body
        }
        return try decodeInGeneral(type, from: bytes)
    }

    /// The general path: every body that is not plainly valid, and the judge the one pass is tested against.
    static func decodeInGeneral<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(RequestBodyError) -> T {
        if DuplicateKeyCheck.hasDuplicateKeys(bytes) { throw RequestBodyError("The request body repeats a key.") }
        if let keyed = T.self as? any StrictlyKeyed.Type {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw RequestBodyError("The request body is not the expected JSON object.")
            }
            if object.keys.contains(where: { !keyed.knownKeys.contains($0) }) {
                throw RequestBodyError("The request body has a key this endpoint does not take.")
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw RequestBodyError("The request body is not the expected JSON object.")
        }
    }
}
