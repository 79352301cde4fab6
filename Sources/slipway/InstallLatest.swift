import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayHost

/// Scale-out: a new instance installs its stage's last successful revision on itself.
struct InstallLatest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-latest",
        abstract: "Install a stage's last successful revision on this machine (for a new instance's user data).",
        discussion: """
        Reads the stage's last successful deployment from the pipeline's store, fetches that \
        revision and runs the whole CodeDeploy host lifecycle here (ApplicationStop of what is \
        installed, install, hooks), with the stage's application, deployment group, env and \
        fileExistsBehavior. --root / installs on the machine itself; another folder stands for /. \
        No lock is taken and no deployment is recorded: the machine catches up with what the \
        stage already runs. Exits 0 when the stage has never been deployed (nothing to install).
        """
    )

    @Argument(help: "The pipeline file.") var pipeline: String
    @Option(help: "The in-place stage (type ec2 or asg) whose revision to install.") var stage: String
    @Option(help: ArgumentHelp("The folder that stands for / (default: / itself).", valueName: "dir")) var root = "/"
    @Option(help: ArgumentHelp("This machine's host id, e.g. its instance id; picks its env from with.hosts / with.hostMap (default: the host name).", valueName: "id"))
    var host: String?

    func run() async throws {
        let pipeline = try loadForAction(self.pipeline, vars: [])
        guard let stage = pipeline.stage(named: self.stage) else {
            printError("\(pipeline.file) has no stage \(self.stage) (stages: \(pipeline.stages.map(\.name).joined(separator: ", ")))")
            throw Exit.invalidInput
        }
        guard ["ec2", "asg"].contains(stage.type) else {
            printError("stage \(stage.name) is of type \(stage.type): install-latest installs in-place stages (ec2, asg)")
            throw Exit.invalidInput
        }
        let settings: InPlaceStageSettings
        do { settings = try InPlaceStageSettings(stage.with) } catch {
            printError("stage \(stage.name): with: \(error)")
            throw Exit.invalidInput
        }
        let hostId = host ?? ProcessInfo.processInfo.hostName
        let store = try makeStore(pipeline)
        let latest: LastSuccessful?
        var metadata: RevisionMetadata?
        do {
            latest = try await DeploymentStore(store: store).lastSuccessful(pipeline: pipeline.name, stage: stage.name)
            if let latest {
                metadata = try await listRevisions(pipeline: pipeline.name, store: store).first { $0.sha256 == latest.revision }
            }
        } catch {
            printError("\(store.location): \(error)")
            throw Exit.packagingFailed
        }
        guard let latest else {
            print("stage \(stage.name) has no successful deployment yet: nothing to install")
            return
        }
        guard let metadata else {
            printError("revision \(latest.revision.prefix(12)) of deployment \(latest.deploymentId) is not in \(store.location)")
            throw Exit.packagingFailed
        }
        let scratch = NSTemporaryDirectory() + "slipway-install-latest-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let archive = scratch + "/revision.\(metadata.format.fileExtension)"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try await store.getFile(metadata.key, to: archive)
        } catch {
            printError("cannot fetch revision \(metadata.shortID): \(error)")
            throw Exit.packagingFailed
        }

        let rootPath = root == "/" ? "/" : URL(fileURLWithPath: root).standardizedFileURL.path
        let groupName = settings.deploymentGroup ?? stage.name
        let install = LocalInstall(
            root: rootPath,
            identity: DeploymentIdentity(deploymentId: latest.deploymentId.description, applicationName: settings.application ?? stage.name,
                                         deploymentGroupName: groupName,
                                         deploymentGroupId: DeploymentIdentity.groupFolder(forGroupName: groupName),
                                         bundleEnvironment: DeploymentIdentity.bundleEnvironment(location: store.location + "/" + metadata.key)),
            hookEnvironment: settings.hookEnvironment(host: hostId),
            fileExistsOverride: settings.fileExistsBehavior.flatMap(FileExistsBehavior.init(rawValue:)))
        print("\(hostId): installing revision \(metadata.shortID) (deployment \(latest.deploymentId)) under \(rootPath)")
        do {
            try await install.install(archive: archive, format: metadata.format.rawValue, revision: metadata.sha256, observer: .init(
                line: { event, stream, line in print("\(hostId) \(event.rawValue)\(stream == .stderr ? " [stderr]" : ""): \(line)") },
                eventStarted: { planned in print("\(hostId) \(planned.event.rawValue)") },
                warning: { text in print("\(hostId) warning: \(text)") }),
                appSpecWarning: { print("\(hostId) warning: \($0)") })
        } catch {
            printError("\(hostId): \(error.description)")
            throw Exit.stageFailed
        }
        print("\(hostId): revision \(metadata.shortID) installed")
    }
}

/// What install-latest reads from an in-place stage's `with:` (the ec2 plugin's keys that
/// shape a host's lifecycle; the plugin's schema has already checked them on every deploy).
struct InPlaceStageSettings: Decodable {
    struct Host: Decodable {
        var id: String
        var env: [String: String]?

        init(from decoder: any Decoder) throws {
            if let id = try? decoder.singleValueContainer().decode(String.self) {
                self.id = id
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            env = try container.decodeIfPresent([String: String].self, forKey: .env)
        }

        enum CodingKeys: String, CodingKey { case id, env }
    }

    struct Mapped: Decodable { var env: [String: String]? }

    var application: String?
    var deploymentGroup: String?
    var fileExistsBehavior: String?
    var env: [String: String]?
    var hosts: [Host]?
    var hostMap: [String: Mapped]?

    init(_ value: ConfigValue) throws {
        self = try JSONDecoder().decode(Self.self, from: JSONEncoder().encode(value))
    }

    /// The stage's env, then the host's own (from `hosts` or `hostMap`), as a deployment gives them.
    func hookEnvironment(host: String) -> [String: String] {
        var environment = env ?? [:]
        let own = hosts?.first { $0.id == host }?.env ?? hostMap?[host]?.env ?? [:]
        environment.merge(own) { _, host in host }
        return environment
    }
}
