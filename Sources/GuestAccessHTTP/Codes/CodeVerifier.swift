import Foundation
import GuestAccessCore
import GuestAccessCrypto

/// One verify attempt: inside the store's write transaction, compute the
/// email and code digests under the stored row's key and compare both in
/// constant time — on every path, the decoy included — then let
/// `CodeVerification` decide.
public struct CodeVerifier<Codes: AccessCodeStore>: Sendable {
    let codes: Codes
    let policy: Policy

    public init(codes: Codes, policy: Policy) {
        self.codes = codes
        self.policy = policy
    }

    /// `audit` is recorded in the attempt's transaction, its kind and detail set from the decision.
    public func verify(
        orderNumber: String, email: String, code: String, keyring: Keyring, now: Date, audit: AuditEvent
    ) async throws(StoreError) -> VerifyDecision {
        let policy = policy
        return try await codes.attempt(orderNumber: orderNumber, audit: audit) { stored, budget in
            let known = keyring.key(kid: stored.kid)
            // An unknown (retired, or the decoy's empty) key id still costs the same HMACs.
            let key = known ?? keyring.active
            let emailMatches = ConstantTime.equals(Digests.email(email, key: key), stored.emailDigest)
            let codeMatches = ConstantTime.equals(Digests.code(code, orderNumber: orderNumber, key: key), stored.codeDigest)
            return CodeVerification.decide(
                code: stored, budget: budget, emailMatches: emailMatches && known != nil, codeMatches: codeMatches && known != nil,
                now: now, policy: policy)
        }
    }
}
