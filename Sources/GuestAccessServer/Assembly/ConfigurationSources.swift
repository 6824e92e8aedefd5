public import Configuration
import Foundation
import SystemPackage

/// Where `serve`'s settings come from, first match winning: the command line,
/// then the environment (`GUEST_ACCESS_DATA_DIR`, …), then a secrets
/// directory holding one file per setting (`/run/secrets/admin-key`, or the
/// credentials systemd hands over in `$CREDENTIALS_DIRECTORY`). Each source is
/// one of swift-configuration's providers; this type keeps them in order so
/// `--print-config` can say which one a value came from.
public struct ConfigurationSources: Sendable {
    /// One provider and how to name it to an operator.
    public enum Source: Sendable, Equatable {
        case commandLine
        case environment
        case secretsDirectory(String)
    }

    /// What one setting resolved to, for `--print-config`.
    public struct Resolved: Sendable {
        public let setting: Setting
        /// The value as it may be shown: nil when unset, `<redacted>` for a secret.
        public let shown: String?
        /// Where it came from: `--port`, `GUEST_ACCESS_PORT`, a file path; nil when unset.
        public let origin: String?
    }

    private let layers: [(source: Source, provider: any ConfigProvider)]
    /// The reader over every layer, in order.
    public let reader: ConfigReader
    /// `GUEST_ACCESS_*` variables that name no setting: a typo would otherwise
    /// leave a setting at its default without a word.
    public let unknownVariables: [String]
    /// The secrets directory in use and what named it.
    public let secretsDirectory: (path: String, origin: String)?

    /// Largest secrets-directory file read: secrets are short, and a directory
    /// such as `/run/secrets` may hold other services' large files.
    static let maximumSecretFileBytes = 64 * 1024

    /// Layers `commandLine` (the flags given, nothing defaulted), `environment`
    /// and the secrets directory named by `--secrets-dir`,
    /// `GUEST_ACCESS_SECRETS_DIR` or systemd's `CREDENTIALS_DIRECTORY`.
    public static func load(
        commandLine: [Setting: ConfigContent],
        environment: [String: String]
    ) async throws(StartupError) -> ConfigurationSources {
        var layers: [(Source, any ConfigProvider)] = []
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (setting, content) in commandLine {
            precondition(!setting.isSecret, "a secret never comes from the command line")
            values[AbsoluteConfigKey(setting.key)] = ConfigValue(content, isSecret: false)
        }
        layers.append((.commandLine, InMemoryProvider(name: "command line", values: values)))
        let secretVariables = Set(Setting.allCases.filter(\.isSecret).map(\.environmentName))
        layers.append(
            (
                .environment,
                EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(secretVariables))
                    .prefixKeys(with: "guest-access")
            )
        )
        var secrets: (path: String, origin: String)?
        if case .string(let path)? = commandLine[.secretsDirectory] {
            secrets = (path, "--secrets-dir")
        } else if let path = environment[Setting.secretsDirectory.environmentName] {
            secrets = (path, Setting.secretsDirectory.environmentName)
        } else if let path = environment["CREDENTIALS_DIRECTORY"] {
            secrets = (path, "CREDENTIALS_DIRECTORY")
        }
        if let directory = secrets?.path {
            try checkSecretsDirectory(directory)
            let provider: DirectoryFilesProvider
            do {
                provider = try await DirectoryFilesProvider(
                    directoryPath: FilePath(directory),
                    secretsSpecifier: .specific(Set(Setting.allCases.filter(\.isSecret).map(\.rawValue)))
                )
            } catch {
                throw StartupError("secrets directory \(directory) cannot be read: \(error)")
            }
            layers.append((.secretsDirectory(directory), provider))
        }
        let known = Set(Setting.allCases.map(\.environmentName))
        let unknown = environment.keys.filter { $0.hasPrefix("GUEST_ACCESS_") && !known.contains($0) }.sorted()
        return ConfigurationSources(layers: layers, secretsDirectory: secrets, unknownVariables: unknown)
    }

    private init(
        layers: [(source: Source, provider: any ConfigProvider)],
        secretsDirectory: (path: String, origin: String)?,
        unknownVariables: [String]
    ) {
        self.layers = layers
        self.secretsDirectory = secretsDirectory
        self.reader = ConfigReader(providers: layers.map(\.provider))
        self.unknownVariables = unknownVariables
    }

    /// A secrets directory others could write to could be handed a key; one
    /// holding a file too large to be a secret is not what the operator meant.
    private static func checkSecretsDirectory(_ path: String) throws(StartupError) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StartupError("secrets directory \(path) does not exist or is not a directory")
        }
        guard UInt32(info.st_mode) & 0o022 == 0 else {
            throw StartupError(
                "secrets directory \(path) is writable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))): run `chmod go-w \(path)`"
            )
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names {
            var file = stat()
            if stat(path + "/" + name, &file) == 0, (file.st_mode & S_IFMT) == S_IFREG, Int(file.st_size) > maximumSecretFileBytes {
                throw StartupError("secrets directory \(path): \(name) is larger than \(maximumSecretFileBytes / 1024) KiB")
            }
        }
    }

    /// Where `setting` comes from, or nil when no source has it.
    public func origin(of setting: Setting) -> String? {
        let key = AbsoluteConfigKey(setting.key)
        for (source, provider) in layers {
            guard let result = try? provider.value(forKey: key, type: .string), result.value != nil else {
                // The command line holds typed values; ask for the setting's own type too.
                if source == .commandLine, let typed = try? provider.value(forKey: key, type: setting.valueType), typed.value != nil {
                    return setting.flag ?? setting.rawValue
                }
                continue
            }
            switch source {
            case .commandLine: return setting.flag ?? setting.rawValue
            case .environment: return setting.environmentName
            case .secretsDirectory(let directory): return directory + "/" + setting.rawValue
            }
        }
        return nil
    }

    /// Every setting, its value as it may be shown, and its origin.
    public func resolved() -> [Resolved] {
        Setting.allCases.map { setting in
            if setting == .secretsDirectory {
                return Resolved(setting: setting, shown: secretsDirectory?.path, origin: secretsDirectory?.origin)
            }
            let shown: String?
            if setting.isSecret {
                shown = reader.string(forKey: setting.key, isSecret: true) == nil ? nil : "<redacted>"
            } else {
                switch setting.valueType {
                case .int: shown = reader.int(forKey: setting.key).map(String.init) ?? reader.string(forKey: setting.key)
                case .bool: shown = reader.bool(forKey: setting.key).map(String.init) ?? reader.string(forKey: setting.key)
                default: shown = reader.string(forKey: setting.key)
                }
            }
            return Resolved(setting: setting, shown: shown.map(Self.withoutURLPassword), origin: shown == nil ? nil : origin(of: setting))
        }
    }

    /// `scheme://user:secret@host` shown as `scheme://user:<redacted>@host`:
    /// `serve` refuses a password in a URL, but `--print-config` prints
    /// before it checks.
    static func withoutURLPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":<redacted>" + String(text[at...])
    }
}
