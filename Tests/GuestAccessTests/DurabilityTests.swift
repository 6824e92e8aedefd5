import Foundation
import GRDB
import GuestAccessCore
import Testing

@testable import GuestAccessStorage

@Suite("Commits are as durable as the policy says")
struct DurabilityTests {
    @Test(
        "The connection that commits runs at the policy's synchronous level after WAL is set up: FULL (2) for full, NORMAL (1) for normal",
        arguments: [(StoragePolicy.Synchronous.full, 2), (.normal, 1)]
    )
    func writerRunsAtThePolicysLevel(level: StoragePolicy.Synchronous, expected: Int) async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let database = try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: level)
        let onWriter = try await database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(onWriter == expected)
    }
}
