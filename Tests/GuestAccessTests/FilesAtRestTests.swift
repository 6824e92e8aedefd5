import Foundation
import GuestAccessCore
import GuestAccessStorage
import Testing

@Suite("Files at rest")
struct FilesAtRestTests {
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    @Test("The database and its WAL are created 0600 whatever the umask, and an existing 0644 database is tightened")
    func databaseFilesAreOwnerOnly() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let path = directory + "/" + GuestAccessDatabase.fileName
        let previous = umask(0o022)
        defer { umask(previous) }
        let database = try GuestAccessDatabase(path: path, synchronous: .full)
        try await SQLiteTrackingTokenStore(database: database).revokeOrder("ORD-1", at: Date())
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(path + "-wal") == 0o600)
        let older = try TestEnvironment.temporaryDirectory() + "/" + GuestAccessDatabase.fileName
        #expect(FileManager.default.createFile(atPath: older, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try GuestAccessDatabase(path: older, synchronous: .full)
        #expect(Self.mode(older) == 0o600)
    }
}
