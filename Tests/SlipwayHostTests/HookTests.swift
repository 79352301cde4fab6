import Foundation
import SlipwayHost
import Testing

/// Hook semantics of codedeploy.md §2, §3 and §8.
@Suite struct HookTests {
    @Test func applicationStopRunsTheLastSuccessfulRevisionsScriptAndNothingOnAFirstDeploy() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        func revision(_ name: String) throws -> LocalBundle {
            try host.revision(name, [
                "appspec.yml": appspec("hooks:\n  ApplicationStop:\n    - location: stop.sh\n"),
                "stop.sh": "#!/bin/sh\necho \"stopped by \(name) during $DEPLOYMENT_ID\" >> \"$SLIPWAY_HOST_ROOT/stops\"\n",
            ])
        }
        try await host.deploy(try revision("v1"), id: "d-1")
        #expect(host.read("/stops") == nil)
        try await host.deploy(try revision("v2"), id: "d-2")
        #expect(host.read("/stops") == "stopped by v1 during d-2\n")
        try await host.deploy(try revision("v3"), id: "d-3")
        #expect(host.read("/stops") == "stopped by v1 during d-2\nstopped by v2 during d-3\n")
    }

    @Test func hooksGetCodeDeploysEnvironmentAndAClosedStdin() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("hooks:\n  BeforeInstall:\n    - location: env.sh\n  ValidateService:\n    - location: env.sh\n"),
            "env.sh": """
            #!/bin/sh
            read -r line || echo "stdin closed" >> "$SLIPWAY_HOST_ROOT/env-$LIFECYCLE_EVENT"
            echo "$LIFECYCLE_EVENT $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_GROUP_ID $BUNDLE_BUCKET $BUNDLE_KEY $PORT" >> "$SLIPWAY_HOST_ROOT/env-$LIFECYCLE_EVENT"

            """,
        ])
        try await host.deploy(bundle, id: "d-42", env: ["PORT": "18081"])
        #expect(host.read("/env-BeforeInstall") == "stdin closed\nBeforeInstall d-42 shop web dg-web b k.tgz 18081\n")
        #expect(host.read("/env-ValidateService") == "stdin closed\nValidateService d-42 shop web dg-web b k.tgz 18081\n")
    }

    @Test func aHookPastItsTimeoutIsKilledWithItsProcessGroup() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("hooks:\n  ApplicationStart:\n    - location: slow.sh\n      timeout: 1\n"),
            // A child in the same group that would outlive a kill of the script alone.
            "slow.sh": "#!/bin/sh\n(sleep 60; echo survived > \"$SLIPWAY_HOST_ROOT/child\") &\necho $! > \"$SLIPWAY_HOST_ROOT/child.pid\"\nsleep 60\n",
        ])
        let error = await #expect(throws: HostDeploymentError.self) { try await host.deploy(bundle, id: "d-1") }
        #expect(error?.event == .applicationStart)
        #expect(error?.message == "script slow.sh timed out after 1 s; its process group was terminated")
        let pid = try #require(host.read("/child.pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        // The background subshell was in the hook's group: it is gone (or a zombie being reaped).
        var alive = kill(pid, 0) == 0
        for _ in 0..<100 where alive {
            try await Task.sleep(for: .milliseconds(50))
            alive = kill(pid, 0) == 0 && !isZombie(pid)
        }
        #expect(!alive)
    }

    private func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test func aDaemonHoldingStdoutDoesNotHangTheHookButIsReported() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("hooks:\n  ApplicationStart:\n    - location: start.sh\n      timeout: 600\n"),
            // The mistake of CodeDeploy issue #118: the daemon keeps the hook's stdout open.
            "start.sh": "#!/bin/sh\nsleep 30 &\necho $! > \"$SLIPWAY_HOST_ROOT/daemon.pid\"\necho started\n",
        ])
        let warnings = try await host.deploy(bundle, id: "d-1")
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("ApplicationStart: script start.sh exited but a process it started still holds its stdout/stderr open") == true)
        if let pid = host.read("/daemon.pid").flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            kill(pid, SIGKILL)
        }
    }

    @Test func aFailingHookStopsTheEventWithItsOutput() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", [
            "appspec.yml": appspec("hooks:\n  AfterInstall:\n    - location: a.sh\n    - location: b.sh\n  ApplicationStart:\n    - location: b.sh\n"),
            "a.sh": "#!/bin/sh\necho 'cannot migrate' >&2\nexit 3\n", "b.sh": "#!/bin/sh\ntouch \"$SLIPWAY_HOST_ROOT/b-ran\"\n",
        ])
        let error = await #expect(throws: HostDeploymentError.self) { try await host.deploy(bundle, id: "d-1") }
        #expect(error?.description == "AfterInstall: script a.sh exited with code 3\ncannot migrate")
        #expect(!host.exists("/b-ran"))
    }

    @Test func aHookNamingAMissingScriptIsAPlanningError() async throws {
        let host = try HostFixture()
        defer { host.remove() }
        let bundle = try host.revision("v1", ["appspec.yml": appspec("hooks:\n  ApplicationStart:\n    - location: nope.sh\n")])
        let error = await #expect(throws: HostDeploymentError.self) { try await host.deploy(bundle, id: "d-1") }
        #expect(error?.message == "hooks.ApplicationStart: script nope.sh does not exist in the revision")
    }

    @Test func trafficEventsExistOnlyWithALoadBalancer() throws {
        let bundle = LocalBundle(archive: "/x.tgz", format: "tgz", directory: "/nonexistent")
        let identity = DeploymentIdentity(deploymentId: "d-1", applicationName: "a", deploymentGroupName: "g", deploymentGroupId: "g")
        let without = try LifecyclePlanner(bundle: bundle, appSpec: AppSpec(), layout: HostLayout(), identity: identity).plan()
        #expect(without.events.map(\.event) == [.applicationStop, .downloadBundle, .beforeInstall, .install, .afterInstall,
                                                .applicationStart, .validateService])
        let with = try LifecyclePlanner(bundle: bundle, appSpec: AppSpec(), layout: HostLayout(), identity: identity, loadBalancer: true).plan()
        #expect(with.events.map(\.event) == [.beforeBlockTraffic, .blockTraffic, .afterBlockTraffic, .applicationStop, .downloadBundle,
                                             .beforeInstall, .install, .afterInstall, .applicationStart, .validateService,
                                             .beforeAllowTraffic, .allowTraffic, .afterAllowTraffic])
        #expect(with.steps(for: .blockTraffic) == [.external("deregister from the load balancer")])
    }

    @Test func tornCleanupManifestLinesAreSkipped() {
        #expect(PreviousInstall.parseManifest("/a\n/b\n") == ["/a", "/b"])
        #expect(PreviousInstall.parseManifest("/a\n/b") == ["/a"])
        #expect(PreviousInstall.parseManifest("") == [])
    }
}
