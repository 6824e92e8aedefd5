// swift-tools-version:6.2
import PackageDescription

/// Benchmarks of guest-access, kept out of the main package so `swift build`
/// and CI do not build package-benchmark. See ../BENCHMARKS.md.
let package = Package(
    name: "guest-access-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "guest-access", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        /// Raw OpenSSL HMAC-SHA256, the baseline the token benchmarks are read against.
        .systemLibrary(name: "CRawOpenSSL", pkgConfig: "libcrypto"),
        /// SQLite's C API, read without GRDB in the tracking reference's raw variant.
        .systemLibrary(name: "CRawSQLite"),
        .executableTarget(
            name: "GuestAccessBenchmarks",
            dependencies: [
                "CRawOpenSSL",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GuestAccessCrypto", package: "guest-access"),
                .product(name: "GuestAccessCore", package: "guest-access"),
                .product(name: "GuestAccessService", package: "guest-access"),
                .product(name: "GuestAccessPolicy", package: "guest-access"),
            ],
            path: "Benchmarks/GuestAccessBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        /// The load test's baselines: a bare Hummingbird route, a bare route
        /// doing one commit, to SQLite (WAL, a given `synchronous`) or PostgreSQL,
        /// and a route doing a tracking lookup's own work and nothing else.
        .executableTarget(
            name: "baseline-server",
            dependencies: [
                "CRawOpenSSL",
                "CRawSQLite",
                .product(name: "GuestAccessCrypto", package: "guest-access"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
