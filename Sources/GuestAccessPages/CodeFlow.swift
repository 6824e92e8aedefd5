import Foundation

/// The order number and email a shopper typed, kept between the lookup form
/// and the code form in a sealed, HttpOnly, SameSite=Strict cookie for the
/// code's lifetime — so the code page carries no trace of them and is the
/// same page for every order and email.
struct CodeFlow: Codable, Sendable, Equatable {
    let orderNumber: String
    let email: String
    /// Seconds since 1970 after which the flow is over.
    let expires: Int

    static let purpose = "flow"

    func sealed(by signer: PageSigner) -> String {
        signer.seal(Self.purpose, Array((try? JSONEncoder().encode(self)) ?? Data()))
    }

    /// The flow in `value`, if `signer` sealed it and it has not expired.
    static func open(_ value: String, signer: PageSigner, now: Date) -> CodeFlow? {
        guard let payload = signer.open(purpose, value), let flow = try? JSONDecoder().decode(CodeFlow.self, from: Data(payload)),
            Double(flow.expires) > now.timeIntervalSince1970
        else { return nil }
        return flow
    }
}
