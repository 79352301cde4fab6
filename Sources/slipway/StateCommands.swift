import ArgumentParser
import Foundation
import SlipwayCore

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the deploy plugins found, with version, target types and path.",
        discussion: "Search order: --plugin-path, SLIPWAY_PLUGIN_PATH, .slipway/plugins, ../lib/slipway/plugins beside the executable, the executable's folder."
    )

    @Option(name: .customLong("plugin-path"), help: ArgumentHelp("A folder to search first (repeatable).", valueName: "dir"))
    var pluginPaths: [String] = []

    func run() throws {
        let searchPath = PluginSearchPath.standard(pluginPaths: pluginPaths, projectRoot: FileManager.default.currentDirectoryPath)
        let registry: PluginRegistry
        do {
            registry = try PluginRegistry.load(searchPath)
        } catch {
            printError(error.description)
            throw Exit.invalidInput
        }
        if registry.plugins.isEmpty { print("no plugins found in: \(searchPath.directories.joined(separator: ", "))") }
        for plugin in registry.plugins {
            let types = plugin.manifest.targetTypes.map { "\($0.type) (\($0.primitives.rawValue))" }.joined(separator: ", ")
            print("\(plugin.manifest.name) \(plugin.manifest.version)  \(types)  \(plugin.path)")
        }
        for shadowed in registry.shadowed {
            print("note: \(shadowed.ignored) also serves \(shadowed.type); \(shadowed.used) comes first in the search path")
        }
        for problem in registry.skipped { print("skipped: \(problem)") }
    }
}

/// Opens a pipeline's store for the read-only state commands.
func stateStore(_ path: String) throws -> (Pipeline, any ArtifactStore) {
    let pipeline = try loadForAction(path, vars: [])
    return (pipeline, try makeStore(pipeline))
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a pipeline's deployments, newest first.")

    @Argument(help: "The pipeline file.") var pipeline: String
    @Option(help: "Only this stage.") var stage: String?
    @Option(help: "At most this many.") var limit = 20

    func run() async throws {
        let (pipeline, store) = try stateStore(self.pipeline)
        do {
            let records = try await DeploymentStore(store: store).history(pipeline: pipeline.name, stage: stage, limit: limit)
            if records.isEmpty { print("no deployments of \(pipeline.name) yet") }
            let formatter = ISO8601DateFormatter()
            for record in records {
                let rollback = record.rollbackOf.map { "rollback of \($0): " } ?? ""
                print("\(record.id)  \(record.stage)  \(record.status.rawValue)  \(record.revision.prefix(12))  \(formatter.string(from: record.startedAt))  \(rollback)\(record.reason ?? "")")
            }
        } catch {
            printError(error.description)
            throw Exit.packagingFailed
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one deployment, or each stage's last deployment and lock.")

    @Argument(help: "The pipeline file.") var pipeline: String
    @Argument(help: "A deployment id (d-XXXXXXXXX).") var id: String?

    func run() async throws {
        let (pipeline, store) = try stateStore(self.pipeline)
        let deployments = DeploymentStore(store: store)
        do {
            if let id {
                let parsed = try DeploymentID.parse(id)
                guard let stored = try await deployments.record(id: parsed) else {
                    printError("no deployment \(id) in \(store.location)")
                    throw Exit.invalidInput
                }
                let record = stored.record
                print("\(record.id): stage \(record.stage), \(record.status.rawValue), revision \(record.revision)")
                if let reason = record.reason { print("  \(reason)") }
                if let previous = record.previousRevision { print("  previous revision \(previous)") }
                for host in record.hosts { print("  host \(host.host): \(host.status.rawValue)\(host.message.map { " — \($0)" } ?? "")") }
                return
            }
            let lock = StageLock(store: store)
            for stage in pipeline.stages {
                let last = try await deployments.history(pipeline: pipeline.name, stage: stage.name, limit: 1).first
                let good = try await deployments.lastSuccessful(pipeline: pipeline.name, stage: stage.name)
                var line = "\(stage.name): "
                line += last.map { "last \($0.id) \($0.status.rawValue)" } ?? "never deployed"
                line += good.map { "; running \($0.revision.prefix(12))" } ?? ""
                if let holder = try await lock.status(pipeline: pipeline.name, stage: stage.name) { line += "; locked: \(holder.describe())" }
                print(line)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("\(error)")
            throw Exit.packagingFailed
        }
    }
}

struct Lock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or release stage locks.",
        subcommands: [LockStatus.self, LockRelease.self]
    )

    struct LockStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show who holds each stage's lock.")
        @Argument(help: "The pipeline file.") var pipeline: String

        func run() async throws {
            let (pipeline, store) = try stateStore(self.pipeline)
            do {
                let locks = try await StageLock(store: store).locks(pipeline: pipeline.name)
                if locks.isEmpty { print("no stage of \(pipeline.name) is locked") }
                for lock in locks { print(lock.describe()) }
            } catch {
                printError(error.description)
                throw Exit.packagingFailed
            }
        }
    }

    struct LockRelease: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "Remove a stage's lock (when its runner is gone for good).",
            discussion: "A runner that still lives will notice at its next refresh and stop deploying."
        )
        @Argument(help: "The pipeline file.") var pipeline: String
        @Argument(help: "The stage.") var stage: String

        func run() async throws {
            let (pipeline, store) = try stateStore(self.pipeline)
            do {
                if let released = try await StageLock(store: store).forceRelease(pipeline: pipeline.name, stage: stage) {
                    print("released: \(released.describe())")
                } else {
                    print("stage \(stage) was not locked")
                }
            } catch {
                printError(error.description)
                throw Exit.packagingFailed
            }
        }
    }
}
