public import GuestAccessCore

extension Policy {
    /// `policy/default.yaml` as built into the binary: the file itself, embedded
    /// by SwiftPM and parsed once, so the default a service runs with and the
    /// file a reader opens cannot drift apart. A default that does not parse is
    /// a build defect, caught by every test that starts a service.
    public static let `default`: Policy = {
        do {
            return try Policy.parse(yaml: defaultDocument)
        } catch {
            fatalError("the embedded policy/default.yaml is invalid: \(error)")
        }
    }()

    /// The text of `policy/default.yaml`, comments included.
    public static var defaultDocument: String { String(decoding: PackageResources.default_yaml, as: UTF8.self) }
}
