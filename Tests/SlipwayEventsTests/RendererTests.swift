import Foundation
import Testing
import SlipwayEvents

@Suite struct PlainRendererTests {
    @Test func rendersOneLinePerEvent() {
        let text = render(sampleRun) { PlainRenderer(output: $0) }
        #expect(text == """
            ▶ pipeline web
            [build/compile] ▶ make all
            [build/compile] | cc -c main.c
            [build/compile] | main.c:3: warning: unused
            [build/compile] ✓ succeeded in 1.2s
            [pipeline] warning: pipelines/web.yml:3:5: deprecated key
            [build/test] error: step failed
            ✗ failed in 1m15s: 1 step failed

            """)
    }

    @Test func rendersEveryStatusAndStageEvent() {
        let events: [Event] = [
            .stageStarted(scope: "stage/web", message: "canary 10%", time: t0),
            .stageProgress(scope: "stage/web", message: "3 of 5 hosts", time: t0),
            .stageFinished(scope: "stage/web", status: .timedOut, duration: 3725, time: t0),
            .stepFinished(scope: "build/a", status: .cancelled, duration: nil, time: t0),
            .stepFinished(scope: "build/b", status: .skipped, duration: 0.04, time: t0),
            .info("hello", time: t0),
        ]
        #expect(render(events) { PlainRenderer(output: $0) } == """
            [stage/web] ▶ canary 10%
            [stage/web] · 3 of 5 hosts
            [stage/web] ✗ timed out in 1h02m05s
            [build/a] ✗ cancelled
            [build/b] – skipped in 0.0s
            hello

            """)
    }
}

@Suite struct TerminalRendererTests {
    private let esc = "\u{1B}"

    @Test func redrawsStatusLineBelowScrollingOutput() {
        let output = CapturedOutput()
        let renderer = TerminalRenderer(output: output, columns: 80, now: { t0.addingTimeInterval(3) })
        renderer.emit(.stepStarted(scope: "build/compile", message: "make all", time: t0))
        renderer.emit(.stepOutput(scope: "build/compile", stream: "stdout", line: "cc -c main.c", time: t0))
        renderer.emit(.stepOutput(scope: "build/compile", stream: "stderr", line: "oops", time: t0))
        renderer.emit(.stepFinished(scope: "build/compile", status: .succeeded, duration: 1.24, time: t0))
        renderer.refresh()  // Idle: nothing to redraw.
        let scope = "\(esc)[36m[build/compile]\(esc)[0m"
        let status = "\(esc)[2m⋯ build/compile 3.0s\(esc)[0m"
        let clear = "\r\(esc)[2K"
        #expect(output.text ==
            "\(scope) \(esc)[1m▶ make all\(esc)[0m\n\(status)"
            + "\(clear)\(scope) \(esc)[2m|\(esc)[0m cc -c main.c\n\(status)"
            + "\(clear)\(scope) \(esc)[31m|\(esc)[0m oops\n\(status)"
            + "\(clear)\(scope) \(esc)[32m✓ succeeded in 1.2s\(esc)[0m\n")
    }

    @Test func refreshRedrawsWithNewElapsedTime() {
        let output = CapturedOutput()
        let clock = TestClock(t0.addingTimeInterval(1))
        let renderer = TerminalRenderer(output: output, columns: 80, now: { clock.now })
        renderer.emit(.stageStarted(scope: "stage/web", message: "deploy", time: t0))
        clock.now = t0.addingTimeInterval(65)
        renderer.refresh()
        #expect(output.text.hasSuffix("\r\(esc)[2K\(esc)[2m⋯ stage/web 1m05s\(esc)[0m"))
    }

    @Test func statusLineIsCutToTerminalWidth() {
        let output = CapturedOutput()
        let renderer = TerminalRenderer(output: output, columns: 20, now: { t0 })
        renderer.emit(.stepStarted(scope: "build/a-very-long-step-name", message: "x", time: t0))
        let statusLine = output.text.components(separatedBy: "\n").last ?? ""
        #expect(statusLine == "\(esc)[2m⋯ build/a-very-lon…\(esc)[0m")
    }
}

final class TestClock: @unchecked Sendable {
    // Only mutated between renderer calls on the test's own task.
    var now: Date
    init(_ now: Date) { self.now = now }
}

@Suite struct JSONLinesRendererTests {
    @Test func writesOneSortedObjectPerLine() {
        let events = [sampleRun[2], sampleRun[4], sampleRun[5]]
        #expect(render(events) { JSONLinesRenderer(output: $0) } == """
            {"kind":"stepOutput","message":"cc -c main.c","scope":"build/compile","stream":"stdout","time":"2026-01-01T00:00:00.000Z"}
            {"duration":1.24,"kind":"stepFinished","message":"","scope":"build/compile","status":"succeeded","time":"2026-01-01T00:00:00.000Z"}
            {"kind":"warning","location":{"column":5,"file":"pipelines/web.yml","line":3},"message":"deprecated key","scope":"pipeline","time":"2026-01-01T00:00:00.000Z"}

            """)
    }

    @Test func roundTripsEveryField() throws {
        let event = Event(
            kind: .stageProgress, time: t0.addingTimeInterval(0.25), scope: "stage/web", message: "50% \"shifted\"\nnext",
            stream: "stdout", status: .failed, duration: 12.5, location: .init(file: "a.yml", line: 1, column: nil),
            fields: ["weight": "50", "alarm": "cpu-high"])
        let lines = render([event] + sampleRun) { JSONLinesRenderer(output: $0) }.split(separator: "\n")
        let decoded = try lines.map { try EventJSON.decoder().decode(Event.self, from: Data($0.utf8)) }
        #expect(decoded == [event] + sampleRun)
    }

    @Test func decodesWithoutOptionalKeysAndFractionalSeconds() throws {
        let line = #"{"kind":"info","message":"hi","time":"2026-01-01T00:00:00Z"}"#
        let event = try EventJSON.decoder().decode(Event.self, from: Data(line.utf8))
        #expect(event == .info("hi", time: t0))
    }
}

@Suite struct GitHubActionsRendererTests {
    @Test func groupsStepOutputAndAnnotatesProblems() {
        #expect(render(sampleRun) { GitHubActionsRenderer(output: $0) } == """
            ▶ pipeline web
            ::group::[build/compile] ▶ make all
            [build/compile] | cc -c main.c
            [build/compile] | main.c:3: warning: unused
            ::endgroup::
            [build/compile] ✓ succeeded in 1.2s
            ::warning file=pipelines/web.yml,line=3,col=5,title=pipeline::deprecated key
            ::error title=build/test::step failed
            ✗ failed in 1m15s: 1 step failed

            """)
    }

    @Test func escapesMessagesAndProperties() {
        #expect(GitHubActionsRenderer.escapeData("100% done\r\nnext") == "100%25 done%0D%0Anext")
        #expect(GitHubActionsRenderer.escapeProperty("C:\\a,b.yml") == "C%3A\\a%2Cb.yml")
        let text = render([.error("bad\nworse 50%", location: .init(file: "x,y.yml", line: 2), time: t0)]) {
            GitHubActionsRenderer(output: $0)
        }
        #expect(text == "::error file=x%2Cy.yml,line=2::bad%0Aworse 50%25\n")
    }

    @Test func stepOutputCannotInjectWorkflowCommands() {
        let events: [Event] = [
            .stepOutput(scope: "build/x", stream: "stdout", line: "::add-mask::oops", time: t0),
            .info("::stop-commands::token\n::set-env name=A::B", time: t0),
        ]
        let lines = render(events) { GitHubActionsRenderer(output: $0) }.split(separator: "\n")
        #expect(lines == ["[build/x] | ::add-mask::oops", " ::stop-commands::token", " ::set-env name=A::B"])
    }

    @Test func concurrentStepsDoNotNestGroups() {
        let events: [Event] = [
            .stepStarted(scope: "a", message: "one", time: t0),
            .stepStarted(scope: "b", message: "two", time: t0),
            .stepFinished(scope: "b", status: .succeeded, duration: nil, time: t0),
            .stepFinished(scope: "a", status: .succeeded, duration: nil, time: t0),
        ]
        #expect(render(events) { GitHubActionsRenderer(output: $0) } == """
            ::group::[a] ▶ one
            [b] ▶ two
            [b] ✓ succeeded
            ::endgroup::
            [a] ✓ succeeded

            """)
    }
}

@Suite struct OutputModeTests {
    @Test(arguments: [
        (true, ["GITHUB_ACTIONS": "true"], true, OutputMode.json),
        (false, ["GITHUB_ACTIONS": "true", "NO_COLOR": "1"], false, .githubActions),
        (false, ["GITHUB_ACTIONS": "false"], true, .terminal),
        (false, ["NO_COLOR": ""], true, .plain),
        (false, [:], false, .plain),
        (false, ["TERM": "dumb"], true, .plain),
        (false, ["TERM": "xterm-256color"], true, .terminal),
    ])
    func detect(json: Bool, environment: [String: String], isTerminal: Bool, expected: OutputMode) {
        #expect(OutputMode.detect(json: json, environment: environment, stdoutIsTerminal: isTerminal) == expected)
    }

    @Test func makeRendererPicksTheMatchingRenderer() {
        let output = CapturedOutput()
        #expect(makeRenderer(.plain, output: output) is PlainRenderer)
        #expect(makeRenderer(.terminal, output: output) is TerminalRenderer)
        #expect(makeRenderer(.json, output: output) is JSONLinesRenderer)
        #expect(makeRenderer(.githubActions, output: output) is GitHubActionsRenderer)
    }

    @Test func renderersAreSafeUnderConcurrentEmits() async {
        let output = CapturedOutput()
        let renderer = PlainRenderer(output: output)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for line in 0..<100 {
                        renderer.emit(.stepOutput(scope: "t\(task)", stream: "stdout", line: "\(line)", time: t0))
                    }
                }
            }
        }
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 800)
        #expect(lines.allSatisfy { $0.hasPrefix("[t") && $0.contains("] | ") })
    }
}
