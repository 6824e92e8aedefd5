public import GuestAccessCore
import Yams

extension Policy {
    /// This policy as a policy file (without comments) that `parse(yaml:)`
    /// reads back equal: how tests and tools hand a typed policy to a service
    /// that loads its policy from a file.
    public func document() throws -> String {
        try YAMLEncoder().encode(Document(version: 1, policy: self))
    }

    /// The file's shape: `version` beside the sections.
    private struct Document: Encodable {
        let version: Int
        let policy: Policy

        func encode(to encoder: any Encoder) throws {
            try policy.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(version, forKey: .version)
        }

        enum Key: String, CodingKey { case version }
    }
}
