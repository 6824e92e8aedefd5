// swift-tools-version:6.2
import PackageDescription

/// libFuzzer targets for guest-access's parsers, built with
/// `-sanitize=fuzzer,address` by `scripts/fuzz` (kept out of the main
/// package: the sanitizer flags apply to the whole build).
let package = Package(
    name: "guest-access-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "guest-access", path: "..")],
    targets: [
        .executableTarget(
            name: "guest-access-fuzz",
            dependencies: [
                .product(name: "GuestAccessCore", package: "guest-access"),
                .product(name: "GuestAccessCrypto", package: "guest-access"),
                .product(name: "GuestAccessService", package: "guest-access"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
