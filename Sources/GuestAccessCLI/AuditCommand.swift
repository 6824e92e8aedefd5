import ArgumentParser
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessServer
import GuestAccessService
import GuestAccessStorage

/// `guest-access audit`: reads the security-event trail in DATA_DIR.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print security events from DATA_DIR's audit trail, oldest first.",
        discussion: """
            Events name orders only by a keyed digest. --order computes the order's digest under every key \
            in the keyring; events digested under a key retired since cannot be matched to an order any more.
            """
    )

    @Option(name: .customLong("data-dir"), help: "The service's data directory.") var dataDirectory: String
    @Option(help: "Only events about this order number.") var order: String?
    @Option(name: .customLong("event"), help: "Only events of this kind (repeatable), e.g. verify.failed, order.locked.")
    var kinds: [String] = []
    @Option(help: "Only events at or after this ISO 8601 time, e.g. 2026-11-24T00:00:00Z.") var since: String?
    @Option(help: "At most this many (newest) events, 1...100000.") var limit: Int = 100
    @Flag(help: "One JSON object per line instead of a table.") var json = false

    func run() async throws {
        do {
            let query = try makeQuery()
            let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent(GuestAccessDatabase.fileName).path
            guard FileManager.default.fileExists(atPath: path) else { throw CLIFailure("no database at \(path)") }
            let database = try GuestAccessDatabase(path: path, synchronous: .full)
            let events = try await SQLiteAuditTrail(database: database).events(query)
            for event in events { print(json ? AuditEventFormat.json(event) : AuditEventFormat.line(event)) }
        } catch let failure as CLIFailure {
            reportFailure(failure.message)
            throw ExitCode.failure
        } catch {
            reportFailure("cannot read the audit trail: \(error)")
            throw ExitCode.failure
        }
    }

    private func makeQuery() throws(CLIFailure) -> AuditQuery {
        guard (1...100_000).contains(limit) else { throw CLIFailure("--limit must be between 1 and 100000") }
        var parsedKinds: [AuditEventKind] = []
        for name in kinds {
            guard let kind = AuditEventKind(rawValue: name) else {
                throw CLIFailure("unknown event kind \(name); known: \(AuditEventKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            parsedKinds.append(kind)
        }
        var sinceDate: Date?
        if let since {
            guard let date = try? Date(since, strategy: .iso8601) else { throw CLIFailure("--since must be an ISO 8601 time") }
            sinceDate = date
        }
        var digests: [(digest: [UInt8], kid: String)] = []
        if let order {
            guard OrderNumber.isWellFormed(order) else { throw CLIFailure("--order is not a well-formed order number") }
            let keyring: Keyring
            do { keyring = try Keyring(document: KeyringFile(dataDirectory: dataDirectory).load()) } catch {
                throw CLIFailure(error.description)
            }
            digests = keyring.keys.map { (Digests.order(order, key: $0), $0.kid) }
        }
        return AuditQuery(orderDigests: digests, kinds: parsedKinds, since: sinceDate, limit: limit)
    }
}
