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
        @Option(help: "Replicas serving from one PostgreSQL database (SQLite serves one).") var replicas = 1

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
            if replicas != 1 { try printFleet(policy) }
            guard risk.isWithinBound else {
                let worst = max(risk.year.probability, risk.window.probability)
                reportFailure("the policy exceeds its guess bound: \(format(worst)) > \(format(risk.bound))")
                throw ExitCode.failure
            }
            print("within bound")
        }

        private func format(_ value: Double) -> String { String(format: "%.1e", value) }

        /// What an attacker gets from `replicas` replicas: the guess bound does not
        /// move (attempts, budgets and issuance limits live in the shared database),
        /// the per-client rate limit does (each replica keeps its own buckets).
        private func printFleet(_ policy: Policy) throws {
            guard (2...1000).contains(replicas) else {
                reportFailure("--replicas must be between 1 and 1000")
                throw ExitCode.failure
            }
            let limits = policy.rateLimits
            print("with \(replicas) replicas on one PostgreSQL database (--database postgres://…; SQLite serves one):")
            print("  code attempts, failure budgets, issuance limits: shared by the fleet; the chances above are unchanged")
            print(
                "  per-client requests: up to \(replicas * limits.perClientBurst) at once and \(replicas * limits.perClientPerSecond) a second"
                    + " (\(replicas) × rateLimits.perClientBurst \(limits.perClientBurst) and × perClientPerSecond \(limits.perClientPerSecond):"
                    + " buckets are per replica)"
            )
        }
    }
}
