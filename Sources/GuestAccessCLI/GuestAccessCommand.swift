public import ArgumentParser

/// `guest-access`: the service and the operator's tools.
public struct GuestAccessCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "guest-access",
        abstract: "Verified guest order access for storefronts.",
        subcommands: [ServeCommand.self, DemoCommand.self, KeysCommand.self, PolicyCommand.self, AuditCommand.self, ProviderCommand.self]
    )

    public init() {}
}
