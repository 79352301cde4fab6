import Foundation
import Synchronization
import Testing
import SlipwayYAML
import SlipwayCore

/// Feeds mutated pipelines to `PipelineLoader.load(bytes:file:)` and checks that it never crashes
/// or hangs, and that every input ends in either a pipeline or a list of errors a user can act on.
///
/// Deterministic: input `i` of a run depends only on the run's seed and `i`, so a failure
/// reproduces with the same `SLIPWAY_FUZZ_SEED` and at least as many iterations.
/// `SLIPWAY_FUZZ_ITERATIONS` (default 2000, to keep the normal suite fast) and `SLIPWAY_FUZZ_SEED`
/// (decimal or 0x-hex) configure a run; docs/testing.md has the long run.
@Suite struct PipelineFuzzTests {
    static let defaultIterations = 2000
    static let defaultSeed: UInt64 = 0x5EED_0051_1BA7_F022
    /// Mutations may grow an input (long lines, duplicated lines); past this it is cut, so an
    /// iteration stays cheap. The loader's own 16 MiB limit is not what is being fuzzed here.
    static let maximumInputSize = 256 * 1024
    /// A single small input still loading after this long is a hang, not a slow machine.
    static let stallLimit: Duration = .seconds(120)
    /// Enough recorded failures to see a pattern without flooding the log.
    static let maximumReportedFailures = 10

    @Test func mutatedPipelinesNeverCrashAndAlwaysExplainThemselves() async throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = try #require(FuzzSettings.iterations(from: environment["SLIPWAY_FUZZ_ITERATIONS"]),
                                      "SLIPWAY_FUZZ_ITERATIONS must be a non-negative integer")
        let seed = try #require(FuzzSettings.seed(from: environment["SLIPWAY_FUZZ_SEED"]),
                                "SLIPWAY_FUZZ_SEED must be a decimal or 0x-hexadecimal 64-bit number")
        // The input being loaded is kept on disk, so a crash or a hang leaves it behind for
        // `slipway validate` or a debugger; the file is removed when the run passes.
        let inputFile = CurrentInputFile()
        let inputPath = inputFile.path
        print("PipelineFuzzTests: seed \(FuzzSettings.hex(seed)), \(iterations) iterations; "
              + "the input being loaded is kept in \(inputPath) until the run passes")

        let watchdog = Watchdog(limit: Self.stallLimit) { iteration in
            "PipelineFuzzTests: input \(iteration) of seed \(FuzzSettings.hex(seed)) has been loading for "
                + "over \(Self.stallLimit): the loader hangs on the input in \(inputPath)"
        }
        defer { watchdog.stop() }

        var tally = Tally()
        for iteration in 0..<iterations {
            var random = SplitMix64(seed: seed ^ (UInt64(iteration) &* 0xD1B5_4A32_D192_ED03))
            let input = FuzzInput.make(&random, maximumSize: Self.maximumInputSize)
            let loader = FuzzInput.loader(&random)
            let file = FuzzInput.fileNames[random.below(FuzzInput.fileNames.count)]

            inputFile.store(input)
            watchdog.begin(iteration)
            let outcome = Result { () throws(DiagnosticList) in try loader.load(bytes: input, file: file) }
            watchdog.end()

            let problems = LoaderContract.violations(of: outcome, input: input, file: file)
            tally.count(outcome)
            if !problems.isEmpty {
                tally.failures += 1
                if tally.failures <= Self.maximumReportedFailures {
                    let saved = FailureArchive.save(input, seed: seed, iteration: iteration)
                    Issue.record("""
                        input \(iteration) of seed \(FuzzSettings.hex(seed)) (file name \(file), strictness \(loader.strictness), \
                        saved to \(saved)) broke the loader's contract:
                        \(problems.map { "  - \($0)" }.joined(separator: "\n"))
                        input (\(input.count) bytes): \(FuzzInput.escaped(input, limit: 2000))
                        """)
                }
            }
            if iteration % 200 == 199 { await Task.yield() }  // let other tests use this thread
        }
        print("PipelineFuzzTests: \(iterations) inputs: \(tally.loaded) loaded, \(tally.refused) refused, "
              + "\(tally.failures) broke the contract")
        if tally.failures == 0 { inputFile.remove() }

        // A mutator that only produced garbage (or only valid files) would fuzz nothing of interest.
        if iterations >= 200 {
            #expect(tally.loaded > 0, "no mutated input loaded: the mutations destroy every seed")
            #expect(tally.refused > 0, "no mutated input was refused: the mutations change nothing")
        }
    }

    @Test(arguments: FuzzInput.seeds.indices)
    func everySeedIsAValidPipeline(_ index: Int) throws {
        // Mutations start from valid pipelines so that most of them reach the decoder, not just
        // the YAML parser; a seed the loader refuses would silently weaken the fuzzing.
        let loader = PipelineLoader(environment: FuzzInput.fullEnvironment, varOverrides: [:], strictness: .strict,
                                    gitSHA: { _ in FuzzInput.commit })
        let loaded = try loader.load(bytes: Array(FuzzInput.seeds[index].utf8), file: "/repo/pipelines/seed\(index).yml")
        #expect(loaded.warnings.isEmpty)
        #expect(LoaderContract.violations(of: .success(loaded), input: Array(FuzzInput.seeds[index].utf8),
                                          file: "/repo/pipelines/seed\(index).yml").isEmpty)
    }

    @Test func generatorIsSplitMix64() {
        // Published SplitMix64 outputs: the same seed gives the same inputs on every machine.
        var zero = SplitMix64(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var other = SplitMix64(seed: 1_234_567)
        #expect([other.next(), other.next(), other.next()] == [0x599E_D017_FB08_FC85, 0x2C73_F084_5854_0FA5, 0x883E_BCE5_A3F2_7C77])
    }

    @Test func sameSeedAndIterationGiveTheSameInput() {
        var first = SplitMix64(seed: 42), second = SplitMix64(seed: 42)
        let a = FuzzInput.make(&first, maximumSize: Self.maximumInputSize)
        let b = FuzzInput.make(&second, maximumSize: Self.maximumInputSize)
        #expect(a == b)
    }

    @Test func settingsAreReadFromTheEnvironment() {
        #expect(FuzzSettings.iterations(from: nil) == Self.defaultIterations)
        #expect(FuzzSettings.iterations(from: "100000") == 100_000)
        #expect(FuzzSettings.iterations(from: "lots") == nil)
        #expect(FuzzSettings.iterations(from: "-1") == nil)
        #expect(FuzzSettings.seed(from: nil) == Self.defaultSeed)
        #expect(FuzzSettings.seed(from: "0x5EED") == 0x5EED)
        #expect(FuzzSettings.seed(from: "123") == 123)
        #expect(FuzzSettings.seed(from: "0xZZ") == nil)
    }

    @Test func contractCatchesWhatItIsMeantToCatch() {
        // The fuzz loop is only as good as this check: each broken outcome must be noticed.
        let input = Array("a: 1\nb: 2\n".utf8)
        func refused(_ diagnostics: [Diagnostic]) -> [String] {
            LoaderContract.violations(of: .failure(DiagnosticList(diagnostics)), input: input, file: "f.yml")
        }
        #expect(refused([Diagnostic(file: "f.yml", mark: Mark(line: 4, column: 1), message: "at the end")]).isEmpty)
        #expect(refused([Diagnostic(file: "f.yml", mark: nil, message: "no position")]).isEmpty)
        #expect(refused([]).count == 1)
        #expect(refused([Diagnostic(.warning, file: "f.yml", mark: nil, message: "only a warning")]).count == 1)
        #expect(refused([Diagnostic(file: "f.yml", mark: nil, message: " \n")]).count == 1)
        #expect(refused([Diagnostic(file: "g.yml", mark: nil, message: "other file")]).count == 1)
        #expect(refused([Diagnostic(file: "f.yml", mark: Mark(line: 0, column: 1), message: "line 0")]).count == 1)
        #expect(refused([Diagnostic(file: "f.yml", mark: Mark(line: 5, column: 1), message: "past the end")]).count == 1)
        #expect(refused([Diagnostic(file: "f.yml", mark: Mark(line: 1, column: 0), message: "column 0")]).count == 1)
    }

    @Test func lineCountFollowsYAMLLineBreaks() {
        #expect(LoaderContract.lineCount(Array("a\nb\n".utf8)) == 3)
        #expect(LoaderContract.lineCount(Array("a\r\nb".utf8)) == 2)
        #expect(LoaderContract.lineCount(Array("a\rb\u{85}c\u{2028}d\u{2029}e".utf8)) == 5)
        #expect(LoaderContract.lineCount([0xFF, 0xFE, 0x61, 0x00, 0x0A, 0x00, 0x62, 0x00]) == 2)
        #expect(LoaderContract.lineCount([]) == 1)
    }
}

// MARK: - The contract checked for every input

/// What `load(bytes:file:)` promises for any bytes at all.
private enum LoaderContract {
    static func violations(of outcome: Result<LoadedPipeline, DiagnosticList>, input: [UInt8], file: String) -> [String] {
        let lines = lineCount(input)
        switch outcome {
        case .failure(let list):
            var problems: [String] = []
            if list.diagnostics.isEmpty { problems.append("refused with no diagnostic at all") }
            if list.errors.isEmpty, !list.diagnostics.isEmpty { problems.append("refused with warnings only: \(list)") }
            return problems + list.diagnostics.flatMap { violations(of: $0, file: file, lines: lines) }
        case .success(let loaded):
            var problems = loaded.warnings.flatMap { violations(of: $0, file: file, lines: lines) }
            problems += loaded.warnings.filter { $0.severity != .warning }.map { "an error came back as a warning of a loaded pipeline: \($0)" }
            problems += violations(of: loaded.pipeline)
            return problems
        }
    }

    static func violations(of diagnostic: Diagnostic, file: String, lines: Int) -> [String] {
        var problems: [String] = []
        if diagnostic.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append("empty message: \(diagnostic)")
        }
        if diagnostic.file != file { problems.append("names file \"\(diagnostic.file)\" instead of \"\(file)\": \(diagnostic)") }
        if let mark = diagnostic.mark {
            if mark.line < 1 || mark.line > lines + 1 {
                problems.append("line \(mark.line) outside the input's \(lines) lines: \(diagnostic)")
            }
            if mark.column < 1 { problems.append("column \(mark.column) below 1: \(diagnostic)") }
        }
        return problems
    }

    /// A pipeline that loaded must be one the runner can use without checking again.
    static func violations(of pipeline: Pipeline) -> [String] {
        var problems: [String] = []
        if pipeline.name.isEmpty { problems.append("loaded a pipeline with an empty name") }
        let names = pipeline.stages.map(\.name)
        if Set(names).count != names.count { problems.append("loaded duplicate stage names \(names)") }
        for stage in pipeline.stages {
            for need in stage.needs where need == stage.name || !names.contains(need) {
                problems.append("stage \(stage.name) loaded with an impossible need \"\(need)\"")
            }
            if let strategy = stage.strategy, !strategy.config.validate().isEmpty {
                problems.append("stage \(stage.name) loaded with an invalid strategy: \(strategy.config.validate())")
            }
            for gate in stage.gates where gate.interval <= .zero || gate.timeout <= .zero || !(0...1000).contains(gate.failureBudget) {
                problems.append("stage \(stage.name) loaded with an out-of-range gate \(gate)")
            }
        }
        if let cycle = StageOrder.cycle(in: pipeline.stages) { problems.append("loaded stages in a cycle \(cycle)") }
        for step in pipeline.build {
            if let timeout = step.timeout, timeout <= .zero { problems.append("build step \(step.name) loaded with timeout \(timeout)") }
        }
        return problems
    }

    /// Lines as libyaml counts them: a line break is LF, CR, CR LF, NEL, LS or PS. libyaml reads
    /// UTF-16 when the input starts with a UTF-16 byte-order mark, so such input is counted in
    /// 16-bit units; invalid sequences are counted generously (they stop the parser anyway).
    static func lineCount(_ bytes: [UInt8]) -> Int {
        var codes: [UInt32] = []
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            var index = 2
            while index + 1 < bytes.count {
                let (low, high) = littleEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
                codes.append(UInt32(high) << 8 | UInt32(low))
                index += 2
            }
        } else {
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0x85 {
                    codes.append(0x85); index += 2
                } else if bytes[index] == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
                          bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                    codes.append(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029); index += 3
                } else {
                    codes.append(UInt32(bytes[index])); index += 1
                }
            }
        }
        var breaks = 0
        var index = 0
        while index < codes.count {
            switch codes[index] {
            case 0x0D:
                breaks += 1
                if index + 1 < codes.count, codes[index + 1] == 0x0A { index += 1 }
            case 0x0A, 0x85, 0x2028, 0x2029:
                breaks += 1
            default:
                break
            }
            index += 1
        }
        return breaks + 1
    }
}

// MARK: - Inputs

private enum FuzzInput {
    static let commit = "0123456789abcdef0123456789abcdef01234567"
    static let fullEnvironment = ["HOME": "/root", "DEPLOY_TOKEN": "s3cr3t", "AWS_REGION": "eu-west-1"]
    /// Project roots of every kind: under `pipelines/`, beside the file, relative to the current
    /// directory, and the filesystem root.
    static let fileNames = ["/repo/pipelines/web.yml", "/repo/ci/deploy.yaml", "pipelines/web.yml", "web.yml", "/web.yml"]

    /// Valid pipelines between them using every key of pipeline format v1 and every YAML
    /// feature the loader handles (docs/pipeline-reference.md).
    static let seeds: [String] = [
        """
        version: 1
        name: web
        env:
          AWS_REGION: eu-west-1
          TAG: web-${{ git.sha }}
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
          - run: |
              make test
              echo ${{ env.TAG }}
        store:
          url: s3://my-bucket/releases
          region: ${{ env.AWS_REGION }}
          endpoint: http://127.0.0.1:5000
        stages:
          - name: staging
            type: ec2
            strategy: CodeDeployDefault.HalfAtATime
            hooks:
              ValidateService: [./check.sh]
              AfterInstall: ./migrate.sh ${{ revision.sha256 }}
            gates:
              - http: http://127.0.0.1:8080/health
                expectStatus: 200
                expectBody: ok
              - alarm: HighErrors
              - command: ./probe.sh
                interval: 30s
                timeout: 10s
                failureBudget: 2
            with:
              hosts: [a, b, c]
              tag: ${{ revision.sha256 }}
              port: 8080
          - name: prod
            type: lambda
            needs: [staging]
            strategy:
              canary: {percent: 10, interval: 30s}

        """,
        """
        name: strategies
        stages:
          - {name: a, type: ec2, strategy: {minimumHealthyHosts: {type: FLEET_PERCENT, value: 75}}}
          - {name: b, type: ecs, strategy: {linear: {percent: 20, interval: 90s}}, needs: a}
          - {name: c, type: lambda, strategy: {steps: [{percent: 5, bake: 10s}, {percent: 50, bake: 1m}, {percent: 100}]}}
          - {name: d, type: ecs, strategy: {allAtOnce: true}}
          - {name: e, type: ec2, strategy: {config: CodeDeployDefault.OneAtATime}, needs: [a, b]}
          - {name: f, type: asg, strategy: {minimumHealthyHosts: {type: HOST_COUNT, value: 2}}}
          - {name: g, type: ecs, strategy: CodeDeployDefault.ECSLinear10PercentEvery1Minutes}

        """,
        """
        name: anchors
        vars:
          REGION: &region eu-west-1
        build:
          - &step {name: one, run: echo 1, timeout: 1m}
          - <<: *step
            name: two
          - <<: [*step, {dir: sub}]
            name: three
            run: echo ${{ vars.REGION }}
        store: {url: s3://bucket-1/x, region: *region}
        stages:
          - &stage
            name: blue
            type: ec2
            gates:
              - &gate {alarm: Errors, failureBudget: 0}
          - <<: *stage
            name: green
            needs: blue
            gates: [*gate, {http: "https://x/${{ revision.sha256 }}"}]

        """,
        "name: tiny\r\nstore: file://artifacts\r\n",
        """
        %YAML 1.1
        ---
        # Every scalar style.
        name: "styles"
        env:
          SINGLE: 'it''s'
          DOUBLE: "tab\\there ${{ env.HOME }}"
          FOLDED: >
            one
            two
          TAGGED: !!str 42
        build:
          - run: >-
              echo folded ${{ vars.V }}
            name: 'quoted name'
        vars: {V: "1", W: {value: x}}
        stages:
          - name: only
            type: custom-plugin
            strategy: CodeDeployDefault.LambdaCanary10Percent5Minutes
            with: {nested: {list: [1, 2.5, true, null, "s"]}, empty: {}}
        ...

        """,
    ]

    /// Fragments of YAML syntax and of the pipeline format, inserted at random places.
    static let tokens: [[UInt8]] = [
        "&a ", "*a", "<<: ", "<<: *a", "<<: [*a, *b]", "[", "]", "{", "}", "- ", ": ", "? ", ",", "!!str ", "!!int ",
        "!!map ", "!custom ", "${{", "}}", "${{ env.HOME }}", "${{ vars.IMAGE }}", "${{ git.sha }}",
        "${{ revision.sha256 }}", "${{ nope.x }}", "${{ vars.a.b }}", "\t", "\n", "\r\n", "\r", "#", "'", "\"", "|", ">",
        "|-", "---\n", "...\n", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "~", "null", "yes", "no", "true", "false", "0", "-1",
        "99999999999999999999", "1.5h", "0s", "30m1h", "\\", "@", "`", "%", "  ", "    ", "é", "🚀",
        "CodeDeployDefault.", "s3://", "file://", "http://", "needs: ", "strategy: ", "type: ", "name: ",
    ].map { Array($0.utf8) } + [
        [0x00], [0xFF], [0xFE], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
        [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], [0xC2, 0x85], [0xE2, 0x80, 0xA8], [0x1B], [0x7F],
    ]

    /// Scalars worth putting where a value was.
    static let values: [String] = [
        "", "~", "[]", "{}", "-1", "0", "100", "101", "1000001", "99999999999999999999", "\"1\"", "yes", "True", "1.5h",
        "0s", "5m5m", "CodeDeployDefault.OneAtATime", "CodeDeployDefault.LambdaAllAtOnce", "s3://Bad_Bucket",
        "s3://ok-bucket/p", "file://", "file:///abs", "ftp://x", "http://", "[a, a]", "{percent: 10, interval: 1s}",
        "{type: HOST_COUNT, value: 0}", "*a", "&a x", "${{ revision.sha256 }}", "\"${{\"", "staging", "prod",
    ]

    static func make(_ random: inout SplitMix64, maximumSize: Int) -> [UInt8] {
        if random.chance(percent: 3) {
            let count = random.below(512)
            return random.bytes(count: count)
        }
        var input = Array(seeds[random.below(seeds.count)].utf8)
        for _ in 0..<(1 + random.below(4)) {
            mutate(&input, &random)
            if input.count > maximumSize { input.removeLast(input.count - maximumSize) }
        }
        return input
    }

    static func mutate(_ input: inout [UInt8], _ random: inout SplitMix64) {
        switch random.below(13) {
        case 0:  // flip one bit
            guard !input.isEmpty else { return }
            input[random.below(input.count)] ^= UInt8(1) << UInt8(random.below(8))
        case 1:  // overwrite a byte
            guard !input.isEmpty else { return }
            input[random.below(input.count)] = UInt8(truncatingIfNeeded: random.next())
        case 2:  // insert random bytes
            let count = 1 + random.below(8)
            let bytes = random.bytes(count: count)
            input.insert(contentsOf: bytes, at: random.below(input.count + 1))
        case 3:  // delete a run of bytes
            guard !input.isEmpty else { return }
            let start = random.below(input.count)
            input.removeSubrange(start..<min(input.count, start + 1 + random.below(16)))
        case 4:  // duplicate a line
            let lines = lineRanges(input)
            let line = lines[random.below(lines.count)]
            input.insert(contentsOf: input[line], at: lines[random.below(lines.count)].lowerBound)
        case 5:  // delete a line
            let lines = lineRanges(input)
            input.removeSubrange(lines[random.below(lines.count)])
        case 6:  // swap two lines
            var lines = lineRanges(input).map { Array(input[$0]) }
            lines.swapAt(random.below(lines.count), random.below(lines.count))
            input = lines.flatMap { $0 }
        case 7:  // splice: the start of this input, the end of another seed
            let other = Array(seeds[random.below(seeds.count)].utf8)
            let end = random.below(input.count + 1), start = random.below(other.count + 1)
            input = Array(input[..<end]) + Array(other[start...])
        case 8, 9:  // insert a syntax token, often where a key or value starts
            let token = tokens[random.below(tokens.count)]
            input.insert(contentsOf: token, at: interestingOffset(input, &random))
        case 10:  // replace a value
            replaceValue(&input, &random)
        case 11:  // a very long line
            let unit = [Array("a".utf8), Array("[".utf8), Array("${{ env.HOME }}".utf8), Array("x: ".utf8), [0xC3, 0xA9]][random.below(5)]
            let run = Array([[UInt8]](repeating: unit, count: 256 + random.below(4096)).joined())
            let offset = interestingOffset(input, &random)
            input.insert(contentsOf: run, at: offset)
        default:  // deep nesting, or an alias bomb
            let nested = nesting(&random)
            let offset = interestingOffset(input, &random)
            input.insert(contentsOf: nested, at: offset)
        }
    }

    /// Byte ranges of the lines, each with its line break; never empty (an empty input is one empty line).
    static func lineRanges(_ input: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, byte) in input.enumerated() where byte == 0x0A {
            ranges.append(start..<index + 1)
            start = index + 1
        }
        if start < input.count || ranges.isEmpty { ranges.append(start..<input.count) }
        return ranges
    }

    /// Anywhere, or where YAML structure is decided: the start of a line's content or a value.
    static func interestingOffset(_ input: [UInt8], _ random: inout SplitMix64) -> Int {
        if random.chance(percent: 40) { return random.below(input.count + 1) }
        let lines = lineRanges(input)
        let line = lines[random.below(lines.count)]
        let text = input[line]
        if random.chance(percent: 50), let colon = text.firstIndex(of: UInt8(ascii: ":")) { return min(colon + 2, line.upperBound) }
        return text.firstIndex { $0 != UInt8(ascii: " ") } ?? line.lowerBound
    }

    static func replaceValue(_ input: inout [UInt8], _ random: inout SplitMix64) {
        let lines = lineRanges(input)
        let line = lines[random.below(lines.count)]
        guard let colon = input[line].firstIndex(of: UInt8(ascii: ":")) else { return }
        let end = input[line].last == 0x0A ? line.upperBound - 1 : line.upperBound
        input.replaceSubrange(min(colon + 1, end)..<end, with: Array((" " + values[random.below(values.count)]).utf8))
    }

    /// Nesting around and beyond the parser's 128 levels, in flow and block style, or aliases
    /// that expand around its 100,000-node limit.
    static func nesting(_ random: inout SplitMix64) -> [UInt8] {
        let depth = [8, 64, 126, 127, 128, 129, 200, 1000][random.below(8)]
        let text: String
        switch random.below(5) {
        case 0: text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        case 1: text = String(repeating: "{a: ", count: depth) + "x" + String(repeating: "}", count: depth)
        case 2: text = String(repeating: "[", count: depth)  // never closed
        case 3:
            text = "\n" + (0..<min(depth, 300)).map { String(repeating: " ", count: $0) + "k:\n" }.joined()
        default:
            var bomb = "\nb0: &b0 [x, x, x, x, x, x, x, x, x, x]\n"
            for level in 1..<(2 + random.below(6)) {
                bomb += "b\(level): &b\(level) [" + Array(repeating: "*b\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
            }
            text = bomb
        }
        return Array(text.utf8)
    }

    static func loader(_ random: inout SplitMix64) -> PipelineLoader {
        let environment = random.chance(percent: 75) ? fullEnvironment : [:]
        let overrides: [String: String] = switch random.below(10) {
        case 0: ["IMAGE": "web:2"]
        case 1: ["UNDECLARED": "x"]
        default: [:]
        }
        let sha: String? = random.chance(percent: 75) ? commit : nil
        return PipelineLoader(environment: environment, varOverrides: overrides,
                              strictness: random.chance(percent: 50) ? .strict : .lenient,
                              gitSHA: { _ in sha })
    }

    /// Printable ASCII as is, everything else escaped, so any input can be pasted back into a test.
    static func escaped(_ input: [UInt8], limit: Int) -> String {
        var text = "\""
        for byte in input.prefix(limit) {
            switch byte {
            case 0x0A: text += "\\n"
            case 0x0D: text += "\\r"
            case 0x09: text += "\\t"
            case 0x22: text += "\\\""
            case 0x5C: text += "\\\\"
            case 0x20..<0x7F: text += String(UnicodeScalar(byte))
            default: text += "\\u{\(String(byte, radix: 16))}"
            }
        }
        return text + "\"" + (input.count > limit ? " … (\(input.count - limit) more bytes)" : "")
    }
}

// MARK: - Plumbing

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same sequence on every platform.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (bound > 0); the slight modulo bias does not matter for fuzzing.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func chance(percent: Int) -> Bool {
        below(100) < percent
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

private enum FuzzSettings {
    static func iterations(from text: String?) -> Int? {
        guard let text else { return PipelineFuzzTests.defaultIterations }
        guard let value = Int(text), value >= 0 else { return nil }
        return value
    }

    static func seed(from text: String?) -> UInt64? {
        guard let text else { return PipelineFuzzTests.defaultSeed }
        if text.lowercased().hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }

    static func hex(_ seed: UInt64) -> String {
        "0x" + String(seed, radix: 16, uppercase: true)
    }
}

private struct Tally {
    var loaded = 0
    var refused = 0
    var failures = 0

    mutating func count(_ outcome: Result<LoadedPipeline, DiagnosticList>) {
        if case .success = outcome { loaded += 1 } else { refused += 1 }
    }
}

/// The input being loaded, rewritten in place before every load (two system calls, no new file).
private final class CurrentInputFile {
    let path: String
    private let handle: FileHandle?

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("slipway-fuzz-current-\(ProcessInfo.processInfo.processIdentifier).yml").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)
    }

    func store(_ input: [UInt8]) {
        guard let handle else { return }
        try? handle.truncate(atOffset: 0)
        try? handle.write(contentsOf: Data(input))
    }

    func remove() {
        try? handle?.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

private enum FailureArchive {
    static func save(_ input: [UInt8], seed: UInt64, iteration: Int) -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("slipway-fuzz-\(FuzzSettings.hex(seed))-\(iteration).yml").path
        return FileManager.default.createFile(atPath: path, contents: Data(input)) ? path : "(could not save)"
    }
}

/// Notices an input that never finishes loading. A hung load cannot be interrupted from inside
/// the process, so the watchdog says which input it is and stops the process: better than a CI
/// job that hangs until its time runs out with nothing to show.
private final class Watchdog: Sendable {
    private struct State {
        var iteration: Int?
        var since: ContinuousClock.Instant = .now
        var stopped = false
    }

    private let state = Mutex(State())

    init(limit: Duration, message: @escaping @Sendable (Int) -> String) {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                let (stalled, stopped) = self.state.withLock { current -> (Int?, Bool) in
                    guard let iteration = current.iteration, ContinuousClock.now - current.since > limit else {
                        return (nil, current.stopped)
                    }
                    return (iteration, current.stopped)
                }
                if stopped { return }
                if let stalled {
                    FileHandle.standardError.write(Data((message(stalled) + "\n").utf8))
                    fatalError(message(stalled))
                }
            }
        }
    }

    func begin(_ iteration: Int) {
        state.withLock { $0.iteration = iteration; $0.since = .now }
    }

    func end() {
        state.withLock { $0.iteration = nil }
    }

    func stop() {
        state.withLock { $0.stopped = true }
    }
}
