import Foundation

/// Decodes a request body strictly: a body that repeats a key anywhere is
/// refused before decoding (see `DuplicateKeyCheck`), then Foundation's
/// decoder must accept it as `T`. The HTTP edge and the fuzz targets share it.
public enum StrictJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(RequestBodyError) -> T {
        if DuplicateKeyCheck.hasDuplicateKeys(bytes) { throw RequestBodyError("The request body repeats a key.") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw RequestBodyError("The request body is not the expected JSON object.")
        }
    }
}
