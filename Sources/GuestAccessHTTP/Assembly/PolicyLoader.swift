import Foundation
import GuestAccessCore

/// Reads the policy file given to `serve`, or the compiled-in default.
public enum PolicyLoader {
    public static func load(_ path: String?) throws(StartupError) -> Policy {
        guard let path else { return .default }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw StartupError("policy file \(path) cannot be read")
        }
        do {
            return try Policy.parse(yaml: text)
        } catch {
            throw StartupError("\(path): \(error)")
        }
    }
}
