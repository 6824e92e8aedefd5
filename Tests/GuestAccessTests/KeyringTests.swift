import Foundation
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessPolicy
import Logging
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Keyring file and live reload")
struct KeyringTests {
    private func freshFile() throws -> KeyringFile {
        KeyringFile(dataDirectory: try TestEnvironment.temporaryDirectory())
    }

    private func mode(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
    }

    @Test("A new keyring is mode 0600 with one active 256-bit key")
    func create() throws {
        let file = try freshFile()
        let document = try file.create()
        #expect(try mode(file.path) == 0o600)
        #expect(document.keys.count == 1 && document.keys[0].status == .active)
        #expect(Base64URL.decode(document.keys[0].secret!)!.count == 32)
        #expect(throws: KeyringError.alreadyExists(path: file.path)) { try file.create() }
    }

    @Test("Rotation adds an active key and keeps the old one verify-only; retire erases its secret")
    func rotateAndRetire() throws {
        let file = try freshFile()
        let first = try file.create().keys[0].kid
        let rotated = try file.update { document throws(KeyringError) in document.rotated() }
        #expect(rotated.keys.count == 2)
        #expect(rotated.keys[0].status == .active && rotated.keys[0].kid != first)
        #expect(rotated.keys[1].kid == first && rotated.keys[1].status == .verify)
        #expect(try mode(file.path) == 0o600)
        #expect(throws: KeyringError.cannotRetireActive(rotated.keys[0].kid)) {
            try file.update { document throws(KeyringError) in try document.retiring(kid: rotated.keys[0].kid) }
        }
        let retired = try file.update { document throws(KeyringError) in try document.retiring(kid: first) }
        #expect(retired.keys[1].status == .retired && retired.keys[1].secret == nil && retired.keys[1].retiredAt != nil)
        let keyring = try Keyring(document: retired)
        #expect(keyring.key(kid: first) == nil)
        #expect(keyring.key(kid: "no-such-kid") == nil)
        #expect(keyring.key(kid: rotated.keys[0].kid) != nil)
    }

    @Test("A keyring readable by group or others is refused", arguments: [0o644, 0o640, 0o604, 0o660])
    func permissions(mode: Int) throws {
        let file = try freshFile()
        _ = try file.create()
        chmod(file.path, mode_t(mode))
        #expect(throws: KeyringError.tooOpen(path: file.path, mode: UInt32(mode))) { try file.load() }
    }

    @Test("Missing and invalid keyrings are refused with a reason")
    func missingOrInvalid() throws {
        let file = try freshFile()
        #expect(throws: KeyringError.missing(path: file.path)) { try file.load() }
        var document = KeyringDocument.generate()
        document.keys[0].secret = Base64URL.encode(SecureRandom.bytes(16))
        #expect(throws: KeyringError.self) { try document.validate() }
        document = KeyringDocument.generate().rotated()
        document.keys[1].status = .active
        #expect(throws: KeyringError.self) { try document.validate() }
        document = KeyringDocument.generate()
        document.keys[0].kid = "../../etc/passwd"
        #expect(throws: KeyringError.self) { try document.validate() }
    }

    @Test(
        "A malformed keyring file is refused",
        arguments: ["not json", "{}", #"{"version":1,"keys":[]}"#, #"{"version":2,"keys":[]}"#]
    )
    func malformed(content: String) throws {
        let file = try freshFile()
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]))
        #expect(throws: KeyringError.self) { try file.load() }
    }

    @Test("A reload picks up a rotation; a broken file is refused and the keyring in force kept")
    func holderReload() throws {
        let file = try freshFile()
        _ = try file.create()
        let holder = try KeyringHolder(file: file, logger: Logger(label: "test"))
        let original = holder.keyring.active.kid
        let rotated = try file.update { document throws(KeyringError) in document.rotated() }
        #expect(holder.reload(trigger: "test"))
        #expect(holder.keyring.active.kid == rotated.keys[0].kid)
        #expect(holder.keyring.key(kid: original) != nil)

        try Data("{ broken".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(!holder.reload(trigger: "test"))
        #expect(holder.keyring.active.kid == rotated.keys[0].kid)
        try FileManager.default.removeItem(atPath: file.path)
        #expect(!holder.reload(trigger: "test"))
        #expect(holder.keyring.active.kid == rotated.keys[0].kid)
        #expect(holder.reloadCounts.refused == 2)
    }
}
