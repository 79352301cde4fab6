import Foundation
import Synchronization
import Testing
import SlipwayEvents
@testable import SlipwayCore

/// Records every primitive call; fails the hosts and steps it is told to.
final class FakeFleet: FleetPrimitives {
    let calls = Mutex<[String]>([])
    let failing: Set<String>
    let controlsTraffic: Bool

    init(failing: Set<String> = [], controlsTraffic: Bool = false) {
        self.failing = failing
        self.controlsTraffic = controlsTraffic
    }

    var log: [String] { calls.withLock { $0 } }

    func discover() async throws(PrimitiveError) -> [FleetHost] { [] }

    func deployHost(_ host: FleetHost, revision: RevisionRef, previous: RevisionRef?) async throws(PrimitiveError) {
        calls.withLock { $0.append("deploy \(host.id) \(revision.sha256)") }
        if failing.contains(host.id), revision.sha256 == "new" { throw PrimitiveError(message: "ValidateService failed on \(host.id)") }
    }

    func blockTraffic(_ host: FleetHost) async throws(PrimitiveError) { calls.withLock { $0.append("block \(host.id)") } }
    func allowTraffic(_ host: FleetHost) async throws(PrimitiveError) { calls.withLock { $0.append("allow \(host.id)") } }
}

final class FakeTraffic: TrafficPrimitives {
    let calls = Mutex<[String]>([])
    let failHooks: Set<String>
    let supportsTestTraffic: Bool
    var supportsHooks: Bool { true }

    init(failHooks: Set<String> = [], testTraffic: Bool = false) {
        self.failHooks = failHooks
        self.supportsTestTraffic = testTraffic
    }

    var log: [String] { calls.withLock { $0 } }

    func prepare(_ revision: RevisionRef) async throws(PrimitiveError) -> String {
        calls.withLock { $0.append("prepare") }
        return "version 2"
    }
    func setWeight(_ percent: Int) async throws(PrimitiveError) { calls.withLock { $0.append("weight \(percent)") } }
    func promote() async throws(PrimitiveError) { calls.withLock { $0.append("promote") } }
    func cleanup() async throws(PrimitiveError) { calls.withLock { $0.append("cleanup") } }
    func abort() async throws(PrimitiveError) { calls.withLock { $0.append("abort") } }
    func allowTestTraffic() async throws(PrimitiveError) { calls.withLock { $0.append("test traffic") } }
    func runHook(_ event: String, hooks: [String]) async throws(PrimitiveError) {
        calls.withLock { $0.append("hook \(event)") }
        if failHooks.contains(event) { throw PrimitiveError(message: "\(hooks[0]) reported Failed") }
    }
}

final class MemoryRecorder: RolloutRecorder {
    let entries = Mutex<[String]>([])
    func hostFinished(_ outcome: HostOutcome) async { entries.withLock { $0.append("host \(outcome.host) \(outcome.status.rawValue)") } }
    func weightSet(_ percent: Int) async { entries.withLock { $0.append("weight \(percent)") } }
    func phase(_ name: String) async { entries.withLock { $0.append(name) } }
}

/// A gate probe that answers from a script, then keeps passing.
final class ScriptedProbe: GateProbe {
    let answers: Mutex<[Bool]>
    init(_ answers: [Bool]) { self.answers = Mutex(answers) }
    func probe() async -> GateOutcome {
        let passed = answers.withLock { $0.isEmpty ? true : $0.removeFirst() }
        return passed ? .pass("ok") : .fail("HTTP 503")
    }
}

let newRevision = RevisionRef(sha256: "new", format: "tgz", archive: "/tmp/new.tgz", location: "file:///s/new")
let oldRevision = RevisionRef(sha256: "old", format: "tgz", archive: "/tmp/old.tgz", location: "file:///s/old")

func hosts(_ count: Int) -> [FleetHost] {
    (1...count).map { FleetHost(id: "h\($0)", revision: "old") }
}

func fleet(_ minimum: MinimumHealthyHosts, _ primitives: FakeFleet, previous: RevisionRef? = oldRevision,
           gates: GateMonitor? = nil) -> FleetRollout {
    FleetRollout(stage: "web", minimum: minimum, primitives: primitives, revision: newRevision, previous: previous,
                 gates: gates, sink: RecordingSink(), recorder: MemoryRecorder(), isCancelled: { false })
}

@Suite struct FleetRolloutTests {
    @Test func ordersUnhealthyUnknownOldThenCurrent() {
        let input = [
            FleetHost(id: "current", revision: "new"),
            FleetHost(id: "old", revision: "old"),
            FleetHost(id: "unknown", revision: nil),
            FleetHost(id: "sick", revision: "new", healthy: false),
        ]
        #expect(FleetRollout.ordered(input, revision: "new").map(\.id) == ["sick", "unknown", "old", "current"])
    }

    @Test(arguments: [(MinimumHealthyHosts.allButOne, 3), (.fleetPercent(50), 9), (.hostCount(0), 5), (.hostCount(8), 10)])
    func everyHostIsDeployedInPlanBatches(_ minimum: MinimumHealthyHosts, _ count: Int) async throws {
        let primitives = FakeFleet()
        let result = await fleet(minimum, primitives).run(hosts: hosts(count))
        #expect(result.status == .succeeded)
        #expect(result.hosts.count == count)
        #expect(Set(primitives.log) == Set((1...count).map { "deploy h\($0) new" }))
    }

    @Test func batchesRunOneAfterAnother() async {
        let primitives = FakeFleet(controlsTraffic: true)
        let result = await fleet(.allButOne, primitives).run(hosts: hosts(2))
        #expect(result.status == .succeeded)
        #expect(primitives.log == ["block h1", "deploy h1 new", "allow h1", "block h2", "deploy h2 new", "allow h2"])
    }

    @Test func stopsWhenHealthyHostsWouldFallBelowTheMinimum() async {
        let primitives = FakeFleet(failing: ["h1"])
        let rollout = fleet(.allButOne, primitives, previous: nil)
        let result = await rollout.run(hosts: hosts(3))
        #expect(result.status == .failed)
        #expect(primitives.log == ["deploy h1 new"])
        #expect(result.hosts.map(\.status) == [.failed, .skipped, .skipped])
        #expect(result.message.contains("stopped: 2 healthy hosts left, the minimum is 2"))
    }

    @Test func theLastHostMayFailUnderOneAtATime() async {
        let primitives = FakeFleet(failing: ["h3"])
        let result = await fleet(.allButOne, primitives).run(hosts: hosts(3))
        #expect(result.status == .succeeded)
    }

    @Test func halfAtATimeNeedsHalfTheFleet() async {
        let primitives = FakeFleet(failing: ["h1", "h2", "h3", "h4", "h5"])
        let result = await fleet(.fleetPercent(50), primitives).run(hosts: hosts(9))
        #expect(result.status == .failed)
        // 4 failures in the first batch leave 5 healthy: the minimum, so the run stops.
        #expect(primitives.log.count == 4)
    }

    @Test func rollbackRedeploysThePreviousRevisionToChangedHosts() async {
        let primitives = FakeFleet(failing: ["h2"])
        let rollout = fleet(.allButOne, primitives)
        let result = await rollout.run(hosts: hosts(3))
        #expect(result.status == .failed)
        let rolledBack = await rollout.rollBack(result, hosts: hosts(3))
        #expect(rolledBack.status == .rolledBack)
        #expect(primitives.log == ["deploy h1 new", "deploy h2 new", "deploy h1 old", "deploy h2 old"])
    }

    @Test func aFailingGateStopsTheFleet() async {
        let primitives = FakeFleet()
        let gates = GateMonitor(gates: [.init(name: "health", probe: ScriptedProbe([false]), interval: .milliseconds(1), failureBudget: 0)])
        let result = await fleet(.allButOne, primitives, gates: gates).run(hosts: hosts(3))
        #expect(result.status == .failed)
        #expect(result.message == "gate health failed: HTTP 503")
        #expect(primitives.log == ["deploy h1 new"])
    }

    @Test func resumeSkipsHostsAlreadyDone() async {
        let primitives = FakeFleet()
        var rollout = fleet(.allButOne, primitives)
        rollout.alreadyFinished = [HostOutcome(host: "h1", status: .succeeded, message: "deployed")]
        let result = await rollout.run(hosts: hosts(3))
        #expect(result.status == .succeeded)
        #expect(primitives.log == ["deploy h2 new", "deploy h3 new"])
    }

    @Test func tooFewHostsForTheMinimumFailsAtOnce() async {
        let primitives = FakeFleet()
        let result = await fleet(.fleetPercent(95), primitives).run(hosts: hosts(10))
        #expect(result.status == .failed)
        #expect(primitives.log.isEmpty)
    }
}

@Suite struct TrafficRolloutTests {
    func traffic(_ shift: TrafficShift, _ primitives: FakeTraffic, hooks: [String: [String]] = [:],
                 gates: GateMonitor? = nil, recorder: MemoryRecorder = MemoryRecorder()) -> TrafficRollout {
        TrafficRollout(stage: "fn", plan: TrafficPlan.make(shift), primitives: primitives, revision: newRevision,
                       hooks: hooks, gates: gates, sink: RecordingSink(), recorder: recorder, isCancelled: { false })
    }

    @Test func canaryShiftsThenPromotes() async {
        let primitives = FakeTraffic()
        let recorder = MemoryRecorder()
        let result = await traffic(.canary(percent: 10, interval: .milliseconds(20)), primitives,
                                   hooks: ["BeforeAllowTraffic": ["pre"], "AfterAllowTraffic": ["post"]], recorder: recorder).run()
        #expect(result.status == .succeeded)
        #expect(primitives.log == ["prepare", "hook BeforeAllowTraffic", "weight 10", "weight 100", "promote", "hook AfterAllowTraffic", "cleanup"])
        #expect(recorder.entries.withLock { $0 } == ["prepared", "weight 10", "weight 100", "promoted"])
    }

    @Test func linearWalksEveryStep() async {
        let primitives = FakeTraffic()
        let result = await traffic(.linear(percent: 25, interval: .milliseconds(5)), primitives).run()
        #expect(result.status == .succeeded)
        #expect(primitives.log.filter { $0.hasPrefix("weight") } == ["weight 25", "weight 50", "weight 75", "weight 100"])
    }

    @Test func aFailingPreTrafficHookAbortsBeforeAnyTraffic() async {
        let primitives = FakeTraffic(failHooks: ["BeforeAllowTraffic"])
        let result = await traffic(.allAtOnce, primitives, hooks: ["BeforeAllowTraffic": ["pre"]]).run()
        #expect(result.status == .rolledBack)
        #expect(primitives.log == ["prepare", "hook BeforeAllowTraffic", "abort"])
        #expect(result.message.contains("pre reported Failed"))
    }

    @Test func aFailingPostTrafficHookRollsBack() async {
        let primitives = FakeTraffic(failHooks: ["AfterAllowTraffic"])
        let result = await traffic(.allAtOnce, primitives, hooks: ["AfterAllowTraffic": ["post"]]).run()
        #expect(result.status == .rolledBack)
        #expect(primitives.log.last == "abort")
    }

    @Test func aFlakyGateWithinBudgetDoesNotRollBack() async {
        let primitives = FakeTraffic()
        let gates = GateMonitor(gates: [.init(name: "http", probe: ScriptedProbe([false, true, false, true]), interval: .milliseconds(5), failureBudget: 1)])
        let result = await traffic(.canary(percent: 10, interval: .milliseconds(60)), primitives, gates: gates).run()
        #expect(result.status == .succeeded)
    }

    @Test func aGateOverBudgetAbortsTheShift() async {
        let primitives = FakeTraffic()
        let gates = GateMonitor(gates: [.init(name: "alarm HighErrors", probe: ScriptedProbe([true, false, false]), interval: .milliseconds(5), failureBudget: 1)])
        let result = await traffic(.canary(percent: 10, interval: .seconds(30)), primitives, gates: gates).run()
        #expect(result.status == .rolledBack)
        #expect(result.message.contains("gate alarm HighErrors failed: HTTP 503"))
        #expect(primitives.log == ["prepare", "weight 10", "abort"])
    }

    @Test func resumeAfterPromotionOnlyFinishes() async {
        let primitives = FakeTraffic()
        let result = await traffic(.canary(percent: 10, interval: .seconds(30)), primitives).run(resume: .init(prepared: true, lastWeight: 100, promoted: true))
        #expect(result.status == .succeeded)
        #expect(primitives.log == ["cleanup"])
    }

    static let ecsHooks = ["BeforeInstall": ["a"], "AfterInstall": ["b"], "AfterAllowTestTraffic": ["c"],
                           "BeforeAllowTraffic": ["d"], "AfterAllowTraffic": ["e"]]

    @Test func ecsOrderRunsInstallHooksAndTestTrafficBeforeProductionTraffic() async {
        let primitives = FakeTraffic(testTraffic: true)
        let recorder = MemoryRecorder()
        let result = await traffic(.allAtOnce, primitives, hooks: Self.ecsHooks, recorder: recorder).run()
        #expect(result.status == .succeeded)
        #expect(primitives.log == ["hook BeforeInstall", "prepare", "hook AfterInstall", "test traffic", "hook AfterAllowTestTraffic",
                                   "hook BeforeAllowTraffic", "weight 100", "promote", "hook AfterAllowTraffic", "cleanup"])
        #expect(recorder.entries.withLock { $0 } == ["prepared", "testTrafficAllowed", "weight 100", "promoted"])
    }

    @Test func withoutTestTrafficOrInstallHooksTheOrderIsUnchanged() async {
        let primitives = FakeTraffic()
        let recorder = MemoryRecorder()
        _ = await traffic(.allAtOnce, primitives, recorder: recorder).run()
        #expect(primitives.log == ["prepare", "weight 100", "promote", "cleanup"])
        #expect(recorder.entries.withLock { $0 } == ["prepared", "weight 100", "promoted"])
    }

    @Test func aFailingTestTrafficHookAbortsBeforeProductionTraffic() async {
        let primitives = FakeTraffic(failHooks: ["AfterAllowTestTraffic"], testTraffic: true)
        let result = await traffic(.canary(percent: 10, interval: .seconds(30)), primitives, hooks: Self.ecsHooks).run()
        #expect(result.status == .rolledBack)
        #expect(primitives.log == ["hook BeforeInstall", "prepare", "hook AfterInstall", "test traffic", "hook AfterAllowTestTraffic", "abort"])
    }

    @Test func resumeRepeatsOnlyWhatTheJournalDoesNotHave() async {
        let afterPrepare = FakeTraffic(testTraffic: true)
        _ = await traffic(.allAtOnce, afterPrepare, hooks: Self.ecsHooks).run(resume: .init(prepared: true))
        #expect(afterPrepare.log.prefix(3) == ["hook AfterInstall", "test traffic", "hook AfterAllowTestTraffic"])
        let afterTest = FakeTraffic(testTraffic: true)
        _ = await traffic(.allAtOnce, afterTest, hooks: Self.ecsHooks).run(resume: .init(prepared: true, testTrafficAllowed: true))
        #expect(afterTest.log == ["hook BeforeAllowTraffic", "weight 100", "promote", "hook AfterAllowTraffic", "cleanup"])
        let entries = [JournalEntry(seq: 1, time: Date(), kind: .stepFinished, data: .object(["phase": .string("prepared")])),
                       JournalEntry(seq: 2, time: Date(), kind: .stepFinished, data: .object(["phase": .string("testTrafficAllowed")]))]
        #expect(StageDeployer.resumePoint(entries).traffic == .init(prepared: true, testTrafficAllowed: true))
    }

    @Test func resumeMidShiftContinuesFromTheLastWeight() async {
        let primitives = FakeTraffic()
        let result = await traffic(.linear(percent: 25, interval: .milliseconds(5)), primitives).run(resume: .init(prepared: true, lastWeight: 50))
        #expect(result.status == .succeeded)
        #expect(primitives.log == ["weight 50", "weight 75", "weight 100", "promote", "cleanup"])
    }
}

@Suite struct GateProbeTests {
    @Test func commandProbePassesOnExitZeroAndReportsTheLastLine() async {
        let passing = CommandProbe(run: "true", directory: "/", environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(30))
        #expect(await passing.probe().passed)
        let failing = CommandProbe(run: "echo not ready; exit 3", directory: "/", environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(30))
        let outcome = await failing.probe()
        #expect(!outcome.passed)
        #expect(outcome.detail.contains("not ready"))
    }

    @Test func httpProbeChecksStatusAndBody() async throws {
        let server = try LocalHTTPServer(body: "healthy v2")
        defer { server.stop() }
        #expect(await HTTPProbe(url: server.url, status: 200, body: "healthy", timeout: .seconds(10)).probe().passed)
        let wrongBody = await HTTPProbe(url: server.url, status: 200, body: "v3", timeout: .seconds(10)).probe()
        #expect(!wrongBody.passed)
        #expect(wrongBody.detail == "HTTP 200 but the body lacks \"v3\"")
        let closed = await HTTPProbe(url: "http://127.0.0.1:1/", status: 200, body: nil, timeout: .seconds(5)).probe()
        #expect(!closed.passed)
    }
}

/// A python3 HTTP server on a free 127.0.0.1 port answering every GET with `body`.
final class LocalHTTPServer: Sendable {
    let process: Process
    let url: String

    init(body: String) throws {
        let script = """
        import http.server, socketserver, sys
        body = sys.argv[1].encode()
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            def log_message(self, *a): pass
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, body]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.process = process
        self.url = "http://127.0.0.1:\(port)/"
    }

    func stop() {
        // SIGKILL: the test runner's children inherit a blocked SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
