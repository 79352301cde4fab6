import ArgumentParser

@main
struct Slipway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "Build, package and deploy a revision, CodeDeploy-style, with no control plane.",
        discussion: """
        A pipeline (pipelines/*.yml) names build steps, how to package the revision, where to store \
        it and the stages that deploy it. Reference: docs/pipeline-reference.md.

        Exit codes: 0 success · 1 invalid input (pipeline errors) · 2 a build step failed · \
        3 a stage failed or was rolled back · 4 packaging or the store failed · 5 a stage is locked by another runner · 64 bad command-line usage · 130 interrupted.
        """,
        version: SlipwayVersion.current,
        subcommands: [Validate.self, Plan.self, Run.self, PackageCommand.self, Push.self, Revisions.self,
                      Deploy.self, Rollback.self, Resume.self, History.self, Status.self, Lock.self, Plugins.self,
                      InstallLatest.self]
    )
}

enum SlipwayVersion {
    static let current = "0.1.0"
}
