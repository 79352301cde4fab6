import Testing
@testable import SlipwayCore

@Suite struct InterpolationTests {
    let context = InterpolationContext(environment: ["HOME": "/root", "EMPTY": ""],
                                       vars: ["IMAGE": Variable(value: "web:2")],
                                       gitSHA: "0123abcd", revisionSHA256: nil)

    func resolve(_ text: String, _ context: InterpolationContext? = nil) -> (String, [String]) {
        var problems: [String] = []
        let value = Interpolation.resolve(text, in: context ?? self.context) { problems.append($0.message) }
        return (value, problems)
    }

    @Test func replacesEveryNamespace() {
        #expect(resolve("${{ env.HOME }}/${{vars.IMAGE}}@${{  git.sha  }}").0 == "/root/web:2@0123abcd")
        #expect(resolve("x${{ env.EMPTY }}y").0 == "xy")
        #expect(resolve("no expressions, $HOME stays").0 == "no expressions, $HOME stays")
    }

    @Test func revisionIsDeferredUntilKnown() {
        #expect(resolve("r=${{ revision.sha256 }}").0 == "r=${{ revision.sha256 }}")
        var known = context
        known.revisionSHA256 = "feed"
        #expect(resolve("r=${{ revision.sha256 }}", known).0 == "r=feed")
        #expect(Interpolation.readsRevision("a ${{ revision.sha256 }}"))
        #expect(!Interpolation.readsRevision("a ${{ env.X }}"))
    }

    @Test func problemsLeaveTheExpressionAsWritten() {
        let (value, problems) = resolve("a ${{ vars.IMAGEE }} b")
        #expect(value == "a ${{ vars.IMAGEE }} b")
        #expect(problems == ["unknown variable \"IMAGEE\" (did you mean \"IMAGE\"?)"])
        #expect(resolve("${{ nonsense }}").1 == ["\"${{ nonsense }}\" is not an expression of the form namespace.name"])
        #expect(resolve("${{ git.branch }}").1 == ["unknown git value \"branch\" (known: sha)"])
        #expect(resolve("${{ revision.id }}").1 == ["unknown revision value \"id\" (known: sha256)"])
    }
}
