import Foundation
import SlipwayAppSpec
import SlipwayAWS
import SlipwayTestSupport
import SlipwayYAML
import Testing

/// CodeDeploy's Lambda appspec: read from YAML or JSON with positioned errors, checked by
/// `slipway validate` on its own, and deployed by a stage that names it.
@Suite("Lambda appspec")
struct LambdaAppSpecTests {
    static let valid = """
    version: 0.0
    Resources:
      - myFunction:
          Type: AWS::Lambda::Function
          Properties:
            Name: checkout
            Alias: live
            CurrentVersion: "1"
            TargetVersion: 2
    Hooks:
      - BeforeAllowTraffic: PreHook
      - AfterAllowTraffic: PostHook
    """

    @Test("the YAML form gives function, alias, versions and hooks")
    func yaml() throws {
        let loaded = LambdaAppSpecLoader.load(text: Self.valid, file: "appspec.yml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let spec = try #require(loaded.appSpec)
        #expect(spec == LambdaAppSpec(resource: "myFunction", function: "checkout", alias: "live", currentVersion: "1", targetVersion: "2",
                                      hooks: ["BeforeAllowTraffic": ["PreHook"], "AfterAllowTraffic": ["PostHook"]]))
    }

    @Test("the JSON form, with lower-case keys as the CodeDeploy guide prints them, reads the same")
    func json() throws {
        let text = """
        {"version": 0.0,
         "resources": [{"myFunction": {"type": "AWS::Lambda::Function",
                        "properties": {"name": "checkout", "alias": "live", "currentVersion": "1", "targetVersion": "2"}}}],
         "hooks": [{"BeforeAllowTraffic": "PreHook"}, {"AfterAllowTraffic": "PostHook"}]}
        """
        let loaded = LambdaAppSpecLoader.load(text: text, file: "appspec.json")
        #expect(loaded.errors.isEmpty, "\(loaded.diagnostics)")
        #expect(loaded.appSpec?.function == "checkout" && loaded.appSpec?.targetVersion == "2")
        #expect(loaded.appSpec?.hooks["AfterAllowTraffic"] == ["PostHook"])
        #expect(LambdaAppSpecLoader.isLambdaAppSpec(bytes: Array(text.utf8)))
    }

    @Test("every problem is reported at its line and column with its field path")
    func positionedErrors() {
        let text = """
        version: 0.0
        Resources:
          - myFunction:
              Type: AWS::Lambda::Functon
              Properties:
                Name: checkout
                CurrentVersion: $LATEST
                TargetVersion: "2"
                Colour: blue
        Hooks:
          - BeforeAllowTrafic: PreHook
          - AfterInstall: X
        """
        let loaded = LambdaAppSpecLoader.load(text: text, file: "appspec.yml")
        #expect(loaded.appSpec == nil)
        let lines = loaded.diagnostics.map(\.description)
        #expect(lines.contains("appspec.yml:4:13: Resources[0].myFunction.Type: Type must be AWS::Lambda::Function, found \"AWS::Lambda::Functon\""), "\(lines)")
        #expect(lines.contains("appspec.yml:6:9: Resources[0].myFunction.Properties: missing required key \"Alias\""), "\(lines)")
        #expect(lines.contains("appspec.yml:7:25: Resources[0].myFunction.Properties.CurrentVersion: CurrentVersion must be a published version number (1, 2, …), found \"$LATEST\""), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("appspec.yml:9:9: warning: Resources[0].myFunction.Properties: unknown key \"Colour\" is ignored") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("appspec.yml:11:5: Hooks[0]: \"BeforeAllowTrafic\" is not a Lambda lifecycle event") && $0.contains("did you mean \"BeforeAllowTraffic\"") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("appspec.yml:12:5: Hooks[1]: \"AfterInstall\" is not a Lambda lifecycle event") }, "\(lines)")
        #expect(loaded.warnings.count == 1)
    }

    @Test("two functions, a missing Resources, a wrong version, an ECS resource: errors, and ECS is not taken for Lambda")
    func structuralErrors() {
        let two = LambdaAppSpecLoader.load(text: """
        version: 0.0
        Resources:
          - a: {Type: AWS::Lambda::Function, Properties: {Name: f, Alias: l, CurrentVersion: 1, TargetVersion: 2}}
          - b: {Type: AWS::Lambda::Function, Properties: {Name: g, Alias: l, CurrentVersion: 1, TargetVersion: 2}}
        """, file: "a.yml")
        #expect(two.errors.map(\.description) == ["a.yml:4:5: Resources[1]: a Lambda deployment shifts one function: give only one resource"])
        let none = LambdaAppSpecLoader.load(text: "version: 1.0\nHooks: []\n", file: "b.yml")
        #expect(Set(none.errors.map(\.description)) == ["b.yml:1:1: missing required key \"Resources\"",
                                                        "b.yml:1:10: version: version must be 0.0, found \"1.0\""])
        let ecs = "version: 0.0\nResources:\n  - svc: {Type: AWS::ECS::Service, Properties: {TaskDefinition: x}}\n"
        #expect(!LambdaAppSpecLoader.isLambdaAppSpec(bytes: Array(ecs.utf8)))
        #expect(!LambdaAppSpecLoader.isLambdaAppSpec(bytes: Array("name: app\nstages: []\n".utf8)))
    }

    @Test("slipway validate checks a Lambda appspec on its own: exit 1 with positions, or ok")
    func validateCommand() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-appspec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.valid.write(toFile: folder + "/appspec.yaml", atomically: true, encoding: .utf8)
        try #"{"version": "0.0", "Resources": [{"fn": {"Type": "AWS::Lambda::Function", "Properties": {"Name": "f", "Alias": "live", "CurrentVersion": "1", "TargetVersion": "x"}}}]}"#
            .write(toFile: folder + "/bad.json", atomically: true, encoding: .utf8)
        let good = try await validate(["appspec.yaml"], in: folder)
        #expect(good.status == 0 && good.output.contains("appspec.yaml: ok (Lambda appspec)"), "\(good.output)")
        let bad = try await validate(["bad.json"], in: folder)
        #expect(bad.status == 1)
        #expect(bad.output.contains("bad.json:1:160: Resources[0].fn.Properties.TargetVersion: TargetVersion must be a published version number"), "\(bad.output)")
    }

    func validate(_ arguments: [String], in folder: String) async throws -> LambdaFixture.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LambdaFixture.binary)
        process.arguments = ["validate"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let log = folder + "/validate.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        process.waitUntilExit()
        return LambdaFixture.Result(status: process.terminationStatus, output: try String(contentsOfFile: log, encoding: .utf8))
    }

    @Test("a stage naming an appspec shifts its alias from CurrentVersion to TargetVersion and runs its hooks")
    func appSpecDeployment() async throws {
        let fixture = try await LambdaFixture.make(stage: "    strategy: {canary: {percent: 20, interval: 3s}}")
        defer { fixture.remove() }
        // Versions 1 and 2 exist already; the alias serves 1.
        _ = try await fixture.lambda.publishVersion(fixture.function, codeSha256: nil)
        _ = try await fixture.lambda.updateFunctionCode(fixture.function, source: .zipFile(try await MotoLambda.zip(["handler.py": "v = 2\n"])))
        _ = try await fixture.lambda.waitForUpdate(fixture.function)
        _ = try await fixture.lambda.publishVersion(fixture.function, codeSha256: nil)
        _ = try await fixture.lambda.createAlias(fixture.function, name: "prod", version: "1")
        try fixture.write("appspec.yml", """
        version: 0.0
        Resources:
          - fn:
              Type: AWS::Lambda::Function
              Properties: {Name: \(fixture.function), Alias: prod, CurrentVersion: 1, TargetVersion: 2}
        Hooks:
          - BeforeAllowTraffic: PreTrafficHook
        """)
        let pipeline = try String(contentsOfFile: fixture.root + "/pipelines/app.yml", encoding: .utf8)
            .replacingOccurrences(of: "      function: \(fixture.function)\n      alias: live\n", with: "      appspec: appspec.yml\n")
        try fixture.write("pipelines/app.yml", pipeline)

        let result = try await MotoLambda.withInvokeLock {
            try await MotoLambda.queueInvokeResponses([#"{"status": "Succeeded"}"#], endpoint: fixture.endpoint)
            let (process, log) = try fixture.start(["run", "pipelines/app.yml"])
            var seen: [LambdaFixture.AliasState] = []
            while process.isRunning {
                if let alias = try? await fixture.lambda.alias(fixture.function, name: "prod") {
                    let state = LambdaFixture.AliasState(version: alias.functionVersion, weights: alias.additionalVersionWeights)
                    if seen.last != state { seen.append(state) }
                }
                try await Task.sleep(for: .milliseconds(150))
            }
            #expect(seen.contains(LambdaFixture.AliasState(version: "1", weights: ["2": 0.2])), "\(seen)")
            return try await fixture.wait(process, log: log)
        }
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("BeforeAllowTraffic hook PreTrafficHook: Succeeded"), "\(result.output)")
        let alias = try await fixture.lambda.alias(fixture.function, name: "prod")
        #expect(alias.functionVersion == "2" && alias.additionalVersionWeights.isEmpty)
        // The revision's code was not deployed: no third version.
        #expect(try await fixture.publishedVersions() == ["1", "2"])
    }
}
