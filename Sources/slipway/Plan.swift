import ArgumentParser
import SlipwayCore
import SlipwayYAML
import SlipwayEvents

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what `run` would do, changing nothing.",
        discussion: """
        Lists the build steps, the packaging, the store and each stage with its strategy expanded: \
        batches and the healthy hosts they keep for in-place fleets, the weight schedule for \
        traffic shifting.
        """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a declared variable.", valueName: "name=value"))
    var vars: [String] = []

    @Option(help: "Expand fleet strategies for this many hosts when a stage doesn't list its hosts.")
    var hosts: Int?

    func validate() throws {
        if let hosts, hosts < 1 { throw ValidationError("--hosts must be at least 1") }
    }

    func run() throws {
        let loader = PipelineLoader(varOverrides: try parseVars(vars))
        do {
            let loaded = try loader.load(path: pipeline)
            report(loaded.warnings)
            let masker = SecretMasker()
            for secret in loaded.pipeline.secrets { masker.add(secret) }
            for line in PlanDescription(pipeline: loaded.pipeline, hostCount: hosts).lines() {
                print(masker.mask(line))
            }
        } catch {
            report(error.diagnostics)
            throw Exit.invalidInput
        }
    }
}

/// `--var NAME=value` pairs.
func parseVars(_ pairs: [String]) throws -> [String: String] {
    var vars: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("--var takes name=value, got \"\(pair)\"")
        }
        vars[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return vars
}
