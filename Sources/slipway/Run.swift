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
        let (sink, _) = output.makeSink(secrets: pipeline.secrets)
        let cancellation = CancellationFlag.installSignalHandlers()
        let started = ContinuousClock.now
        sink.emit(Event(kind: .runStarted, scope: "pipeline/\(pipeline.name)", message: "running \(pipeline.file)"))

        let environment = ProcessInfo.processInfo.environment.merging(pipeline.env) { _, pipeline in pipeline }
        let runner = BuildRunner(workspace: pipeline.root, environment: environment, sink: sink)
        do {
            _ = try await runner.run(pipeline.build, isCancelled: { cancellation.isSet })
        } catch {
            let cancelled = if case .cancelled = error { true } else { false }
            finish(sink, pipeline, started, status: cancelled ? .cancelled : .failed, message: error.description)
            throw cancelled ? Exit.interrupted : Exit.buildFailed
        }

        if buildOnly {
            finish(sink, pipeline, started, status: .succeeded, message: "pipeline \(pipeline.name) (build only)")
            return
        }

        let pushed: RevisionPusher.Pushed
        do {
            let store = try StoreFactory.make(pipeline.store, environment: environment)
            pushed = try await RevisionPusher(pipeline: pipeline, store: store, sink: sink).push()
        } catch {
            finish(sink, pipeline, started, status: .failed, message: "\(error)")
            throw Exit.packagingFailed
        }
        sink.emit(.info("revision \(pushed.packaged.metadata.sha256) is in \(pushed.location)", scope: "pipeline/\(pipeline.name)"))

        if let stage = StageOrder.sorted(pipeline.stages).first {
            let message = "stage \(stage.name): no deploy plugin is available for target type \"\(stage.type)\" in this build of Slipway"
            sink.emit(Event(kind: .error, scope: "stage/\(stage.name)", message: message))
            finish(sink, pipeline, started, status: .failed, message: "stopped before deploying")
            throw Exit.stageFailed
        }
        finish(sink, pipeline, started, status: .succeeded, message: "pipeline \(pipeline.name)")
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
