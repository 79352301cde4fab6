import ArgumentParser
import Foundation
import SlipwayAppSpec
import SlipwayCore
import SlipwayHost
import SlipwayYAML

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check pipelines for errors without running anything.",
        discussion: """
        Reports every problem of every file with its position (file:line:column) and field path. \
        Environment variables a pipeline reads need not be set here: missing ones are warnings. \
        Also takes an appspec.yml (EC2), a Lambda appspec (YAML or JSON, any name), an ECS appspec, or a revision \
        bundle (.tgz, .tar, .zip, .tzst) whose appspec, hook scripts and file mappings are checked. Exits 1 when any file has an error.
        """
    )

    @Argument(help: "Pipeline files, appspec files or revision bundles. Default: every pipelines/*.yml and *.yaml under the current directory.")
    var files: [String] = []

    func run() throws {
        let targets = files.isEmpty ? defaultPipelines() : files
        guard !targets.isEmpty else {
            printError("no pipelines given and none found in pipelines/")
            throw Exit.invalidInput
        }
        let loader = PipelineLoader(strictness: .lenient)
        var failed = 0
        for file in targets {
            // An ECS appspec is told from an EC2 one (same file names) by its AWS::ECS::Service resource.
            if let diagnostics = ECSAppSpecLoader.check(path: file) {
                report(diagnostics)
                if diagnostics.contains(where: { $0.severity == .error }) { failed += 1 } else { print("\(file): ok (ECS appspec)") }
                continue
            }
            // A Lambda appspec is told apart by its content (Resources of a function), so
            // appspec.json and any other name work.
            if LambdaAppSpecLoader.isLambdaAppSpec(path: file) {
                let diagnostics = LambdaAppSpecLoader.load(path: file).diagnostics
                report(diagnostics)
                if diagnostics.contains(where: { $0.severity == .error }) { failed += 1 } else { print("\(file): ok (Lambda appspec)") }
                continue
            }
            if RevisionCheck.isAppSpec(file) || RevisionCheck.isBundle(file) {
                let diagnostics = RevisionCheck.isAppSpec(file) ? RevisionCheck.check(appSpec: file) : RevisionCheck.check(bundle: file)
                report(diagnostics)
                if diagnostics.contains(where: { $0.severity == .error }) { failed += 1 } else { print("\(file): ok") }
                continue
            }
            do {
                let loaded = try loader.load(path: file)
                report(loaded.warnings)
                print("\(file): ok (\(loaded.pipeline.stages.count) stage\(loaded.pipeline.stages.count == 1 ? "" : "s"))")
            } catch {
                report(error.diagnostics)
                failed += 1
            }
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("\(failed) of \(targets.count) pipeline\(targets.count == 1 ? "" : "s") invalid\n".utf8))
            throw Exit.invalidInput
        }
    }

    func defaultPipelines() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "pipelines")) ?? []
        return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { "pipelines/\($0)" }
    }
}
