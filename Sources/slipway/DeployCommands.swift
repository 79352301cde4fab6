import ArgumentParser
import Foundation
import SlipwayArchive
import SlipwayCore
import SlipwayEvents

/// What the deploying commands share: the pipeline, its store, plugins checked, a sink, Ctrl-C.
struct DeployContext {
    let pipeline: Pipeline
    let store: any ArtifactStore
    let deployer: StageDeployer
    let sink: any EventSink

    init(pipelinePath: String, stages: (Pipeline) throws -> [Stage], deploy: DeployOptions, output: OutputOptions) throws {
        pipeline = try loadForAction(pipelinePath, vars: [])
        let registry = try deploy.registry(for: pipeline, stages: try stages(pipeline))
        store = try makeStore(pipeline)
        sink = output.makeSink(secrets: pipeline.secrets).sink
        let cancellation = CancellationFlag.installSignalHandlers()
        let environment = ProcessInfo.processInfo.environment.merging(pipeline.env) { _, pipeline in pipeline }
        deployer = StageDeployer(pipeline: pipeline, store: store, registry: registry, sink: sink, environment: environment,
                                 isCancelled: { cancellation.isSet }, lockWait: deploy.lockWaitDuration)
    }

    func stage(_ name: String) throws -> Stage {
        guard let stage = pipeline.stage(named: name) else {
            printError("\(pipeline.file) has no stage \(name) (stages: \(pipeline.stages.map(\.name).joined(separator: ", ")))")
            throw Exit.invalidInput
        }
        return stage
    }

    /// Exit code for an outcome, after printing it.
    func finish(_ outcome: StageDeployer.Outcome) throws {
        for line in outcome.plan { print(line) }
        if let record = outcome.record { print("\(record.id) \(record.status.rawValue): \(outcome.message)") }
        if outcome.status != .succeeded { throw Exit.stageFailed }
    }

    func run(_ body: () async throws(DeployError) -> StageDeployer.Outcome) async throws {
        do {
            try finish(try await body())
        } catch let error as DeployError {
            printError(error.description)
            if case .locked = error { throw Exit.locked }
            throw Exit.stageFailed
        }
    }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finish, or roll back, a deployment whose runner died.",
        discussion: "Takes over the stage's lock, replays the deployment's journal (local, or the store's copy) and carries on from the last step done."
    )

    @Argument(help: "The pipeline file.") var pipeline: String
    @Argument(help: "The deployment id (see `slipway history`).") var id: String
    @Flag(help: "Roll back instead of finishing.") var rollback = false
    @OptionGroup var deploy: DeployOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let deploymentID: DeploymentID
        do { deploymentID = try DeploymentID.parse(id) } catch {
            printError(error.description)
            throw Exit.invalidInput
        }
        let context = try DeployContext(pipelinePath: pipeline, stages: { $0.stages }, deploy: deploy, output: output)
        try await context.run { () throws(DeployError) in try await context.deployer.resume(deploymentID, rollBack: rollback) }
    }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Redeploy a stage's previous good revision (or --to a given one).",
        discussion: "A rollback is a new deployment of an earlier revision, recorded with the deployment it replaces."
    )

    @Argument(help: "The pipeline file.") var pipeline: String
    @Option(help: "The stage to roll back.") var stage: String
    @Option(help: ArgumentHelp("The revision to go back to (a SHA-256 prefix); default: the last good one before the current.", valueName: "revision"))
    var to: String?
    @OptionGroup var deploy: DeployOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try DeployContext(pipelinePath: pipeline, stages: { pipeline in pipeline.stages.filter { $0.name == self.stage } },
                                        deploy: deploy, output: output)
        let stage = try context.stage(self.stage)
        let deployments = DeploymentStore(store: context.store)
        let history: [DeploymentRecord]
        let revisions: [RevisionMetadata]
        do {
            history = try await deployments.history(pipeline: context.pipeline.name, stage: stage.name)
            revisions = try await listRevisions(pipeline: context.pipeline.name, store: context.store)
        } catch {
            printError("\(error)")
            throw Exit.packagingFailed
        }
        let current = history.first { $0.status == .succeeded }
        let target: String?
        if let to {
            target = revisions.first { $0.sha256.hasPrefix(to.lowercased()) }?.sha256
        } else {
            target = history.first { $0.status == .succeeded && $0.revision != current?.revision }?.revision
        }
        guard let target, let metadata = revisions.first(where: { $0.sha256 == target }) else {
            printError(to.map { "no revision \($0) of \(context.pipeline.name) in \(context.store.location)" }
                       ?? "stage \(stage.name) has no earlier good revision to roll back to")
            throw Exit.invalidInput
        }
        let archive = try await fetch(metadata, context)
        try await context.run { () throws(DeployError) in
            try await context.deployer.deploy(stage, revision: metadata, archive: archive, dryRun: deploy.dryRun,
                                              reason: "rollback to \(metadata.shortID)", rollbackOf: current?.id)
        }
    }
}

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy an existing revision, or a bundle made elsewhere, to one stage.",
        discussion: """
        --revision takes a revision id (SHA-256 or a prefix of it) already in the store, or the path of \
        an archive (.tar.gz, .tgz, .tar, .zip, .tar.zst), such as a CodeDeploy bundle. An archive is \
        checked entry by entry with the safe-extraction rules (no absolute paths, no .., no links out, \
        no devices, no zip bombs) and refused before anything is deployed; then it is stored as a revision.
        """
    )

    @Argument(help: "The pipeline file.") var pipeline: String
    @Option(help: "The stage to deploy.") var stage: String
    @Option(help: ArgumentHelp("A revision id, or an archive file.", valueName: "id|file")) var revision: String
    @OptionGroup var deploy: DeployOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try DeployContext(pipelinePath: pipeline, stages: { pipeline in pipeline.stages.filter { $0.name == self.stage } },
                                        deploy: deploy, output: output)
        let stage = try context.stage(self.stage)
        let metadata: RevisionMetadata
        let archive: String
        if FileManager.default.fileExists(atPath: revision) {
            (metadata, archive) = try await importBundle(revision, context)
        } else {
            let revisions: [RevisionMetadata]
            do { revisions = try await listRevisions(pipeline: context.pipeline.name, store: context.store) } catch {
                printError("\(error)")
                throw Exit.packagingFailed
            }
            let matches = revisions.filter { $0.sha256.hasPrefix(revision.lowercased()) }
            guard matches.count == 1, let found = matches.first else {
                printError(matches.isEmpty ? "no revision \(revision) of \(context.pipeline.name) in \(context.store.location), and no such file"
                                           : "\(revision) matches \(matches.count) revisions: give more digits")
                throw Exit.invalidInput
            }
            metadata = found
            archive = try await fetch(found, context)
        }
        try await context.run { () throws(DeployError) in
            try await context.deployer.deploy(stage, revision: metadata, archive: archive, dryRun: deploy.dryRun)
        }
    }

    /// Checks a foreign archive with the safe-extraction rules, then stores it as a revision.
    func importBundle(_ path: String, _ context: DeployContext) async throws -> (RevisionMetadata, String) {
        guard let format = ArchiveFormat(fileName: path) else {
            printError("\(path): not a known archive type (.tar.gz, .tgz, .tar, .zip, .tar.zst)")
            throw Exit.invalidInput
        }
        let summary: ArchiveSummary
        let sha256: String
        do {
            summary = try SafeExtractor.validate(archive: path)
            sha256 = try SHA256Stream.hexDigest(ofFile: path)
        } catch {
            printError("\(path) refused: \(error)")
            throw Exit.invalidInput
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? 0
        let metadata = RevisionMetadata(sha256: sha256, pipeline: context.pipeline.name, format: format, size: size,
                                        fileCount: summary.entryCount, gitCommit: nil, createdAt: Date(),
                                        key: RevisionLayout.archiveKey(sha256: sha256, format: format))
        // A dry run checks the bundle but stores nothing.
        guard !deploy.dryRun else { return (metadata, URL(fileURLWithPath: path).standardizedFileURL.path) }
        do {
            try await RevisionPusher.store(metadata, archive: path, in: context.store)
        } catch {
            printError(error.description)
            throw Exit.packagingFailed
        }
        return (metadata, URL(fileURLWithPath: path).standardizedFileURL.path)
    }
}

/// A stored revision's archive on this machine: the local copy, or downloaded from the store.
func fetch(_ metadata: RevisionMetadata, _ context: DeployContext) async throws -> String {
    do {
        return try await context.deployer.localArchive(of: metadata)
    } catch {
        printError("cannot fetch revision \(metadata.shortID): \(error)")
        throw Exit.packagingFailed
    }
}
