import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayYAML

/// Loads a pipeline for a command that acts on it, reporting problems the common way.
func loadForAction(_ path: String, vars: [String]) throws -> Pipeline {
    let loader = PipelineLoader(varOverrides: try parseVars(vars))
    do {
        let loaded = try loader.load(path: path)
        report(loaded.warnings)
        return loaded.pipeline
    } catch {
        report(error.diagnostics)
        throw Exit.invalidInput
    }
}

/// The pipeline a packaging command acts on, with its `--var` overrides.
struct PipelineArguments: ParsableArguments {
    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a declared variable.", valueName: "name=value"))
    var vars: [String] = []

    func pusher(_ output: OutputOptions) throws -> RevisionPusher {
        let pipeline = try loadForAction(self.pipeline, vars: vars)
        return RevisionPusher(pipeline: pipeline, store: try makeStore(pipeline), sink: output.makeSink(secrets: pipeline.secrets).sink)
    }
}

struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Package the pipeline's revision into an archive and print its SHA-256.",
        discussion: """
        The archive is deterministic: the same tree gives the same bytes, and so the same SHA-256, \
        on any machine. Without --output it is kept in .slipway/revisions/<sha256>.<ext>.
        """
    )

    @OptionGroup var target: PipelineArguments

    @Option(name: .shortAndLong, help: "Write the archive here instead.")
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let pusher = try target.pusher(outputOptions)
        do {
            let packaged = try pusher.package(output: output)
            print("\(packaged.metadata.sha256)  \(packaged.path)")
        } catch {
            printError(error.description)
            throw Exit.packagingFailed
        }
    }
}

struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Package the revision and upload it to the pipeline's store.",
        discussion: """
        Prints the revision id and where it is stored. An unchanged tree is not packaged again, \
        and a revision the store already holds is not uploaded again.
        """
    )

    @OptionGroup var target: PipelineArguments

    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let pusher = try target.pusher(outputOptions)
        do {
            let pushed = try await pusher.push()
            let verb = pushed.uploaded ? "pushed to" : "already in the store, upload skipped:"
            print("revision \(pushed.packaged.metadata.sha256) \(verb) \(pushed.location)")
        } catch {
            printError(error.description)
            throw Exit.packagingFailed
        }
    }
}

struct Revisions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the revisions a pipeline has pushed, newest first.")

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let pipeline = try loadForAction(self.pipeline, vars: [])
        let store = try makeStore(pipeline)
        let revisions: [RevisionMetadata]
        do {
            revisions = try await listRevisions(pipeline: pipeline.name, store: store)
        } catch {
            printError(error.description)
            throw Exit.packagingFailed
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(revisions), as: UTF8.self))
            return
        }
        guard !revisions.isEmpty else {
            print("no revisions of \(pipeline.name) in \(store.location)")
            return
        }
        let formatter = ISO8601DateFormatter()
        print("REVISION      CREATED               SIZE        FILES  FORMAT  COMMIT")
        for revision in revisions {
            let size = String(revision.size).padding(toLength: 11, withPad: " ", startingAt: 0)
            let files = String(revision.fileCount).padding(toLength: 6, withPad: " ", startingAt: 0)
            let format = revision.format.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            print("\(revision.shortID)  \(formatter.string(from: revision.createdAt))  \(size) \(files) \(format) \(revision.gitCommit.map { String($0.prefix(12)) } ?? "-")")
        }
    }
}

/// The pipeline's store, or a clear error when it cannot be used.
func makeStore(_ pipeline: Pipeline) throws -> any ArtifactStore {
    do {
        return try StoreFactory.make(pipeline.store, environment: ProcessInfo.processInfo.environment)
    } catch {
        printError("store \(pipeline.store.url): \(error)")
        throw Exit.packagingFailed
    }
}
