import ArgumentParser
import Foundation
import GuestAccessCore
import GuestAccessHTTP

/// `guest-access policy check [FILE]`.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with policy files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy and print the worst-case chance of guessing one order's code.")
        @Argument(help: "Policy file (default: the compiled-in default policy).") var file: String?

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
            print("worst-case chance of guessing one order's code over a year: \(format(risk.probabilityPerYear))")
            print("  = \(risk.guessesPerYear) guesses / 10^6, limited by \(risk.bindingLimit)")
            print("bound (risk.maxGuessProbabilityPerYear): \(format(risk.bound))")
            guard risk.isWithinBound else {
                reportFailure("the policy exceeds its guess bound: \(format(risk.probabilityPerYear)) > \(format(risk.bound))")
                throw ExitCode.failure
            }
            print("within bound")
        }

        private func format(_ value: Double) -> String { String(format: "%.1e", value) }
    }
}
