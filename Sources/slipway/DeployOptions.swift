import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayYAML

/// Flags shared by the commands that deploy stages.
struct DeployOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"), help: ArgumentHelp("A folder to search for plugins first (repeatable).", valueName: "dir"))
    var pluginPaths: [String] = []

    @Option(name: .customLong("lock-wait"), help: ArgumentHelp("Wait this long for another runner's lock on a stage (e.g. 5m); default: fail at once.", valueName: "duration"))
    var lockWait: String?

    @Flag(name: .customLong("dry-run"), help: "Show what the plugins would do; change nothing (no build, no push, no deployment).")
    var dryRun = false

    func validate() throws {
        if let lockWait, DurationText.parse(lockWait) == nil {
            throw ValidationError("--lock-wait takes a duration such as 30s or 5m, got \"\(lockWait)\"")
        }
    }

    var lockWaitDuration: Duration { lockWait.flatMap(DurationText.parse) ?? .zero }

    /// The plugins for `pipeline`'s stages, checked before anything changes; exits 1 with
    /// positioned errors when a stage cannot run.
    func registry(for pipeline: Pipeline, stages: [Stage]) throws -> PluginRegistry {
        let registry: PluginRegistry
        do {
            registry = try PluginRegistry.load(PluginSearchPath.standard(pluginPaths: pluginPaths, projectRoot: pipeline.root))
        } catch {
            printError(error.description)
            throw Exit.invalidInput
        }
        let problems = StageDeployer.check(pipeline, stages: stages, registry: registry, pins: pipeline.pluginPins)
        if !problems.isEmpty {
            report(problems)
            throw Exit.invalidInput
        }
        return registry
    }
}
