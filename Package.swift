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
        // Target type `lambda`: alias traffic shifting with hooks (Plugins/Lambda).
        .library(name: "SlipwayLambda", type: .dynamic, targets: ["SlipwayLambda"]),
        // Target type `ecs`: blue/green task sets behind a load balancer (Plugins/ECS).
        .library(name: "SlipwayECS", type: .dynamic, targets: ["SlipwayECS"]),
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
        // libzstd directly (tzst): single-threaded zstd on a thread of our own, see ZstdStreamWriter.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // libcurl's easy API: the AWS HTTP transport (docs/architecture.md, "One HTTP transport").
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The C header that is the whole contract between the runner and plugins.
        .target(name: "SlipwayPluginABI"),
        // The one JSON value type, shared by the runner (as ConfigValue) and the plugin SDK.
        .target(name: "SlipwayJSON"),

        .target(name: "SlipwayYAML", dependencies: ["CYaml"]),
        .target(name: "SlipwayProcess"),
        .target(name: "SlipwayEvents"),
        .target(name: "SlipwayArchive", dependencies: [
            "CArchive", "CZlib", "CZstd", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SlipwayAWS", dependencies: ["CCurl", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SlipwayCore", dependencies: [
            "SlipwayYAML", "SlipwayProcess", "SlipwayEvents", "SlipwayArchive", "SlipwayAWS", "SlipwayPluginABI",
            "SlipwayJSON",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // CodeDeploy-compatible host lifecycle: appspec, planner, transports (docs/architecture.md).
        .target(name: "SlipwayHost", dependencies: ["SlipwayYAML", "SlipwayProcess", "SlipwayArchive"]),
        .target(name: "SlipwayAppSpec", dependencies: ["SlipwayYAML"]),
        .target(name: "SlipwayPluginKit", dependencies: ["SlipwayPluginABI", "SlipwayJSON"]),
        // The ssm host transport: SendCommand + presigned S3 bundles (needs SlipwayAWS, which SlipwayHost does not).
        .target(name: "SlipwaySSM", dependencies: ["SlipwayHost", "SlipwayAWS", "SlipwayProcess", "SlipwayArchive"]),
        .target(name: "SlipwayEC2", dependencies: ["SlipwayPluginKit", "SlipwayHost", "SlipwayAWS",
                                                  "SlipwaySSM"], path: "Plugins/EC2"),
        .target(name: "SlipwayLambda", dependencies: ["SlipwayPluginKit", "SlipwayAWS", "SlipwayAppSpec"], path: "Plugins/Lambda"),
        .target(name: "SlipwayECS", dependencies: ["SlipwayPluginKit", "SlipwayAWS", "SlipwayAppSpec", "SlipwayArchive", "SlipwayProcess"],
                path: "Plugins/ECS"),
        .target(name: "SlipwayTestPlugin", dependencies: ["SlipwayPluginKit"], path: "Tests/Plugins/SlipwayTestPlugin"),
        .executableTarget(name: "slipway", dependencies: [
            "SlipwayCore", "SlipwayEvents", "SlipwayYAML", "SlipwayHost",
            "SlipwayAppSpec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "SlipwayYAMLTests", dependencies: ["SlipwayYAML"]),
        .testTarget(name: "SlipwayJSONTests", dependencies: ["SlipwayJSON"]),
        .testTarget(name: "SlipwayProcessTests", dependencies: ["SlipwayProcess"]),
        .testTarget(name: "SlipwayHostTests", dependencies: ["SlipwayHost", "SlipwayYAML", "SlipwayProcess", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwayEventsTests", dependencies: ["SlipwayEvents"]),
        .testTarget(name: "SlipwayArchiveTests", dependencies: ["SlipwayArchive", "CArchive", "CZstd"]),
        // Real services for tests: moto_server, a tiny HTTP server for fake endpoints.
        .target(name: "SlipwayTestSupport", dependencies: ["SlipwayAWS"], path: "Tests/SlipwayTestSupport"),
        .testTarget(name: "SlipwayAWSTests", dependencies: ["SlipwayAWS", "SlipwayTestSupport",
                                                            .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SlipwayCoreTests", dependencies: ["SlipwayCore", "SlipwayProcess", "SlipwayEvents", "SlipwayYAML",
                                                             "SlipwayAWS", "SlipwayHost", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwayLambdaTests", dependencies: ["SlipwayCore", "SlipwayAWS", "SlipwayAppSpec", "SlipwayYAML",
                                                               "SlipwayEvents", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwaySSMTests", dependencies: ["SlipwaySSM", "SlipwayHost", "SlipwayAWS", "SlipwayProcess", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwayECSTests", dependencies: ["SlipwayCore", "SlipwayAWS", "SlipwayAppSpec", "SlipwayYAML", "SlipwayTestSupport"]),
        .testTarget(name: "SlipwayCLITests", dependencies: ["SlipwayCore", "SlipwayAWS", "SlipwayTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
