import GRDB
import GuestAccessCore

extension StoreError {
    /// Wraps a database error with its SQLite code only: never the SQL's arguments.
    init(_ error: any Error) {
        if let databaseError = error as? DatabaseError {
            self = .unavailable(reason: "sqlite error \(databaseError.resultCode.rawValue) (\(databaseError.resultCode))")
        } else if let storeError = error as? StoreError {
            self = storeError
        } else {
            self = .unavailable(reason: String(describing: type(of: error)))
        }
    }
}
