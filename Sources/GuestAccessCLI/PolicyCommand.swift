import ArgumentParser
import Foundation
import GuestAccessCore
import GuestAccessPolicy
import GuestAccessServer
import GuestAccessService

/// `guest-access policy check [FILE]`.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with policy files.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy and print the worst-case chance of guessing one order's code."
        )
        @Argument(help: "Policy file (default: policy/default.yaml, embedded in the binary).") var file: String?

        func run() throws {
            let policy: Policy
            do {
                policy = try PolicyLoader.load(file)
            } catch {
                reportFailure(error.description)
                throw ExitCode.failure
            }
            let risk = GuessRisk(policy: policy)
            print("policy \(file ?? "(built-in default)") is valid")
            print("worst-case chance that an attacker guesses one order's code:")
            print(
                "  over a year of trying:                \(format(risk.year.probability))  (\(risk.year.guesses) guesses / 10^6; \(risk.year.limit))"
            )
            print(
                "  over the order's whole access window: \(format(risk.window.probability))  (\(risk.window.guesses) guesses / 10^6; \(risk.window.limit))"
            )
            print("bound (risk.maxGuessProbabilityPerYear): \(format(risk.bound))")
            guard risk.isWithinBound else {
                let worst = max(risk.year.probability, risk.window.probability)
                reportFailure("the policy exceeds its guess bound: \(format(worst)) > \(format(risk.bound))")
                throw ExitCode.failure
            }
            print("within bound")
        }

        private func format(_ value: Double) -> String { String(format: "%.1e", value) }
    }
}
