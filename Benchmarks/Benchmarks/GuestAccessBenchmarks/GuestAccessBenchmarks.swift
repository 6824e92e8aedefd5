import Benchmark
import CRawOpenSSL
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessPolicy
import GuestAccessService

/// Micro-benchmarks of the hot crypto and masking paths, each beside a raw
/// OpenSSL HMAC-SHA256 one-shot over the same bytes, measured in the same run.
/// Run: `cd Benchmarks && swift package --allow-writing-to-package-directory benchmark`
/// (see BENCHMARKS.md).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let keyring = try! Keyring(document: .generate())
    let issuer = AccessTokenIssuer(policy: Policy.default.accessTokens)
    let token = issuer.issue(orderNumber: "ORD-2026-0042", keyring: keyring, now: Date())
    let signingInput = Array(token.split(separator: ".").prefix(2).joined(separator: ".").utf8)
    let rawKey = SecureRandom.bytes(32)
    let key = keyring.active

    Benchmark("raw OpenSSL HMAC-SHA256 (token signing input)") { benchmark in
        var out = [UInt8](repeating: 0, count: 32)
        for _ in benchmark.scaledIterations {
            let ok = rawKey.withUnsafeBufferPointer { keyBytes in
                signingInput.withUnsafeBufferPointer { message in
                    out.withUnsafeMutableBufferPointer { output in
                        raw_hmac_sha256(keyBytes.baseAddress, Int32(keyBytes.count), message.baseAddress, message.count, output.baseAddress)
                    }
                }
            }
            blackHole(ok)
        }
        blackHole(out)
    }

    Benchmark("token sign (HS256 access token)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(issuer.issue(orderNumber: "ORD-2026-0042", keyring: keyring, now: Date()))
        }
    }

    Benchmark("token verify (signature and claims)") { benchmark in
        for _ in benchmark.scaledIterations {
            let claims = try? AccessTokenCodec.verifySignature(token, keyring: keyring)
            blackHole(try? claims?.verify(issuer: "guest-access", audience: "guest-access-storefront", now: Date(), leeway: 30))
        }
    }

    Benchmark("code digest (HMAC of order and code)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Digests.code("482913", orderNumber: "ORD-2026-0042", key: key))
        }
    }

    Benchmark("deadline met (withDeadline around an operation that returns at once)") { benchmark async in
        for index in benchmark.scaledIterations {
            blackHole(try? await withDeadline(.seconds(10)) { index })
        }
    }

    Benchmark("email mask") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(EmailMask.mask("jane.doe@example.com"))
        }
    }
}
