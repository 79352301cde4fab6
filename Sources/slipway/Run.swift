import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayYAML
import SlipwayEvents

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline: build steps, then its stages.",
        discussion: """
        Build steps run with /bin/sh -c in the pipeline's directory; output streams line by line. \
        A failing step stops the run (exit 2). Then the revision is packaged and pushed to the \
        store (exit 4 on failure; an unchanged revision is not uploaded again), then the stages \
        run. Ctrl-C stops the running step and its children (exit 130).
        """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a declared variable.", valueName: "name=value"))
    var vars: [String] = []

    @Flag(help: "Run the build steps only: no packaging, no push, no stages.")
    var buildOnly = false

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Deploy only this stage (repeatable); the build and push still run.", valueName: "name"))
    var stage: [String] = []

    @OptionGroup var deploy: DeployOptions

    func run() async throws {
        let loader = PipelineLoader(varOverrides: try parseVars(vars))
        let loaded: LoadedPipeline
        do {
            loaded = try loader.load(path: pipeline)
        } catch {
            report(error.diagnostics)
            throw Exit.invalidInput
        }
        report(loaded.warnings)
        let pipeline = loaded.pipeline
        for name in stage where pipeline.stage(named: name) == nil {
            printError("--stage \(name): \(pipeline.file) has no such stage (stages: \(pipeline.stages.map(\.name).joined(separator: ", ")))")
            throw Exit.invalidInput
        }
        let stages = buildOnly ? [] : StageOrder.sorted(pipeline.stages).filter { stage.isEmpty || stage.contains($0.name) }
        // Plugins, pins and stage settings are checked before anything is built or changed.
        let registry = stages.isEmpty ? nil : try deploy.registry(for: pipeline, stages: stages)

        let (sink, _) = output.makeSink(secrets: pipeline.secrets)
        let cancellation = CancellationFlag.installSignalHandlers()
        let started = ContinuousClock.now
        sink.emit(Event(kind: .runStarted, scope: "pipeline/\(pipeline.name)", message: deploy.dryRun ? "dry run of \(pipeline.file)" : "running \(pipeline.file)"))

        let environment = ProcessInfo.processInfo.environment.merging(pipeline.env) { _, pipeline in pipeline }
        if !deploy.dryRun {
            let runner = BuildRunner(workspace: pipeline.root, environment: environment, sink: sink)
            do {
                _ = try await runner.run(pipeline.build, isCancelled: { cancellation.isSet })
            } catch {
                let cancelled = if case .cancelled = error { true } else { false }
                finish(sink, pipeline, started, status: cancelled ? .cancelled : .failed, message: error.description)
                throw cancelled ? Exit.interrupted : Exit.buildFailed
            }
        }
        if buildOnly {
            finish(sink, pipeline, started, status: .succeeded, message: "pipeline \(pipeline.name) (build only)")
            return
        }

        let store: any ArtifactStore
        let packaged: RevisionPusher.Packaged
        do {
            store = try StoreFactory.make(pipeline.store, environment: environment)
            let pusher = RevisionPusher(pipeline: pipeline, store: store, sink: sink)
            if deploy.dryRun {
                packaged = try pusher.package()
            } else {
                let pushed = try await pusher.push()
                packaged = pushed.packaged
                sink.emit(.info("revision \(pushed.packaged.metadata.sha256) is in \(pushed.location)", scope: "pipeline/\(pipeline.name)"))
            }
        } catch {
            finish(sink, pipeline, started, status: .failed, message: "\(error)")
            throw Exit.packagingFailed
        }

        guard let registry else {
            finish(sink, pipeline, started, status: .succeeded, message: "pipeline \(pipeline.name)")
            return
        }
        let deployer = StageDeployer(pipeline: pipeline, store: store, registry: registry, sink: sink, environment: environment,
                                     isCancelled: { cancellation.isSet }, lockWait: deploy.lockWaitDuration)
        for stage in stages {
            do {
                let outcome = try await deployer.deploy(stage, revision: packaged.metadata, archive: packaged.path, dryRun: deploy.dryRun)
                for line in outcome.plan { sink.emit(.info(line, scope: "stage/\(stage.name)")) }
                guard outcome.status == .succeeded else {
                    finish(sink, pipeline, started, status: cancellation.isSet ? .cancelled : .failed,
                           message: "stage \(stage.name) \(outcome.status.rawValue): \(outcome.message)")
                    throw cancellation.isSet ? Exit.interrupted : Exit.stageFailed
                }
            } catch let error as DeployError {
                let locked = if case .locked = error { true } else { false }
                finish(sink, pipeline, started, status: .failed, message: "stage \(stage.name): \(error)")
                throw locked ? Exit.locked : Exit.stageFailed
            }
        }
        finish(sink, pipeline, started, status: .succeeded, message: deploy.dryRun ? "dry run: nothing changed" : "pipeline \(pipeline.name)")
    }

    private func finish(_ sink: any EventSink, _ pipeline: Pipeline, _ started: ContinuousClock.Instant,
                        status: Event.Status, message: String) {
        let elapsed = ContinuousClock.now - started
        var event = Event(kind: .runFinished, scope: "pipeline/\(pipeline.name)", message: message)
        event.status = status
        event.duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        sink.emit(event)
    }
}
