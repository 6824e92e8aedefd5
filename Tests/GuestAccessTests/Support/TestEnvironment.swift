import Configuration
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP

/// A fresh data directory with a keyring, an orders file and an admin key file.
struct TestEnvironment {
    let directory: String
    let adminKey: String
    let ordersPath: String
    let adminKeyPath: String

    init(orders: [Any]? = nil, typedOrders: [OrderDetail] = Fixtures.orders) throws {
        directory = try Self.temporaryDirectory()
        _ = try KeyringFile(dataDirectory: directory).create()
        ordersPath = directory + "/orders.json"
        if let orders {
            try JSONSerialization.data(withJSONObject: orders).write(to: URL(fileURLWithPath: ordersPath))
        } else {
            try Fixtures.json(typedOrders).write(to: URL(fileURLWithPath: ordersPath))
        }
        adminKey = "test-admin-" + Base64URL.encode(SecureRandom.bytes(24))
        adminKeyPath = directory + "/admin-key"
        guard FileManager.default.createFile(atPath: adminKeyPath, contents: Data(adminKey.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
    }

    var keyringPath: String { directory + "/keyring.json" }

    /// Configuration for an in-process service on an ephemeral loopback port.
    func reader(_ extra: [String: String] = [:]) -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [
            "http.host": "127.0.0.1", "http.port": 0, "data.dir": .init(.string(directory), isSecret: false),
            "orders.file": .init(.string(ordersPath), isSecret: false),
            "admin.keyFile": .init(.string(adminKeyPath), isSecret: false),
            "keyring.pollMilliseconds": 100,
        ]
        for (key, value) in extra {
            values[AbsoluteConfigKey(ConfigKey(key))] = .init(.string(value), isSecret: false)
        }
        if extra["provider.url"] != nil { values["orders.file"] = nil }
        return ConfigReader(provider: InMemoryProvider(values: values))
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/guest-access-test-XXXXXX").utf8CString)
        guard let result = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: result)
    }
}
