import GuestAccessPostgres
import GuestAccessStorage

/// The backend `serve` was started with.
enum ChosenStorage: Sendable {
    case sqlite(GuestAccessDatabase)
    case postgres(PostgresDatabase)

    func isReachable() async -> Bool {
        switch self {
        case .sqlite(let database): await database.isReachable()
        case .postgres(let database): await database.isReachable()
        }
    }
}
