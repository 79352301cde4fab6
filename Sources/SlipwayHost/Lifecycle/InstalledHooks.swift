import Foundation

extension HostDeployment {
    /// Runs the hooks of one traffic event from the host's last successful install — the appspec
    /// and scripts already on the host. Blue/green needs this: its traffic events come after the
    /// install, on green hosts (BeforeAllowTraffic, AfterAllowTraffic, with the revision just
    /// installed) and on blue ones (BeforeBlockTraffic, AfterBlockTraffic, with the revision they
    /// run), and in reverse on a rollback. A host with no successful install has nothing to run.
    /// Output goes to that install's `logs/scripts.log`, as during the install.
    /// Returns whether any script ran.
    @discardableResult
    public func runInstalledHooks(_ event: LifecycleEvent, observer: Observer = Observer()) async throws(HostDeploymentError) -> Bool {
        let previous = try await previousInstall()
        guard let last = previous.lastSuccessful, let scripts = last.appSpec.hooks[event], !scripts.isEmpty else { return false }
        let planner = LifecyclePlanner(bundle: LocalBundle(archive: "", format: "tar", directory: last.directory), appSpec: last.appSpec,
                                       layout: layout, identity: identity, previous: previous, hookEnvironment: hookEnvironment)
        let archive = last.directory + "/deployment-archive"
        var environment = hookEnvironment
        environment.merge(identity.hookEnvironment(event)) { _, new in new }
        let steps = scripts.map { script in
            HostStep.run(HostCommand(script: planner.hookScript(script, archive: archive), environment: environment,
                                     timeout: .seconds(script.timeout), label: script.location, isHook: true))
        }
        let folder = (last.directory as NSString).lastPathComponent
        try await execute(LifecyclePlan(events: [PlannedEvent(event: event, steps: steps, fromPreviousRevision: false)]),
                          observer: observer, log: layout.scriptsLog(identity.deploymentGroupId, folder))
        return true
    }
}
