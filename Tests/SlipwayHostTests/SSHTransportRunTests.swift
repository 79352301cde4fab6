import Foundation
import SlipwayProcess
@testable import SlipwayHost
import Testing

@Suite("SSHTransport.run")
struct SSHTransportRunTests {
    @Test func passesEnvironmentValuesVerbatimAndPropagatesTheExitCode() async throws {
        try await SSHTestFixture.with { fixture in
            let tricky = "it's \"quoted\" $(touch \"$HOST_ROOT/injected\") `touch \"$HOST_ROOT/injected\"` \\ ; * \nsecond line"
            let output = try await fixture.run("web-1", """
                printf '%s\\n' "$TRICKY"
                printf '%s\\n' "$PLAIN"
                exit 7
                """, environment: ["TRICKY": tricky, "PLAIN": "x"])
            #expect(output.result.termination == .exited(7))
            #expect(!output.result.succeeded)
            #expect(output.stdout == tricky.split(separator: "\n").map(String.init) + ["x"])
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.roots["web-1"]!)/injected"))
        }
    }

    @Test func aProgramPastTheCommandLineBudgetGoesOnStdinAndStillRuns() async throws {
        try await SSHTestFixture.with { fixture in
            // An install script of thousands of paths is this long; it must not hit ARG_MAX.
            let padding = String(repeating: "# a comment line that only makes the script long, with it's quote\n", count: 2_000)
            let script = padding + "printf '%s\\n' \"$PLAIN\"\nexit 4\n"
            #expect(script.utf8.count > SSHTransport.maxInlineProgram)
            let output = try await fixture.run("web-1", script, environment: ["PLAIN": "long one ran"])
            #expect(output.stdout == ["long one ran"])
            #expect(output.result.termination == .exited(4))
        }
    }

    @Test func aDaemonHoldingTheSessionOutputDoesNotHangTheRunAndKeepsRunning() async throws {
        try await SSHTestFixture.with { fixture in
            let pidFile = "\(fixture.roots["web-1"]!)/daemon.pid"
            // CodeDeploy's most reported mistake: the daemon inherits stdout, so sshd keeps the
            // session open after the script ended.
            let output = try await fixture.run("web-1", "sleep 30 &\necho $! > \(Shell.quote(pidFile))\necho started\nexit 3\n",
                                               timeout: .seconds(120))
            #expect(output.stdout == ["started"])
            #expect(output.result.termination == .exited(3))
            #expect(output.result.outputLeftOpen)
            #expect(!output.result.timedOut && !output.result.cancelled)
            let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(kill(pid, 0) == 0, "the daemon must outlive the run")
            kill(pid, SIGKILL)
        }
    }

    @Test func splitsStdoutAndStderrIntoLinesWithoutTheGroupAnnouncement() async throws {
        try await SSHTestFixture.with { fixture in
            let output = try await fixture.run("web-1", """
                echo out-1
                echo err-1 >&2
                echo out-2
                echo err-2 >&2
                printf 'last without newline'
                """)
            #expect(output.result.succeeded)
            #expect(output.stdout == ["out-1", "out-2", "last without newline"])
            #expect(output.stderr == ["err-1", "err-2"])
        }
    }

    @Test func runsTheScriptInItsOwnProcessGroupWithStdinClosed() async throws {
        try await SSHTestFixture.with { fixture in
            let output = try await fixture.run("web-1", """
                echo "$$"
                ps -o pgid= -p "$$" | tr -d ' '
                cat && echo stdin-was-empty
                """)
            #expect(output.result.succeeded)
            #expect(output.stdout.count == 3)
            #expect(output.stdout.first == output.stdout.dropFirst().first)
            #expect(output.stdout.last == "stdin-was-empty")
        }
    }

    @Test func exitCode255FromTheScriptIsAResultNotAConnectionError() async throws {
        try await SSHTestFixture.with { fixture in
            let output = try await fixture.run("web-1", "echo bye >&2; exit 255")
            #expect(output.result.termination == .exited(255))
            #expect(output.stderr == ["bye"])
        }
    }

    @Test func refusesAnEnvironmentNameThatCouldInjectCommands() async throws {
        try await SSHTestFixture.with { fixture in
            let marker = "\(fixture.roots["web-1"]!)/ran"
            let error = await #expect(throws: TransportError.self) {
                _ = try await fixture.run("web-1", "touch '\(marker)'", environment: ["X=1; touch /tmp/x; Y": "v"])
            }
            #expect(error?.host == "ssh:web-1")
            #expect(error?.message.contains("invalid environment variable name") == true)
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    @Test func eachAliasRunsWithItsOwnRootAndAFailingHostDoesNotAffectTheOthers() async throws {
        try await SSHTestFixture.with(hosts: ["web-1", "web-2", "web-3"], unreachable: ["web-4"]) { fixture in
            let script = """
                cd "$HOST_ROOT" && echo "$HOST_NAME" > name && cat name
                [ "$HOST_NAME" != web-2 ] || exit 3
                """
            let outcomes = await withTaskGroup(of: (String, Result<RunOutput, TransportError>).self) { group in
                for alias in ["web-1", "web-2", "web-3", "web-4"] {
                    group.addTask {
                        do throws(TransportError) {
                            return (alias, .success(try await fixture.run(alias, script, environment: ["HOST_NAME": alias])))
                        } catch {
                            return (alias, .failure(error))
                        }
                    }
                }
                var outcomes: [String: Result<RunOutput, TransportError>] = [:]
                for await (alias, outcome) in group { outcomes[alias] = outcome }
                return outcomes
            }
            for alias in ["web-1", "web-3"] {
                let output = try #require(try? outcomes[alias]?.get())
                #expect(output.result.succeeded)
                #expect(output.stdout == [alias])
                #expect(try String(contentsOfFile: "\(fixture.roots[alias]!)/name", encoding: .utf8) == "\(alias)\n")
            }
            let failed = try #require(try? outcomes["web-2"]?.get())
            #expect(failed.result.termination == .exited(3))
            guard case .failure(let error)? = outcomes["web-4"] else {
                Issue.record("the unreachable host did not fail: \(String(describing: outcomes["web-4"]))")
                return
            }
            #expect(error.host == "ssh:web-4")
        }
    }
}
