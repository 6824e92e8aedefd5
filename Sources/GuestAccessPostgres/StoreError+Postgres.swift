import GuestAccessCore
import PostgresNIO

extension StoreError {
    /// Wraps a PostgreSQL error with its SQLSTATE or kind only: never the
    /// query, its bindings, or the server's message (which can quote values).
    init(postgres error: any Error) {
        if let storeError = error as? StoreError {
            self = storeError
        } else if let transaction = error as? PostgresTransactionError,
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
        {
            self.init(postgres: inner)
        } else if let psql = error as? PSQLError {
            let state = psql.serverInfo?[.sqlState].map { " sqlstate \($0)" } ?? ""
            self = .unavailable(reason: "postgres error \(psql.code)\(state)")
        } else {
            self = .unavailable(reason: String(describing: type(of: error)))
        }
    }
}
