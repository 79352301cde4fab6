import Foundation
import Testing
import SlipwayYAML
import SlipwayAWS
@testable import SlipwayCore

/// Loads pipeline text as if it were `pipelines/web.yml` in /repo.
func loadPipeline(_ text: String, environment: [String: String] = [:], vars: [String: String] = [:],
                  strictness: InterpolationContext.Strictness = .strict, gitSHA: String? = nil) throws(DiagnosticList) -> LoadedPipeline {
    let loader = PipelineLoader(environment: environment, varOverrides: vars, strictness: strictness,
                                gitSHA: { _ in gitSHA })
    return try loader.load(bytes: Array(text.utf8), file: "/repo/pipelines/web.yml")
}

func diagnostics(of text: String, environment: [String: String] = [:]) -> [String] {
    do {
        let loaded = try loadPipeline(text, environment: environment)
        return loaded.warnings.map(\.description)
    } catch {
        return error.diagnostics.map { $0.description.replacingOccurrences(of: "/repo/pipelines/web.yml", with: "web.yml") }
    }
}

@Suite struct PipelineLoaderTests {
    @Test func fullPipelineDecodes() throws {
        let loaded = try loadPipeline("""
        version: 1
        name: web
        env:
          REGION: eu-west-1
        vars:
          IMAGE: web:1
          TOKEN: {fromEnv: DEPLOY_TOKEN, secret: true}
        revision:
          source: app
          format: tzst
          include: ["**"]
          exclude: ["*.log", tmp/]
        build:
          - name: compile
            run: make IMAGE=${{ vars.IMAGE }}
            dir: app
            env: {CC: clang}
            timeout: 10m
          - run: make test
        store:
          url: s3://my-bucket/releases
          region: ${{ env.REGION }}
          endpoint: http://127.0.0.1:5000
        stages:
          - name: staging
            type: ec2
            strategy: CodeDeployDefault.HalfAtATime
            hooks:
              ValidateService: [./check.sh]
            gates:
              - http: http://127.0.0.1:8080/health
                expectBody: ok
              - alarm: HighErrors
            with:
              hosts: [a, b, c]
              tag: ${{ revision.sha256 }}
              port: 8080
          - name: prod
            type: lambda
            needs: [staging]
            strategy:
              canary: {percent: 10, interval: 30s}
        """, environment: ["DEPLOY_TOKEN": "s3cr3t"])
        let pipeline = loaded.pipeline
        #expect(loaded.warnings.isEmpty)
        #expect(pipeline.name == "web")
        #expect(pipeline.root == "/repo")
        #expect(pipeline.env == ["REGION": "eu-west-1"])
        #expect(pipeline.vars["TOKEN"] == Variable(value: "s3cr3t", secret: true))
        #expect(pipeline.secrets == ["s3cr3t"])
        #expect(pipeline.revision == RevisionSpec(source: "/repo/app", format: .tzst, include: ["**"], exclude: ["*.log", "tmp/"]))
        #expect(pipeline.build == [
            BuildStep(name: "compile", run: "make IMAGE=web:1", dir: "/repo/app", env: ["CC": "clang"], timeout: .seconds(600)),
            BuildStep(name: "step 2", run: "make test", dir: "/repo", env: [:], timeout: nil),
        ])
        #expect(pipeline.store == StoreSpec(url: "s3://my-bucket/releases", location: .s3(bucket: "my-bucket", prefix: "releases"),
                                            region: "eu-west-1", endpoint: "http://127.0.0.1:5000"))
        let staging = try #require(pipeline.stage(named: "staging"))
        #expect(staging.strategy == StageStrategy(name: "CodeDeployDefault.HalfAtATime", config: .fleet(.fleetPercent(50))))
        #expect(staging.hooks == ["ValidateService": ["./check.sh"]])
        #expect(staging.gates == [
            Gate(name: "http http://127.0.0.1:8080/health", check: .http(url: "http://127.0.0.1:8080/health", status: 200, body: "ok"),
                 interval: .seconds(10), timeout: .seconds(5), failureBudget: 1),
            Gate(name: "alarm HighErrors", check: .alarm(name: "HighErrors"), interval: .seconds(10), timeout: .seconds(5), failureBudget: 0),
        ])
        // Revision values are unknown until packaging: kept as written for the stage to resolve.
        #expect(staging.with["tag"] == .string("${{ revision.sha256 }}"))
        #expect(staging.with["port"] == .number(8080))
        #expect(staging.with["hosts"] == .array([.string("a"), .string("b"), .string("c")]))
        let prod = try #require(pipeline.stage(named: "prod"))
        #expect(prod.strategy == StageStrategy(name: nil, config: .traffic(.canary(percent: 10, interval: .seconds(30)))))
        #expect(prod.needs == ["staging"])
    }

    @Test func defaultsApplyWhenSectionsAreOmitted() throws {
        let pipeline = try loadPipeline("name: tiny\n").pipeline
        #expect(pipeline.revision == RevisionSpec(source: "/repo", format: .tgz, include: [], exclude: []))
        #expect(pipeline.store.location == .file(path: "/repo/.slipway/store"))
        #expect(pipeline.build.isEmpty && pipeline.stages.isEmpty)
    }

    @Test func storeAsAPlainURL() throws {
        let pipeline = try loadPipeline("name: x\nstore: file://artifacts\n").pipeline
        #expect(pipeline.store.location == .file(path: "/repo/artifacts"))
        let absolute = try loadPipeline("name: x\nstore: file:///var/slipway\n").pipeline
        #expect(absolute.store.location == .file(path: "/var/slipway"))
    }

    @Test("s3:// transfer settings: sizes with units, defaults for what is left out")
    func storeTransferSettings() throws {
        let pipeline = try loadPipeline("""
        name: x
        store: {url: s3://bkt/p, multipartThreshold: 512MiB, partSize: 16000000, concurrency: 8}
        """).pipeline
        #expect(pipeline.store.transfer == S3TransferOptions(multipartThreshold: 512 << 20, partSize: 16_000_000, maxConcurrentParts: 8))
        let partial = try loadPipeline("name: x\nstore: {url: s3://bkt/p, partSize: 1GB}\n").pipeline
        #expect(partial.store.transfer == S3TransferOptions(partSize: 1_000_000_000))
        #expect(try loadPipeline("name: x\nstore: s3://bkt/p\n").pipeline.store.transfer == S3TransferOptions())
    }

    @Test("byte sizes: bytes, binary and decimal units; everything else refused")
    func byteSizes() {
        #expect(ByteSizeText.parse("8388608") == 8_388_608)
        #expect(ByteSizeText.parse("8MiB") == 8 << 20)
        #expect(ByteSizeText.parse(" 5 GiB ") == 5 << 30)
        #expect(ByteSizeText.parse("100MB") == 100_000_000)
        #expect(ByteSizeText.parse("1KB") == 1_000)
        #expect(ByteSizeText.parse("2KiB") == 2_048)
        for bad in ["", "MiB", "-1MiB", "1.5GiB", "8mib", "8Mb", "8 MiB x", "99999999999999999999", "9000000000GiB"] {
            #expect(ByteSizeText.parse(bad) == nil, "\(bad)")
        }
        #expect(ByteSizeText.format(8 << 20) == "8MiB")
        #expect(ByteSizeText.format(5 << 30) == "5GiB")
        #expect(ByteSizeText.format(1_000) == "1000B")
    }

    @Test func customStrategies() throws {
        let pipeline = try loadPipeline("""
        name: x
        stages:
          - {name: a, type: ec2, strategy: {minimumHealthyHosts: {type: FLEET_PERCENT, value: 75}}}
          - {name: b, type: ecs, strategy: {linear: {percent: 20, interval: 90s}}}
          - {name: c, type: lambda, strategy: {steps: [{percent: 5, bake: 10s}, {percent: 50, bake: 1m}, {percent: 100}]}}
          - {name: d, type: ecs, strategy: {allAtOnce: true}}
          - {name: e, type: ec2, strategy: {config: CodeDeployDefault.OneAtATime}}
        """).pipeline
        #expect(pipeline.stages.map(\.strategy?.config) == [
            .fleet(.fleetPercent(75)),
            .traffic(.linear(percent: 20, interval: .seconds(90))),
            .traffic(.steps([TrafficStep(percent: 5, bake: .seconds(10)), TrafficStep(percent: 50, bake: .seconds(60)), TrafficStep(percent: 100, bake: .zero)])),
            .traffic(.allAtOnce),
            .fleet(.allButOne),
        ])
    }

    /// Each invalid pipeline with the exact message(s) and positions it must produce.
    static let invalid: [(String, [String])] = [
        ("name: web\nstages:\n  - name: a\n    type: ec2\n  - name: b\n    type: ec2\n    strategy: CodeDeployDefault.HalfAtATim\n",
         ["web.yml:7:15: stages[1].strategy: unknown deployment config \"CodeDeployDefault.HalfAtATim\" (did you mean \"CodeDeployDefault.HalfAtATime\"?)"]),
        ("name: web\nbuidl: []\n",
         ["web.yml:2:1: unknown key \"buidl\" (did you mean \"build\"?)"]),
        ("build: []\n",
         ["web.yml:1:1: missing required key \"name\""]),
        ("name: web\nbuild:\n  - name: x\n    timeout: soon\n",
         ["web.yml:3:5: build[0]: missing required key \"run\"",
          "web.yml:4:14: build[0].timeout: \"soon\" is not a duration (examples: 30s, 5m, 1h30m)"]),
        ("name: web\nname: again\n",
         ["web.yml:2:1: duplicate key \"name\" (first defined at 1:1)"]),
        ("name: [web]\nstages: {}\n",
         ["web.yml:1:7: name: expected a string, found a list",
          "web.yml:2:9: stages: expected a list, found a mapping"]),
        ("name: web\nstages:\n  - name: a\n    type: lambda\n    strategy: CodeDeployDefault.HalfAtATime\n",
         ["web.yml:5:15: stages[0].strategy: CodeDeployDefault.HalfAtATime is a server deployment config; this stage's target needs a lambda one"]),
        ("name: web\nstages:\n  - name: a\n    type: ec2\n    needs: [b]\n",
         ["web.yml:3:5: stages[0].needs: needs unknown stage \"b\""]),
        ("name: web\nstages:\n  - {name: a, type: ec2, needs: [b]}\n  - {name: b, type: ec2, needs: [a]}\n",
         ["web.yml:2:1: stages: stages need each other in a cycle: a → b → a"]),
        ("name: web\nstages:\n  - {name: a, type: ec2}\n  - {name: a, type: ec2}\n",
         ["web.yml:4:5: stages[1].name: a stage named \"a\" is already defined"]),
        ("name: web\nstore: ftp://x\n",
         ["web.yml:2:8: store: store must be a file:// or s3:// URL, found \"ftp://x\""]),
        ("name: web\nstore: s3://Bad_Bucket\n",
         ["web.yml:2:8: store: \"Bad_Bucket\" is not a valid S3 bucket name (3–63 lowercase letters, digits, '.' and '-')"]),
        ("name: web\nstore: {url: s3://bkt, multipartThreshold: 8 megs, partSize: 1MiB, concurrency: 0}\n",
         ["web.yml:2:44: store.multipartThreshold: \"8 megs\" is not a size (examples: 8MiB, 100MB, 5GiB, 8388608)",
          "web.yml:2:62: store.partSize: 1MiB is out of range (5MiB–5GiB)",
          "web.yml:2:81: store.concurrency: 0 is out of range (1–64)"]),
        ("name: web\nstore: {url: file://x, partSize: 8MiB}\n",
         ["web.yml:2:8: store: multipartThreshold, partSize, concurrency apply to s3:// stores only"]),
        ("name: web\nrevision: {format: tgx}\n",
         ["web.yml:2:20: revision.format: unknown format \"tgx\" (did you mean \"tgz\"?) (one of: tgz, tar, zip, tzst)"]),
        ("name: web\nbuild:\n  - run: echo ${{ vars.NOPE }}\n",
         ["web.yml:3:10: build[0].run: unknown variable \"NOPE\""]),
        ("name: web\nbuild:\n  - run: echo ${{ secrets.X }}\n",
         ["web.yml:3:10: build[0].run: unknown namespace \"secrets\" (known: env, vars, git, revision)"]),
        ("name: web\nbuild:\n  - run: echo ${{ env.HOME\n",
         ["web.yml:3:10: build[0].run: unterminated expression: \"${{\" has no closing \"}}\""]),
        ("name: web\nbuild:\n  - run: echo ${{ env.MISSING }}\n",
         ["web.yml:3:10: build[0].run: environment variable MISSING is not set"]),
        ("name: web\nbuild:\n  - run: tar cf x ${{ revision.sha256 }}\n",
         ["web.yml:3:10: build[0].run: revision.sha256 is only known after packaging: use it in stages, not here"]),
        ("name: web\nstages:\n  - name: a\n    type: ec2\n    hooks:\n      Install: [x]\n      ValidateServic: [y]\n",
         ["web.yml:6:7: stages[0].hooks: Install is run by Slipway itself and takes no hooks",
          "web.yml:7:7: stages[0].hooks: unknown lifecycle event \"ValidateServic\" (did you mean \"ValidateService\"?)"]),
        ("name: web\nstages:\n  - name: a\n    type: ec2\n    gates:\n      - {alarm: A, http: http://x}\n      - {http: ftp://x}\n",
         ["web.yml:6:9: stages[0].gates[0]: a gate checks one thing: give only one of alarm, http",
          "web.yml:7:16: stages[0].gates[1].http: \"ftp://x\" is not an http:// or https:// URL"]),
        ("name: web\nstages:\n  - name: a\n    type: ecs\n    strategy: {canary: {percent: 100, interval: 5m}}\n",
         ["web.yml:5:34: stages[0].strategy.canary.percent: 100 is out of range (1–99)"]),
        ("name: web\nstages:\n  - name: a\n    type: ec2\n    strategy: {minimumHealthyHosts: {type: FLEET_PERCENTS, value: 50}}\n",
         ["web.yml:5:44: stages[0].strategy.minimumHealthyHosts.type: unknown type \"FLEET_PERCENTS\" (did you mean \"FLEET_PERCENT\"?) (HOST_COUNT or FLEET_PERCENT)"]),
        ("name: web\nstages:\n  - name: a\n    type: lambda\n    strategy: {minimumHealthyHosts: {type: HOST_COUNT, value: 1}}\n",
         ["web.yml:5:37: stages[0].strategy: minimumHealthyHosts applies to in-place fleets; lambda stages shift traffic (use canary, linear, steps or allAtOnce)"]),
        ("name: web\nversion: 2\n",
         ["web.yml:2:10: version: unsupported pipeline format version 2 (this Slipway reads version 1)"]),
        ("name: web\nstages: [\n",
         ["web.yml:3:1: did not find expected node content (while parsing a flow node at 3:1)"]),
        ("", ["web.yml:1:1: the file is empty"]),
    ]

    @Test(arguments: invalid)
    func invalidPipelinesReportExactPositions(_ text: String, _ expected: [String]) {
        #expect(diagnostics(of: text) == expected)
    }

    @Test func varOverridesMustBeDeclared() throws {
        let pipeline = try loadPipeline("name: x\nvars: {V: a}\nbuild:\n  - run: echo ${{ vars.V }}\n", vars: ["V": "b"]).pipeline
        #expect(pipeline.build.first?.run == "echo b")
        #expect(throws: DiagnosticList.self) {
            try loadPipeline("name: x\nvars: {V: a}\n", vars: ["W": "b"])
        }
    }

    @Test func lenientModeWarnsAboutUnsetEnvironment() throws {
        let loaded = try loadPipeline("name: x\nvars:\n  T: {fromEnv: TOKEN, secret: true}\nbuild:\n  - run: echo ${{ env.HOME2 }}\n",
                                      strictness: .lenient)
        #expect(loaded.warnings.map(\.description) == [
            "/repo/pipelines/web.yml:3:6: warning: vars.T: environment variable TOKEN is not set here; it must be set when the pipeline runs",
            "/repo/pipelines/web.yml:5:10: warning: build[0].run: environment variable HOME2 is not set here; it must be set when the pipeline runs",
        ])
    }

    @Test func gitSHAComesFromTheRepository() throws {
        let pipeline = try loadPipeline("name: x\nbuild:\n  - run: echo ${{ git.sha }}\n", gitSHA: "abc123").pipeline
        #expect(pipeline.build.first?.run == "echo abc123")
        #expect(diagnostics(of: "name: x\nbuild:\n  - run: echo ${{ git.sha }}\n") ==
                ["web.yml:3:10: build[0].run: git.sha: the pipeline is not in a git repository with a commit"])
    }

    @Test func anchorsAndMergeKeysWorkInPipelines() throws {
        let pipeline = try loadPipeline("""
        name: x
        build:
          - &step {name: one, run: echo 1, timeout: 1m}
          - <<: *step
            name: two
        """).pipeline
        #expect(pipeline.build.map(\.name) == ["one", "two"])
        #expect(pipeline.build[1].timeout == .seconds(60))
    }

    @Test func secretsNeverAppearInErrorMessages() {
        let messages = diagnostics(of: "name: x\nvars:\n  T: {value: hunter2, secret: true}\nbuild:\n  - run: x\n    timeout: ${{ vars.T }}\n")
        #expect(messages == ["web.yml:6:14: build[0].timeout: \"***\" is not a duration (examples: 30s, 5m, 1h30m)"])
    }

    @Test func varOverridesNeedDeclaredVariables() {
        #expect(throws: DiagnosticList.self) { try loadPipeline("name: x\n", vars: ["V": "1"]) }
    }

    @Test func varOverrideStandsInForAnUnsetEnvironmentVariable() throws {
        let pipeline = try loadPipeline("name: x\nvars:\n  T: {fromEnv: NOT_SET, secret: true}\n", vars: ["T": "given"]).pipeline
        #expect(pipeline.vars["T"] == Variable(value: "given", secret: true))
    }

    @Test func aLongChainOfStagesDoesNotExhaustTheStack() throws {
        var text = "name: chain\nstages:\n"
        for index in 0..<12_000 {
            text += "  - {name: s\(index), type: ec2, needs: [s\(index + 1)]}\n"
        }
        text += "  - {name: s12000, type: ec2, needs: [s0]}\n"
        let messages = diagnostics(of: text)
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("web.yml:2:1: stages: stages need each other in a cycle: s0 → s1 → ") == true)
    }

    @Test func hookListsAcceptOneOrManyEntries() throws {
        let stage = try loadPipeline("""
        name: x
        stages:
          - name: a
            type: lambda
            hooks:
              BeforeAllowTraffic: checkFn
              AfterAllowTraffic: [one, two]
        """).pipeline.stages[0]
        #expect(stage.hooks == ["BeforeAllowTraffic": ["checkFn"], "AfterAllowTraffic": ["one", "two"]])
    }

    @Test func missingFileIsReported() {
        #expect(throws: DiagnosticList.self) {
            try PipelineLoader().load(path: "/nonexistent/pipelines/none.yml")
        }
    }
}
