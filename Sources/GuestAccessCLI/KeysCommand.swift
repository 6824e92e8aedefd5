import ArgumentParser
import Foundation
import GuestAccessCore
import GuestAccessCrypto

/// `guest-access keys init|rotate|list|retire`.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage DATA_DIR/keyring.json (a running service reloads it by itself or on SIGHUP).",
        subcommands: [Init.self, Rotate.self, Add.self, Activate.self, List.self, Retire.self]
    )

    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "The service's data directory.")
        var dataDirectory: String

        var file: KeyringFile { KeyringFile(dataDirectory: dataDirectory) }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a keyring with one active 256-bit key.")
        @OptionGroup var location: Location

        func run() async throws {
            do {
                try FileManager.default.createDirectory(
                    atPath: location.dataDirectory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
                let document = try location.file.create()
                print("created \(location.file.path) (mode 0600); active key \(document.keys[0].kid)")
                await KeyEventRecorder.record(.keyCreated, kid: document.keys[0].kid, dataDirectory: location.dataDirectory)
            } catch let error as KeyringError {
                reportFailure(error.description)
                throw ExitCode.failure
            } catch {
                reportFailure("cannot create data directory \(location.dataDirectory)")
                throw ExitCode.failure
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new active key; the previous one keeps verifying until retired."
        )
        @OptionGroup var location: Location

        func run() async throws {
            let document: KeyringDocument
            do {
                document = try location.file.update { document throws(KeyringError) in document.rotated() }
                let previous = document.keys.first { $0.status == .verify }?.kid ?? "-"
                print("active key \(document.keys[0].kid); \(previous) now verifies only")
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
            await KeyEventRecorder.record(.keyRotated, kid: document.keys[0].kid, dataDirectory: location.dataDirectory)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new key that verifies but does not sign yet (for a fleet: add, copy keyring.json to every replica, activate)."
        )
        @OptionGroup var location: Location

        func run() async throws {
            let document: KeyringDocument
            do {
                document = try location.file.update { document throws(KeyringError) in document.adding() }
                print(
                    "added key \(document.keys[0].kid), verify-only; run `keys activate \(document.keys[0].kid)` once every replica has it"
                )
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
            await KeyEventRecorder.record(.keyCreated, kid: document.keys[0].kid, dataDirectory: location.dataDirectory)
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make KID the signing key; the previous active key keeps verifying until retired."
        )
        @OptionGroup var location: Location
        @Argument var kid: String

        func run() async throws {
            do {
                _ = try location.file.update { document throws(KeyringError) in try document.activating(kid: kid) }
                print("active key \(kid)")
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
            await KeyEventRecorder.record(.keyRotated, kid: kid, dataDirectory: location.dataDirectory)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List key ids, status and dates. Never prints a secret.")
        @OptionGroup var location: Location

        func run() throws {
            do {
                let document = try location.file.load()
                print(pad("KID", 20) + pad("STATUS", 9) + pad("CREATED", 22) + "RETIRED")
                for key in document.keys {
                    print(
                        pad(key.kid, 20) + pad(key.status.rawValue, 9) + pad(key.createdAt.formatted(.iso8601), 22)
                            + (key.retiredAt?.formatted(.iso8601) ?? "-")
                    )
                }
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
        }

        private func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a verify-only key: its secret is erased and what it signed is refused."
        )
        @Argument(help: "The key id to retire.") var kid: String
        @OptionGroup var location: Location

        func run() async throws {
            do {
                _ = try location.file.update { document throws(KeyringError) in try document.retiring(kid: kid) }
                print("retired \(kid)")
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
            await KeyEventRecorder.record(.keyRetired, kid: kid, dataDirectory: location.dataDirectory)
        }
    }
}
