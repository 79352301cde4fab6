import Foundation
import Testing
import SlipwayTestSupport

/// Traffic shifting through the real binary and the test plugin, whose "service" is a JSON file
/// logging every primitive the runner drove.
@Suite struct TrafficCLITests {
    func project(strategy: String, extra: String = "", with: String = "") throws -> Project {
        try Project([
            "pipelines/app.yml": """
            name: app
            revision: {source: site}
            store: file://store
            stages:
              - name: fn
                type: test-traffic
                strategy: \(strategy)
            \(extra)
                with: {stateFile: service.json\(with)}
            """,
            "site/index.html": "v1\n",
        ])
    }

    func log(_ project: Project) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: project.root + "/service.json"))
        let service = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return service?["log"] as? [String] ?? []
    }

    @Test func linearWalksEveryWeightThenPromotes() async throws {
        let project = try project(strategy: "{linear: {percent: 25, interval: 1s}}",
                                  extra: "    hooks: {BeforeAllowTraffic: pre, AfterAllowTraffic: post}")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let calls = try log(project).map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        #expect(calls.filter { $0.hasPrefix("setWeight") } == ["setWeight 25", "setWeight 50", "setWeight 75", "setWeight 100"])
        #expect(calls.first?.hasPrefix("prepare") == true)
        #expect(calls.contains("hook BeforeAllowTraffic"))
        #expect(calls.suffix(2) == ["hook AfterAllowTraffic", "cleanup"])
        #expect(calls.suffix(3).first == "promote")
        #expect(result.stdout.contains("baking 25%"))
    }

    @Test func aFailingPreTrafficHookSendsNoTraffic() async throws {
        let project = try project(strategy: "CodeDeployDefault.LambdaAllAtOnce",
                                  extra: "    hooks: {BeforeAllowTraffic: checkFn}", with: ", failHooks: [checkFn]")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 3)
        let calls = try log(project)
        #expect(!calls.contains { $0.hasPrefix("setWeight") })
        #expect(calls.last?.hasPrefix("abort") == true)
        #expect(result.stdout.contains("rolledBack"))
    }

    @Test func aFlakyHTTPGateWithinItsBudgetDoesNotRollBack() async throws {
        // Every third probe fails: never two in a row, so a budget of 1 absorbs it.
        let counter = Counter()
        let server = try TestHTTPServer { _ in
            counter.next() % 3 == 1 ? .text(503, "busy") : .text(200, "ok")
        }
        defer { server.stop() }
        let project = try project(strategy: "{canary: {percent: 10, interval: 4s}}",
                                  extra: "    gates: [{http: \"\(server.baseURL)/health\", expectBody: ok, interval: 1s, failureBudget: 1}]")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(counter.value >= 3)
        #expect(try log(project).contains("promote"))
    }

    @Test func aGateBeyondItsBudgetRollsBack() async throws {
        let server = try TestHTTPServer { _ in .text(500, "down") }
        defer { server.stop() }
        let project = try project(strategy: "{canary: {percent: 10, interval: 1m}}",
                                  extra: "    gates: [{http: \"\(server.baseURL)/\", interval: 1s, failureBudget: 1}]")
        defer { project.remove() }
        let result = try await project.run(["run", "pipelines/app.yml"], environment: ["NO_COLOR": "1"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("HTTP 500, expected 200"))
        #expect(try log(project).last?.hasPrefix("abort") == true)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}

import Synchronization
