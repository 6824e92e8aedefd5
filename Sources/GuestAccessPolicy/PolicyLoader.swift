import Foundation
public import GuestAccessCore

/// Reads the policy file given to `serve`, or the embedded default.
public enum PolicyLoader {
    /// The policy at `path`, or `Policy.default` without one. The error is one
    /// line naming the file and the key at fault.
    public static func load(_ path: String?) throws(PolicyLoadError) -> Policy {
        guard let path else { return .default }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PolicyLoadError("policy file \(path) cannot be read")
        }
        do {
            return try Policy.parse(yaml: text)
        } catch {
            throw PolicyLoadError("\(path): \(error)")
        }
    }
}
