/// Plans one host's in-place deployment: per lifecycle event, the shell commands to run
/// (codedeploy.md §2, §3, §8).
public struct LifecyclePlanner: Sendable {
    public var bundle: LocalBundle
    public var appSpec: AppSpec
    public var layout: HostLayout
    public var identity: DeploymentIdentity
    public var previous: PreviousInstall
    /// A load balancer is attached: the six traffic events are part of the lifecycle.
    public var loadBalancer: Bool
    /// The deployment's file-exists option; the appspec's own setting wins over it.
    public var fileExistsOverride: FileExistsBehavior?
    /// Extra variables every hook sees (per-host settings such as a port).
    public var hookEnvironment: [String: String]
    /// What the runner calls this revision (its sha256), kept in the deployment folder.
    public var revisionLabel: String?
    public static let revisionFile = "slipway-revision"

    public init(bundle: LocalBundle, appSpec: AppSpec, layout: HostLayout, identity: DeploymentIdentity,
                previous: PreviousInstall = PreviousInstall(), loadBalancer: Bool = false,
                fileExistsOverride: FileExistsBehavior? = nil, hookEnvironment: [String: String] = [:],
                revisionLabel: String? = nil) {
        self.revisionLabel = revisionLabel
        self.bundle = bundle
        self.appSpec = appSpec
        self.layout = layout
        self.identity = identity
        self.previous = previous
        self.loadBalancer = loadBalancer
        self.fileExistsOverride = fileExistsOverride
        self.hookEnvironment = hookEnvironment
    }

    var groupId: String { identity.deploymentGroupId }
    /// Paths use the deployment's folder name; DEPLOYMENT_ID stays the runner's id.
    var deploymentId: String { identity.folderName }

    public func plan() throws(PlanError) -> LifecyclePlan {
        try checkHookLocations()
        var events: [PlannedEvent] = []
        for event in LifecycleEvent.allCases where loadBalancer || !event.isTrafficEvent {
            switch event {
            case .start, .end:
                continue
            case .downloadBundle:
                events.append(PlannedEvent(event: event, steps: downloadSteps(), fromPreviousRevision: false))
            case .install:
                let planner = InstallPlanner(bundle: bundle, appSpec: appSpec, layout: layout, groupId: groupId,
                                             deploymentId: deploymentId, previousManifest: previous.cleanupManifest,
                                             fileExistsBehavior: appSpec.fileExistsBehavior ?? fileExistsOverride ?? .disallow)
                events.append(PlannedEvent(event: event, steps: [.run(HostCommand(script: try planner.script(), label: "install"))],
                                           fromPreviousRevision: false))
            case .blockTraffic:
                events.append(PlannedEvent(event: event, steps: [.external("deregister from the load balancer")], fromPreviousRevision: false))
            case .allowTraffic:
                events.append(PlannedEvent(event: event, steps: [.external("register with the load balancer")], fromPreviousRevision: false))
            default:
                events.append(hookEvent(event))
            }
        }
        return LifecyclePlan(events: events)
    }

    /// The bundle is here: a hook pointing at a missing script is a planning error, not a
    /// failure halfway through the host's lifecycle.
    func checkHookLocations() throws(PlanError) {
        for (event, scripts) in appSpec.hooks.sorted(by: { $0.key < $1.key }) where !event.runsPreviousRevision {
            for script in scripts {
                let path = bundle.directory + "/" + script.location.split(separator: "/").joined(separator: "/")
                if !FileSystem.isRegularFile(path) {
                    throw PlanError("hooks.\(event.rawValue): script \(script.location) does not exist in the revision")
                }
            }
        }
    }

    func hookEvent(_ event: LifecycleEvent) -> PlannedEvent {
        let source: (directory: String, appSpec: AppSpec)?
        if event.runsPreviousRevision {
            // Nothing on a first deploy: there is no last successful revision to stop.
            source = previous.lastSuccessful
        } else {
            source = (layout.deploymentDirectory(groupId, deploymentId), appSpec)
        }
        guard let source else { return PlannedEvent(event: event, steps: [], fromPreviousRevision: true) }
        let archive = source.directory + "/deployment-archive"
        var environment = hookEnvironment
        environment.merge(identity.hookEnvironment(event)) { _, new in new }
        let steps = (source.appSpec.hooks[event] ?? []).map { script in
            HostStep.run(HostCommand(script: hookScript(script, archive: archive), environment: environment,
                                     timeout: .seconds(script.timeout), label: script.location, isHook: true))
        }
        return PlannedEvent(event: event, steps: steps, fromPreviousRevision: event.runsPreviousRevision)
    }

    /// Runs one hook script: made executable if needed, started with `exec` so the script's own
    /// exit status is the hook's. `runas` uses `su`, as the agent does.
    func hookScript(_ script: HookScript, archive: String) -> String {
        let path = archive + "/" + script.location.split(separator: "/").joined(separator: "/")
        let file = Shell.quote(path)
        var command: String
        if let user = script.runas {
            command = "su \(Shell.quote(user)) -c \(file)"
            if script.sudo { command = "sudo " + command }
        } else {
            command = script.sudo ? "sudo \(file)" : file
        }
        return """
        cd \(Shell.quote(archive)) || exit 1
        if [ ! -f \(file) ]; then echo \(Shell.quote("script \(script.location) does not exist in \(archive)")) >&2; exit 127; fi
        [ -x \(file) ] || chmod +x \(file)
        exec \(command)

        """
    }

    /// Upload, then one command for retention and unpack and `_most_recent_install`. It
    /// runs on every host of every deployment, so it starts as few processes as it can: `ls`
    /// only when there are more folders than `max_revisions` and the records did not list them,
    /// `rm` only when there is something to remove, one `mkdir`.
    func downloadSteps() -> [HostStep] {
        let groupDirectory = layout.groupDirectory(groupId)
        let deploymentDirectory = layout.deploymentDirectory(groupId, deploymentId)
        let lastSuccessful = previous.lastSuccessful?.directory ?? ""
        let bundlePath = layout.bundlePath(groupId, deploymentId)
        let partial = deploymentDirectory + "/deployment-archive.partial"
        let archive = layout.archiveDirectory(groupId, deploymentId)
        // A bundle whose files sit in one top folder is unpacked aside and that folder moved into
        // place; any other straight into deployment-archive (a failed unpack is removed by the
        // next attempt, and nothing reads the folder before this command succeeded).
        let into = bundle.hoistedFolder == nil ? archive : partial
        let extract: String
        switch bundle.format {
        case "zip": extract = "unzip -qo \(Shell.quote(bundlePath)) -d \(Shell.quote(into))"
        case "tgz": extract = "tar -xzpf \(Shell.quote(bundlePath)) -C \(Shell.quote(into))"
        case "tzst": extract = "tar --zstd -xpf \(Shell.quote(bundlePath)) -C \(Shell.quote(into))"
        default: extract = "tar -xpf \(Shell.quote(bundlePath)) -C \(Shell.quote(into))"
        }
        let hoist = bundle.hoistedFolder.map { "mv \(Shell.quote(partial + "/" + $0)) \(Shell.quote(archive))\nrm -rf \(Shell.quote(partial))" } ?? ""
        let record = layout.mostRecentInstall(groupId)
        // Retention keeps max_revisions folders in all (this one included), newest first by
        // mtime, never deleting the last successful install. The upload made this deployment's
        // folder, so the group folder exists. The order comes from the host's records when they
        // listed the folder (no `ls` process here, on every host of every deployment).
        let newestFirst = previous.foldersNewestFirst.isEmpty
            ? "$(ls -1t)" : previous.foldersNewestFirst.map(Shell.quote).joined(separator: " ")
        let script = """
        set -e
        cd \(Shell.quote(groupDirectory))
        set -- *
        if [ "$#" -gt \(layout.maxRevisions) ]; then
          kept=1
          for d in \(newestFirst); do
            [ "$d" = \(Shell.quote(deploymentId)) ] && continue
            if [ "$PWD/$d" = \(Shell.quote(lastSuccessful)) ]; then kept=$((kept+1)); continue; fi
            kept=$((kept+1))
            if [ "$kept" -gt \(layout.maxRevisions) ]; then rm -rf "./$d"; fi
          done
        fi
        if [ -e \(Shell.quote(archive)) ] || [ -e \(Shell.quote(partial)) ]; then rm -rf \(Shell.quote(archive)) \(Shell.quote(partial)); fi
        mkdir -p \(Shell.quote(into)) \(Shell.quote(deploymentDirectory + "/logs")) \(Shell.quote(layout.instructionsDirectory))
        \(extract)
        \(hoist)
        printf '%s' \(Shell.quote(deploymentDirectory)) > \(Shell.quote(record))
        \(revisionLabel.map { "printf '%s\\n' \(Shell.quote($0)) > \(Shell.quote(deploymentDirectory + "/" + Self.revisionFile))" } ?? "")

        """
        return [.upload(local: bundle.archive, remote: bundlePath),
                .run(HostCommand(script: script, label: "unpack into deployment-archive"))]
    }
}
