import Foundation
@testable import SlipwayHost
import SlipwayProcess
import Synchronization
import Testing

/// Consecutive lifecycle commands run as one batch on the host (see `CommandBatch`), with each
/// command's output, status and timeout kept apart.
@Suite struct CommandBatchTests {
    @Test func markersAreFoundEvenAfterALastLineWithoutNewlineAndOnlyWithThisBatchsNonce() {
        let batch = CommandBatch(commands: [HostCommand(script: "true", label: "a"), HostCommand(script: "true", label: "b")], nonce: "N1")
        #expect(batch.parse("@@slipway-batch-N1 begin 1")?.marker == .begin(1))
        let glued = batch.parse("no newline@@slipway-batch-N1 end 0 3")
        #expect(glued?.before == "no newline")
        #expect(glued?.marker == .end(0, status: 3))
        #expect(batch.parse("@@slipway-batch-N2 begin 1") == nil)
        #expect(batch.parse("@@slipway-batch-N1 begin 7") == nil)
        #expect(batch.parse("@@slipway-batch-N1 end 1") == nil)
    }

    @Test func anInvalidVariableNameIsRefusedBeforeAnythingRuns() {
        let batch = CommandBatch(commands: [HostCommand(script: "true", environment: ["X=1; rm -rf /; Y": "v"], label: "a")], nonce: "N")
        #expect(throws: PlanError.self) { try batch.render() }
    }

    @Test func aLifecycleCostsTwoRunsAndEachHookKeepsItsOwnOutputAndEnvironment() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("""
            hooks:
              BeforeInstall: [{location: a.sh}]
              AfterInstall: [{location: b.sh}]
              ApplicationStart: [{location: c.sh}]

            """),
            "a.sh": "#!/bin/sh\nexport LEAK=from-a\necho \"a on $LIFECYCLE_EVENT\"\necho 'a complains' >&2\n",
            "b.sh": "#!/bin/sh\necho \"b sees ${LEAK:-nothing}\"\nprintf 'b without newline'\n",
            "c.sh": "#!/bin/sh\necho 'c err' >&2\necho \"c on $LIFECYCLE_EVENT\"\n",
        ])
        let transport = CountingTransport(inner: LocalTransport(root: host.hostRoot), streams: true)
        let lines = Mutex<[String]>([])
        let spec = try AppSpecFile.load(bundle: bundle).appSpec
        try await host.deployment("d-1").with(transport: transport).deploy(bundle: bundle, appSpec: spec, observer: .init(line: { event, stream, line in
            lines.withLock { $0.append("\(event.rawValue) \(stream.rawValue) \(line)") }
        }))
        // One run reads the host's records, one runs unpack, three hooks and install.
        #expect(transport.runs == 2)
        let seen = Set(lines.withLock { $0 })
        #expect(seen == ["BeforeInstall stdout a on BeforeInstall", "BeforeInstall stderr a complains",
                         "AfterInstall stdout b sees nothing", "AfterInstall stdout b without newline",
                         "ApplicationStart stderr c err", "ApplicationStart stdout c on ApplicationStart"])
        let log = try #require(host.read("/opt/codedeploy-agent/deployment-root/dg-web/d-1/logs/scripts.log"))
        #expect(log.contains("LifecycleEvent - AfterInstall"))
        #expect(log.contains("[stdout]b without newline"))
        #expect(log.contains("[stderr]c err"))
    }

    @Test func aCommandPastItsTimeoutInTheMiddleOfABatchStopsItAndTheNextOnesNeverRun() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("""
            hooks:
              AfterInstall: [{location: fast.sh, timeout: 60}]
              ApplicationStart: [{location: slow.sh, timeout: 1}]
              ValidateService: [{location: never.sh}]

            """),
            "fast.sh": "#!/bin/sh\necho fast done\n",
            "slow.sh": "#!/bin/sh\necho slow started\nsleep 60\n",
            "never.sh": "#!/bin/sh\ntouch \"$SLIPWAY_HOST_ROOT/never\"\n",
        ])
        let error = await #expect(throws: HostDeploymentError.self) {
            try await host.deploy(bundle, id: "d-1", transport: LocalTransport(root: host.hostRoot, killGrace: .milliseconds(200)))
        }
        #expect(error?.event == .applicationStart)
        #expect(error?.message == "script slow.sh timed out after 1 s; its process group was terminated")
        #expect(!host.exists("/never"))
        let log = try #require(host.read("/opt/codedeploy-agent/deployment-root/dg-web/d-1/logs/scripts.log"))
        #expect(log.contains("[stdout]fast done"))
        #expect(log.contains("[stdout]slow started"))
    }

    @Test func aRevisionOfAThousandFilesInstallsThoughItsScriptIsPastTheArgumentLimit() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        var files = ["appspec.yml": appspec("files:\n  - source: site\n    destination: /srv/a-rather-long-destination-folder-name\n")]
        for index in 0..<1_200 { files["site/section-\(index % 30)/page-with-a-long-name-\(index).html"] = "\(index)\n" }
        let bundle = try host.revision("v1", files)
        try await host.deploy(bundle, id: "d-1")
        #expect(host.read("/srv/a-rather-long-destination-folder-name/section-29/page-with-a-long-name-1199.html") == "1199\n")
    }

    @Test func hookEnvironmentValuesStayOutOfEveryCommandLine() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        // While the hook runs, no process on the machine has the value in its command line.
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("hooks:\n  BeforeInstall: [{location: scan.sh}]\n  ApplicationStart: [{location: scan.sh}]\n"),
            "scan.sh": """
            #!/bin/sh
            n=0
            for f in /proc/[0-9]*/cmdline; do c=$( { tr '\\000' ' ' < "$f"; } 2>/dev/null ); case $c in *"$TOKEN"*) n=$((n+1)) ;; esac; done
            echo "$LIFECYCLE_EVENT $n ${TOKEN%%-*}" >> "$SLIPWAY_HOST_ROOT/scan"

            """,
        ])
        try await host.deploy(bundle, id: "d-1", env: ["TOKEN": "s3cr3t-\(UUID().uuidString)"])
        #expect(host.read("/scan") == "BeforeInstall 0 s3cr3t\nApplicationStart 0 s3cr3t\n")
    }

    @Test func aTransportWhoseOutputComesAtTheEndRunsEachCommandAlone() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("hooks:\n  BeforeInstall: [{location: a.sh}]\n  ApplicationStart: [{location: a.sh}]\n"),
            "a.sh": "#!/bin/sh\necho \"$LIFECYCLE_EVENT\" >> \"$SLIPWAY_HOST_ROOT/events\"\n",
        ])
        let transport = CountingTransport(inner: LocalTransport(root: host.hostRoot), streams: false)
        let spec = try AppSpecFile.load(bundle: bundle).appSpec
        try await host.deployment("d-1").with(transport: transport).deploy(bundle: bundle, appSpec: spec)
        // Records, unpack, BeforeInstall, install, ApplicationStart.
        #expect(transport.runs == 5)
        #expect(host.read("/events") == "BeforeInstall\nApplicationStart\n")
    }
}

/// A local host that counts its runs and can claim that its output comes only at the end.
private final class CountingTransport: HostTransport {
    let inner: LocalTransport
    let streams: Bool
    private let count = Mutex(0)

    init(inner: LocalTransport, streams: Bool) {
        self.inner = inner
        self.streams = streams
    }

    var runs: Int { count.withLock { $0 } }
    var description: String { inner.description }
    var streamsOutput: Bool { streams }

    func run(_ script: String, environment: [String: String], timeout: Duration?,
             onLine: @escaping @Sendable (ProcessOutputStream, String) -> Void) async throws(TransportError) -> ProcessResult {
        count.withLock { $0 += 1 }
        return try await inner.run(script, environment: environment, timeout: timeout, onLine: onLine)
    }

    func upload(_ localPath: String, to remotePath: String) async throws(TransportError) {
        try await inner.upload(localPath, to: remotePath)
    }

    func append(_ text: String, to path: String) async throws(TransportError) {
        try await inner.append(text, to: path)
    }
}

private extension HostDeployment {
    func with(transport: any HostTransport) -> HostDeployment {
        var copy = self
        copy.transport = transport
        return copy
    }
}
