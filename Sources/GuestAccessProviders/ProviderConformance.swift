public import AsyncHTTPClient
import Foundation
import GuestAccessCore
import NIOCore
import NIOHTTP1

/// Calls a storefront's provider endpoint the way guest-access does and
/// reports every deviation from the provider contract: `GET {baseURL}/orders/
/// {orderNumber}` with the bearer credential answers 200 with a valid
/// OrderDetail of that number (JSON, within the size limit and the timeout),
/// 404 for an unknown number, and refuses a missing or wrong credential.
public struct ProviderConformance: Sendable {
    let client: HTTPClient
    let baseURL: String
    let credential: String
    let timeoutSeconds: Int
    let maxResponseBytes: Int

    public init(client: HTTPClient, baseURL: String, credential: String, timeoutSeconds: Int, maxResponseBytes: Int) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credential = credential
        self.timeoutSeconds = timeoutSeconds
        self.maxResponseBytes = maxResponseBytes
    }

    struct Answer {
        let status: Int
        let contentType: String?
        let body: [UInt8]
        let seconds: Double
    }

    /// Runs every check against `orderNumber`, an order the storefront knows.
    public func check(knownOrder orderNumber: String) async -> [ProviderFinding] {
        var findings: [ProviderFinding] = []
        let known = await call(orderNumber, bearer: credential)
        findings += knownOrderFindings(known, orderNumber)

        let unknownNumber = "GA-CHECK-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let unknown = await call(unknownNumber, bearer: credential)
        findings.append(
            ProviderFinding(
                check: "an unknown order number answers 404",
                passed: unknown.passes { $0.status == 404 },
                detail: describe(unknown)
            )
        )
        for (name, bearer) in [("no credential", String?.none), ("a wrong credential", "wrong-" + credential)] {
            let answer = await call(orderNumber, bearer: bearer)
            findings.append(
                ProviderFinding(
                    check: "\(name) is refused with 401 or 403",
                    passed: answer.passes { [401, 403].contains($0.status) },
                    detail: describe(answer)
                )
            )
        }
        return findings
    }

    private func knownOrderFindings(_ answer: Result<Answer, ProviderCallError>, _ orderNumber: String) -> [ProviderFinding] {
        var findings = [
            ProviderFinding(check: "the known order answers 200", passed: answer.passes { $0.status == 200 }, detail: describe(answer))
        ]
        guard case .success(let known) = answer, known.status == 200 else { return findings }
        let isJSON = known.contentType?.lowercased().hasPrefix("application/json") ?? false
        findings.append(
            ProviderFinding(
                check: "the answer is application/json",
                passed: isJSON,
                detail: "Content-Type: \(known.contentType ?? "none")"
            )
        )
        findings.append(
            ProviderFinding(
                check: "the answer arrives within \(timeoutSeconds) s",
                passed: known.seconds < Double(timeoutSeconds),
                detail: String(format: "%.2f s", known.seconds)
            )
        )
        do {
            let order = try OrderDetailDecoding.decode(Data(known.body))
            findings.append(ProviderFinding(check: "the body is a valid OrderDetail", passed: true, detail: "ok"))
            findings.append(
                ProviderFinding(
                    check: "the order is the one asked for",
                    passed: order.orderNumber == orderNumber,
                    detail: "orderNumber \(order.orderNumber)"
                )
            )
        } catch {
            findings.append(ProviderFinding(check: "the body is a valid OrderDetail", passed: false, detail: error.description))
        }
        return findings
    }

    struct ProviderCallError: Error {
        let reason: String
    }

    private func call(_ orderNumber: String, bearer: String?) async -> Result<Answer, ProviderCallError> {
        var request = HTTPClientRequest(url: baseURL + "/orders/" + orderNumber)
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(timeoutSeconds) * 2))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            let elapsed = ContinuousClock.now - started
            return .success(
                Answer(
                    status: Int(response.status.code),
                    contentType: response.headers.first(name: "Content-Type"),
                    body: Array(body.readableBytesView),
                    seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                )
            )
        } catch is NIOTooManyBytesError {
            return .failure(ProviderCallError(reason: "the answer is larger than \(maxResponseBytes) bytes"))
        } catch {
            return .failure(ProviderCallError(reason: "no answer: \(error)"))
        }
    }

    private func describe(_ answer: Result<Answer, ProviderCallError>) -> String {
        switch answer {
        case .success(let answer): "HTTP \(answer.status)"
        case .failure(let error): error.reason
        }
    }
}

extension Result {
    fileprivate func passes(_ test: (Success) -> Bool) -> Bool {
        if case .success(let value) = self { return test(value) }
        return false
    }
}
