@testable import SlipwayHost
import Testing

/// The pieces of the remote program that need no server.
@Suite("SSHTransport remote program")
struct SSHTransportScriptTests {
    @Test func quotesSingleQuotesSoTheShellSeesOneLiteralWord() {
        #expect(Shell.quote("it's") == #"'it'\''s'"#)
        #expect(Shell.quote("") == "''")
        #expect(Shell.quote("$(x) `y` \\") == "'$(x) `y` \\'")
    }

    @Test func acceptsOnlyPortableVariableNames() {
        #expect(Shell.isValidVariableName("DEPLOY_ID"))
        #expect(Shell.isValidVariableName("_x1"))
        #expect(!Shell.isValidVariableName("1X"))
        #expect(!Shell.isValidVariableName(""))
        #expect(!Shell.isValidVariableName("A-B"))
        #expect(!Shell.isValidVariableName("A=B"))
        #expect(!Shell.isValidVariableName("É"))
    }

    @Test func recognisesOnlyThisRunsAnnouncement() {
        let program = RemoteRunScript(script: "true", environment: [:], nonce: "abc")
        #expect(program.killTarget(inAnnouncement: "slipway-remote-run-abc -123") == "-123")
        #expect(program.killTarget(inAnnouncement: "slipway-remote-run-abc 77") == "77")
        #expect(program.killTarget(inAnnouncement: "slipway-remote-run-other -123") == nil)
        #expect(program.killTarget(inAnnouncement: "slipway-remote-run-abc -12x") == nil)
        #expect(program.killTarget(inAnnouncement: "slipway-remote-run-abc -") == nil)
    }

    @Test func refusesNulBytesInsteadOfTruncating() {
        #expect(throws: RemoteRunScript.InvalidInput.self) {
            try RemoteRunScript(script: "echo a\u{0}b", environment: [:], nonce: "n").render()
        }
        #expect(throws: RemoteRunScript.InvalidInput.self) {
            try RemoteRunScript(script: "true", environment: ["A": "x\u{0}"], nonce: "n").render()
        }
    }
}
