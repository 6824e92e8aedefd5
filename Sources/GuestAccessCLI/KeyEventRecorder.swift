import Foundation
import GuestAccessCore
import GuestAccessStorage

/// Records `keys` commands in the audit trail of the data directory's
/// database, when there is one (a keyring may be made before the service
/// first runs). A failure here is reported, but the key change stands.
enum KeyEventRecorder {
    static func record(_ kind: AuditEventKind, kid: String, dataDirectory: String) async {
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent(GuestAccessDatabase.fileName).path
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let database = try GuestAccessDatabase(path: path, synchronous: .full)
            try await SQLiteAuditTrail(database: database).record(AuditEvent(at: Date(), kind: kind, detail: kid))
        } catch {
            reportFailure("the key change stands, but it was not recorded in the audit trail: \(error)")
        }
    }
}
