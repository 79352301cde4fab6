import Testing
@testable import SlipwayCore

@Suite("Plugin versions and ranges")
struct PluginVersionRangeTests {
    @Test(arguments: [
        ("1.2.3", "1.2.3"), ("v0.0.1", "0.0.1"), ("2.0.0-rc.1+build.7", "2.0.0-rc.1+build.7"),
    ])
    func validVersionsParse(text: String, printed: String) throws {
        #expect(try #require(SemanticVersion(text)).description == printed)
    }

    @Test(arguments: ["1.2", "1.2.3.4", "01.2.3", "1.2.x", "", "a.b.c", "1.2.3-", "1.2.3-rc..1"])
    func invalidVersionsDoNotParse(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test func precedenceFollowsSemVer() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                       "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        #expect(versions.sorted() == versions)
        #expect(SemanticVersion("1.0.0+a") == SemanticVersion("1.0.0+b"))
    }

    @Test(arguments: [
        (">=1.2.0 <2.0.0", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0", "2.0.0-rc.1"]),
        (">= 1.2.0 < 2.0.0", ["1.5.0"], ["2.1.0"]),
        ("^1.2.0", ["1.2.0", "1.99.0"], ["1.1.0", "2.0.0", "1.3.0-beta"]),
        ("^1.0", ["1.0.0", "1.4.2"], ["0.9.0", "2.0.0"]),
        ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4"]),
        ("~1.2.3", ["1.2.3", "1.2.10"], ["1.3.0", "1.2.2"]),
        ("~1.2", ["1.2.0", "1.2.5"], ["1.3.0"]),
        ("1.2.3", ["1.2.3", "1.2.3+meta"], ["1.2.4", "1.2.3-rc.1"]),
        ("1.x", ["1.0.0", "1.9.0"], ["2.0.0", "0.9.9"]),
        ("1.2.x", ["1.2.0", "1.2.7"], ["1.3.0"]),
        ("1", ["1.5.0"], ["2.0.0"]),
        ("*", ["0.0.1", "99.0.0"], ["1.0.0-rc.1"]),
        (">1.2", ["1.3.0"], ["1.2.9"]),
        ("<=1.2", ["1.2.9", "0.1.0"], ["1.3.0"]),
        ("^1.2.0-beta.2", ["1.2.0-beta.3", "1.2.0", "1.5.0"], ["1.2.0-beta.1", "1.3.0-beta.9"]),
        ("^1.0 || ^3.0", ["1.1.0", "3.2.0"], ["2.0.0"]),
    ])
    func rangesContainExactlyTheExpectedVersions(range: String, inside: [String], outside: [String]) throws {
        let parsed = try #require(VersionRange(range))
        for version in inside {
            #expect(parsed.contains(try #require(SemanticVersion(version))), "\(version) should satisfy \(range)")
        }
        for version in outside {
            #expect(!parsed.contains(try #require(SemanticVersion(version))), "\(version) should not satisfy \(range)")
        }
    }

    @Test(arguments: ["", ">=", "^x.1", "1.x.3", "abc", "1.2.3.4", "^1.0 ||", ">=1.0.0 <"])
    func malformedRangesDoNotParse(text: String) {
        #expect(VersionRange(text) == nil)
    }

    @Test func pinsAreCheckedAgainstLoadedPlugins() throws {
        let registry = try PluginRegistry(scan: PluginScan(searched: ["/x"], plugins: [try PluginFixtures.loadSwiftTestPlugin()]))
        try registry.verify(pins: ["slipway-test": try #require(VersionRange("^1.4"))])
        #expect(throws: PluginLoadError.versionMismatch(name: "slipway-test", version: SemanticVersion(1, 4, 2), required: "^2.0",
                                                        path: PluginFixtures.swiftTestPluginPath)) {
            try registry.verify(pins: ["slipway-test": try #require(VersionRange("^2.0"))])
        }
        #expect(throws: PluginLoadError.pluginNotLoaded(name: "ec2", searched: ["/x"])) {
            try registry.verify(pins: ["ec2": try #require(VersionRange("*"))])
        }
    }
}
