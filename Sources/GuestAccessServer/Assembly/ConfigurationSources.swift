public import Configuration
import Foundation

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
    /// `GUEST_ACCESS_*` variables and secrets-directory files that name no
    /// setting: a typo would otherwise leave a setting at its default
    /// without a word.
    public let unknownVariables: [String]
    /// The secrets directory in use and what named it.
    public let secretsDirectory: (path: String, origin: String)?

    /// Largest secrets-directory file read: secrets are short, and a directory
    /// such as `/run/secrets` may hold other services' large files.
    static let maximumSecretFileBytes = 64 * 1024

    /// Layers `commandLine` (the flags given, nothing defaulted), the
    /// `GUEST_ACCESS_*` variables of `environment`, and the secrets directory
    /// named by `--secrets-dir`, `GUEST_ACCESS_SECRETS_DIR` or systemd's
    /// `CREDENTIALS_DIRECTORY`. A secret and its `…-file` setting are one
    /// setting for precedence: the higher source's form wins and the other
    /// is dropped (a `--admin-key-file` flag wins over an `admin-key` file in
    /// the credentials directory); both from one source is left for
    /// `ServiceSettings` to refuse.
    public static func load(
        commandLine: [Setting: ConfigContent],
        environment fullEnvironment: [String: String]
    ) async throws(StartupError) -> ConfigurationSources {
        var environment = fullEnvironment.filter { $0.key.hasPrefix("GUEST_ACCESS_") }
        var secrets: (path: String, origin: String)?
        if case .string(let path)? = commandLine[.secretsDirectory] {
            secrets = (path, "--secrets-dir")
        } else if let path = environment[Setting.secretsDirectory.environmentName] {
            secrets = (path, Setting.secretsDirectory.environmentName)
        } else if let path = fullEnvironment["CREDENTIALS_DIRECTORY"] {
            secrets = (path, "CREDENTIALS_DIRECTORY")
        }
        var directoryValues: [Setting: String] = [:]
        var unknownFiles: [String] = []
        if let directory = secrets?.path {
            (directoryValues, unknownFiles) = try readSecretsDirectory(directory)
        }
        // One secret, two forms: keep the form of the highest source.
        for secret in Setting.allCases where secret.isSecret {
            guard let file = secret.fileSetting else { continue }
            func layer(_ setting: Setting) -> Int? {
                if commandLine[setting] != nil { return 0 }
                if environment[setting.environmentName] != nil { return 1 }
                if directoryValues[setting] != nil { return 2 }
                return nil
            }
            guard let valueLayer = layer(secret), let fileLayer = layer(file), valueLayer != fileLayer else { continue }
            let loser = valueLayer < fileLayer ? file : secret
            switch max(valueLayer, fileLayer) {
            case 1: environment[loser.environmentName] = nil
            default: directoryValues[loser] = nil
            }
        }
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (setting, content) in commandLine {
            precondition(!setting.isSecret, "a secret never comes from the command line")
            values[AbsoluteConfigKey(setting.key)] = ConfigValue(content, isSecret: false)
        }
        var layers: [(Source, any ConfigProvider)] = [(.commandLine, InMemoryProvider(name: "command line", values: values))]
        let secretVariables = Set(Setting.allCases.filter(\.isSecret).map(\.environmentName))
        layers.append(
            (
                .environment,
                EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(secretVariables))
                    .prefixKeys(with: "guest-access")
            )
        )
        if let directory = secrets?.path {
            var fileValues: [AbsoluteConfigKey: ConfigValue] = [:]
            for (setting, text) in directoryValues {
                fileValues[AbsoluteConfigKey(setting.key)] = ConfigValue(.string(text), isSecret: setting.isSecret)
            }
            layers.append((.secretsDirectory(directory), InMemoryProvider(name: "secrets directory", values: fileValues)))
        }
        let known = Set(Setting.allCases.map(\.environmentName))
        let unknown = environment.keys.filter { !known.contains($0) }.sorted() + unknownFiles.map { (secrets?.path ?? "") + "/" + $0 }
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

    /// Reads the files of a secrets directory that are named after a
    /// setting; returns them and the names of the other entries (hidden
    /// ones, such as Kubernetes' `..data`, aside). Symbolic links are
    /// followed, as Kubernetes mounts each secret as a link into a hidden
    /// directory, but only to regular files. (swift-configuration's
    /// `DirectoryFilesProvider` skips links, so a Kubernetes secret would be
    /// silently missing.) The directory must belong to this user or root and
    /// no file in it may be writable by group or others: whoever can write
    /// there can set the mailer, the provider URL or a key.
    static func readSecretsDirectory(_ path: String) throws(StartupError) -> ([Setting: String], [String]) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StartupError("secrets directory \(path) does not exist or is not a directory")
        }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw StartupError("secrets directory \(path) belongs to another user (uid \(info.st_uid))")
        }
        guard UInt32(info.st_mode) & 0o022 == 0 else {
            throw StartupError(
                "secrets directory \(path) is writable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))): run `chmod go-w \(path)`"
            )
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
            throw StartupError("secrets directory \(path) cannot be read")
        }
        var values: [Setting: String] = [:]
        var unknown: [String] = []
        for name in names where !name.hasPrefix(".") {
            guard let setting = Setting(rawValue: name), setting != .secretsDirectory else {
                unknown.append(name)
                continue
            }
            let file = path + "/" + name
            var fileInfo = stat()
            guard stat(file, &fileInfo) == 0, (fileInfo.st_mode & S_IFMT) == S_IFREG else {
                throw StartupError("secrets directory \(path): \(name) is not a regular file")
            }
            guard UInt32(fileInfo.st_mode) & 0o022 == 0 else {
                throw StartupError("secrets directory \(path): \(name) is writable by group or others: run `chmod go-w \(file)`")
            }
            guard Int(fileInfo.st_size) <= maximumSecretFileBytes, let data = FileManager.default.contents(atPath: file),
                let text = String(data: data, encoding: .utf8)
            else {
                throw StartupError(
                    "secrets directory \(path): \(name) cannot be read, or is larger than \(maximumSecretFileBytes / 1024) KiB"
                )
            }
            values[setting] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return (values, unknown)
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

    /// `scheme://user:secret@host` shown as `scheme://user:<redacted>@host`,
    /// and `scheme://token@host` as `scheme://<redacted>@host`: `serve`
    /// refuses user information in its URLs, but `--print-config` prints
    /// before it checks. The user information is taken to end at the last
    /// `@` (a password may hold `/`, `?` or `#`), so an `@` further on in a
    /// path or query redacts more than needed, never less.
    static func withoutURLPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        // Found as code points: a combining mark after `@` or `:` joins it into one character a character search misses.
        guard let at = rest.unicodeScalars.lastIndex(of: "@") else { return text }
        if let colon = rest.unicodeScalars[..<at].firstIndex(of: ":") {
            return String(text[..<colon]) + ":<redacted>" + String(text[at...])
        }
        return String(text[..<scheme.upperBound]) + "<redacted>" + String(text[at...])
    }
}
