import ArgumentParser
import AsyncHTTPClient
import Foundation
import GuestAccessCore
import GuestAccessProviders
import GuestAccessServer
import GuestAccessService

/// `guest-access provider check URL --order NUMBER`: the provider kit's
/// conformance checker, for storefront teams building the provider endpoint.
struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider",
        abstract: "Work with a storefront's order-detail provider.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call a provider endpoint as guest-access does and report every deviation from the provider contract.",
            discussion: "The credential comes from --credential-file or GUEST_ACCESS_PROVIDER_CREDENTIAL. Exits 1 on any deviation."
        )

        @Argument(help: "The provider's base URL (guest-access calls BASE/orders/NUMBER).") var url: String
        @Option(help: "An order number the storefront knows.") var order: String
        @Option(name: .customLong("credential-file"), help: "File holding the provider's bearer credential.") var credentialFile: String?
        @Option(help: "Seconds guest-access waits for the provider (policy provider.timeoutSeconds).") var timeout = 5
        @Option(name: .customLong("max-bytes"), help: "Largest answer accepted (policy provider.maxResponseBytes).")
        var maxBytes = 1_048_576

        func run() async throws {
            let credential: String
            do {
                if let credentialFile {
                    credential = try ServiceSettings.readSecretFile(credentialFile, what: "provider credential file")
                } else if let value = ProcessInfo.processInfo.environment["GUEST_ACCESS_PROVIDER_CREDENTIAL"], !value.isEmpty {
                    credential = value
                } else {
                    throw StartupError("a credential is needed: --credential-file or GUEST_ACCESS_PROVIDER_CREDENTIAL")
                }
            } catch {
                reportFailure("\(error)")
                throw ExitCode.failure
            }
            guard OrderNumber.isWellFormed(order), URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) == true else {
                reportFailure("give an http(s) URL and a well-formed order number")
                throw ExitCode.failure
            }
            let client = HTTPOrderProvider.makeClient()
            let findings = await ProviderConformance(
                client: client,
                baseURL: url,
                credential: credential,
                timeoutSeconds: timeout,
                maxResponseBytes: maxBytes
            ).check(knownOrder: order)
            try? await client.shutdown()
            for finding in findings { print("\(finding.passed ? "ok  " : "FAIL") \(finding.check): \(finding.detail)") }
            let failed = findings.filter { !$0.passed }.count
            print(failed == 0 ? "provider conforms (\(findings.count) checks)" : "\(failed) of \(findings.count) checks failed")
            if failed > 0 { throw ExitCode.failure }
        }
    }
}
