// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "guest-access",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "guest-access", targets: ["guest-access"]),
        .library(name: "GuestAccessHTTP", targets: ["GuestAccessHTTP"]),
        .library(name: "GuestAccessService", targets: ["GuestAccessService"]),
        .library(name: "GuestAccessPolicy", targets: ["GuestAccessPolicy"]),
        .library(name: "GuestAccessCore", targets: ["GuestAccessCore"]),
        .library(name: "GuestAccessCrypto", targets: ["GuestAccessCrypto"]),
        .library(name: "GuestAccessClient", targets: ["GuestAccessClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        /// OpenSSL's libcrypto (HMAC, RAND_bytes, CRYPTO_memcmp, SHA-256) from the system.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        /// SHA-256 and HMAC-SHA256 in C over libcrypto's SHA-256, the one place
        /// that uses OpenSSL's deprecated low-level digest calls (see digest.c).
        .target(
            name: "CGuestAccessDigest",
            dependencies: ["COpenSSL"],
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        /// Primitives and the keyring: no knowledge of orders or HTTP.
        .target(
            name: "GuestAccessCrypto",
            dependencies: ["COpenSSL", "CGuestAccessDigest"],
            swiftSettings: swiftSettings
        ),
        /// Domain, policy values and ports. No I/O, no Hummingbird, no SQLite, no YAML.
        .target(
            name: "GuestAccessCore",
            swiftSettings: swiftSettings
        ),
        /// The policy file: parsing and validation (Yams), and `policy/default.yaml`
        /// embedded at build time as `Policy.default`.
        .target(
            name: "GuestAccessPolicy",
            dependencies: ["GuestAccessCore", .product(name: "Yams", package: "Yams")],
            resources: [.embedInCode("Resources/default.yaml")],
            swiftSettings: swiftSettings
        ),
        /// The application: one type per use case (request, verify, track,
        /// re-fetch, sign out, mint, revoke, deliver, reload keys, prune) over the
        /// core's ports. Imports neither Hummingbird nor GRDB.
        .target(
            name: "GuestAccessService",
            dependencies: [
                "GuestAccessCore", "GuestAccessCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        /// SQLite (WAL) adapters of the core's store ports.
        .target(
            name: "GuestAccessStorage",
            dependencies: [
                "GuestAccessCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        /// PostgreSQL adapters of the core's store ports, for several replicas
        /// on one database (postgres-nio).
        .target(
            name: "GuestAccessPostgres",
            dependencies: [
                "GuestAccessCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Order-detail provider adapters: embedded JSON file and HTTP.
        .target(
            name: "GuestAccessProviders",
            dependencies: [
                "GuestAccessCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Mailer adapters.
        .target(
            name: "GuestAccessMail",
            dependencies: [
                "GuestAccessCore", "GuestAccessCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        /// HTTP only: the request context, middleware, controllers mapping use
        /// cases to responses, and the contract (`openapi.yaml`, embedded).
        .target(
            name: "GuestAccessHTTP",
            dependencies: [
                "GuestAccessCore", "GuestAccessCrypto", "GuestAccessService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.embedInCode("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        /// The hosted shopper pages (`--pages`): server-rendered HTML from
        /// mustache templates embedded in the binary, the message catalogues,
        /// the stylesheet, and the cookie session over the use cases.
        .target(
            name: "GuestAccessPages",
            dependencies: [
                "GuestAccessCore", "GuestAccessCrypto", "GuestAccessService", "GuestAccessHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Resources/head.mustache"), .embedInCode("Resources/foot.mustache"),
                .embedInCode("Resources/tracking.mustache"), .embedInCode("Resources/lookup.mustache"),
                .embedInCode("Resources/code.mustache"), .embedInCode("Resources/order.mustache"),
                .embedInCode("Resources/message.mustache"), .embedInCode("Resources/email.mustache"),
                .embedInCode("Resources/guest.css"),
                .embedInCode("Resources/messages-en.json"), .embedInCode("Resources/messages-de.json"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Assembly: settings from configuration, the adapters chosen, the
        /// services started and stopped in order (`buildApplication(reader:)`).
        .target(
            name: "GuestAccessServer",
            dependencies: [
                "GuestAccessCore", "GuestAccessCrypto", "GuestAccessPolicy", "GuestAccessService", "GuestAccessStorage",
                "GuestAccessPostgres", "GuestAccessProviders", "GuestAccessMail", "GuestAccessHTTP", "GuestAccessPages",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The Swift client for storefront backends (async-http-client).
        .target(
            name: "GuestAccessClient",
            dependencies: [
                "GuestAccessCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The command line: keys, policy, audit, serve, demo.
        .target(
            name: "GuestAccessCLI",
            dependencies: [
                "GuestAccessServer", "GuestAccessService", "GuestAccessPolicy", "GuestAccessCore", "GuestAccessCrypto",
                "GuestAccessStorage", "GuestAccessProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "guest-access",
            dependencies: ["GuestAccessCLI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GuestAccessTests",
            dependencies: [
                "guest-access", "GuestAccessCLI", "GuestAccessServer", "GuestAccessHTTP", "GuestAccessService", "GuestAccessPolicy",
                "GuestAccessClient", "GuestAccessPostgres", "GuestAccessPages", "COpenSSL", "CGuestAccessDigest",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
