// swift-tools-version:6.1
import PackageDescription

// Module layout: docs/architecture.md. Each target has one job; the CLI holds no logic.
let package = Package(
    name: "Slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"]),
        // The Swift SDK third parties build their plugins with.
        .library(name: "SlipwayPluginKit", targets: ["SlipwayPluginKit"]),
        // A plugin with injectable failures that the tests load like any other (dlopen).
        .library(name: "SlipwayTestPlugin", type: .dynamic, targets: ["SlipwayTestPlugin"]),
        // Target type `ec2`: CodeDeploy's in-place lifecycle on hosts (Plugins/EC2).
        .library(name: "SlipwayEC2", type: .dynamic, targets: ["SlipwayEC2"]),
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
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The C header that is the whole contract between the runner and plugins.
        .target(name: "SlipwayPluginABI"),
        // The one JSON value type, shared by the runner (as ConfigValue) and the plugin SDK.
        .target(name: "SlipwayJSON"),

        .target(name: "SlipwayYAML", dependencies: ["CYaml"]),
        .target(name: "SlipwayProcess"),
        .target(name: "SlipwayEvents"),
        .target(name: "SlipwayArchive", dependencies: [
            "CArchive", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SlipwayAWS", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SlipwayCore", dependencies: [
            "SlipwayYAML", "SlipwayProcess", "SlipwayEvents", "SlipwayArchive", "SlipwayAWS", "SlipwayPluginABI",
            "SlipwayJSON",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // CodeDeploy-compatible host lifecycle: appspec, planner, transports (docs/architecture.md).
        .target(name: "SlipwayHost", dependencies: ["SlipwayYAML", "SlipwayProcess", "SlipwayArchive"]),
        .target(name: "SlipwayPluginKit", dependencies: ["SlipwayPluginABI", "SlipwayJSON"]),
        .target(name: "SlipwayEC2", dependencies: ["SlipwayPluginKit", "SlipwayHost", "SlipwayAWS"], path: "Plugins/EC2"),
        .target(name: "SlipwayTestPlugin", dependencies: ["SlipwayPluginKit"], path: "Tests/Plugins/SlipwayTestPlugin"),
        .executableTarget(name: "slipway", dependencies: [
            "SlipwayCore", "SlipwayEvents", "SlipwayYAML", "SlipwayHost",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "SlipwayYAMLTests", dependencies: ["SlipwayYAML"]),
        .testTarget(name: "SlipwayJSONTests", dependencies: ["SlipwayJSON"]),
        .testTarget(name: "SlipwayProcessTests", dependencies: ["SlipwayProcess"]),
        .testTarget(name: "SlipwayHostTests", dependencies: ["SlipwayHost", "SlipwayYAML", "SlipwayProcess", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwayEventsTests", dependencies: ["SlipwayEvents"]),
        .testTarget(name: "SlipwayArchiveTests", dependencies: ["SlipwayArchive", "CArchive"]),
        // Real services for tests: moto_server, a tiny HTTP server for fake endpoints.
        .target(name: "SlipwayTestSupport", dependencies: ["SlipwayAWS"], path: "Tests/SlipwayTestSupport"),
        .testTarget(name: "SlipwayAWSTests", dependencies: ["SlipwayAWS", "SlipwayTestSupport",
                                                            .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SlipwayCoreTests", dependencies: ["SlipwayCore", "SlipwayProcess", "SlipwayEvents", "SlipwayYAML",
                                                             "SlipwayAWS", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwayCLITests", dependencies: ["SlipwayCore", "SlipwayAWS", "SlipwayTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
