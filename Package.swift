// swift-tools-version:6.1
import PackageDescription

// Module layout: docs/architecture.md. Each target has one job; the CLI holds no logic.
let package = Package(
    name: "Slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 (revision names, S3 checksums) and HMAC (SigV4): Foundation on Linux has neither.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CYaml", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),

        .target(name: "SlipwayYAML", dependencies: ["CYaml"]),
        .target(name: "SlipwayProcess"),
        .target(name: "SlipwayEvents"),
        .target(name: "SlipwayArchive", dependencies: [
            "CArchive", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SlipwayCore", dependencies: [
            "SlipwayYAML", "SlipwayProcess", "SlipwayEvents", "SlipwayArchive",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "slipway", dependencies: [
            "SlipwayCore", "SlipwayEvents", "SlipwayYAML",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "SlipwayYAMLTests", dependencies: ["SlipwayYAML"]),
        .testTarget(name: "SlipwayProcessTests", dependencies: ["SlipwayProcess"]),
        .testTarget(name: "SlipwayEventsTests", dependencies: ["SlipwayEvents"]),
        .testTarget(name: "SlipwayArchiveTests", dependencies: ["SlipwayArchive", "CArchive"]),
        .testTarget(name: "SlipwayCoreTests", dependencies: ["SlipwayCore", "SlipwayProcess", "SlipwayEvents", "SlipwayYAML"]),
        .testTarget(name: "SlipwayCLITests", dependencies: ["SlipwayCore"]),
    ],
    swiftLanguageModes: [.v6]
)
