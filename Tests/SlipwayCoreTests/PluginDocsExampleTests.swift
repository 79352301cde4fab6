import Foundation
import Testing
@testable import SlipwayCore

/// The minimal C plugin printed in docs/plugin-abi.md must build, load and answer as described,
/// so the page stays a working starting point.
@Suite("Plugin ABI documentation example")
struct PluginDocsExampleTests {
    static func exampleSource() throws -> String {
        let page = try String(contentsOfFile: PluginFixtures.repoRoot + "/docs/plugin-abi.md", encoding: .utf8)
        let marker = "```c\n#include <string.h>"
        let start = try #require(page.range(of: marker))
        let end = try #require(page.range(of: "```", range: start.upperBound..<page.endIndex))
        return String(page[page.index(start.lowerBound, offsetBy: 4)..<end.lowerBound])
    }

    @Test func theMinimalCPluginBuildsLoadsAndAnswers() async throws {
        let folder = try PluginFixtures.temporaryFolder("docs-example")
        let path = try PluginFixtures.buildCLibrary(source: try Self.exampleSource(), name: "libslipway-hello.so", in: folder)
        let plugin = try PluginLoader().load(path: path)
        #expect(plugin.manifest.name == "hello")
        #expect(plugin.manifest.targetType("hello")?.primitives == .fleet)

        let config: ConfigValue = .object([:])
        let discovered = try await plugin.call("discover", PluginFixtures.params("hello", config: config))
        #expect(discovered["hosts"]?.arrayValue?.first?["id"] == .string("one"))

        let log = PluginEventLog()
        let deployed = try await plugin.call("deployHost", PluginFixtures.params("hello", config: config), events: log)
        #expect(deployed["status"] == .string("succeeded"))
        #expect(log.events == [PluginEvent(level: .info, message: "hello", host: "one")])

        let planned = try await plugin.call("deployHost", PluginFixtures.params("hello", config: config, plan: true))
        #expect(planned["plan"] == .array([.string("say hello to host one")]))

        let cancelled = await #expect(throws: PluginCallError.self) {
            try await plugin.call("deployHost", params: PluginFixtures.params("hello", config: config),
                                  events: { _ in }, isCancelled: { true })
        }
        #expect(cancelled?.code == "cancelled")
    }
}
