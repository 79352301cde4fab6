import Testing
@testable import SlipwayArchive

@Suite struct IgnoreRulesTests {
    @Test func commentsAndBlankLinesAreNotRules() {
        let rules = IgnoreRules(parsing: "# a comment\n\n   \n*.log\n")
        #expect(rules.rules.count == 1)
        #expect(rules.isIgnored("x.log", isDirectory: false))
        #expect(!rules.isIgnored("# a comment", isDirectory: false))
    }

    @Test func patternWithoutSlashMatchesAtAnyDepth() {
        let rules = IgnoreRules(parsing: "*.log\nnode_modules\n")
        #expect(rules.isIgnored("a.log", isDirectory: false))
        #expect(rules.isIgnored("deep/er/a.log", isDirectory: false))
        #expect(rules.isIgnored("web/node_modules", isDirectory: true))
        #expect(!rules.isIgnored("a.logx", isDirectory: false))
    }

    @Test func leadingSlashAnchorsToTheRoot() {
        let rules = IgnoreRules(parsing: "/build\n")
        #expect(rules.isIgnored("build", isDirectory: true))
        #expect(!rules.isIgnored("src/build", isDirectory: true))
    }

    @Test func innerSlashAnchorsToo() {
        let rules = IgnoreRules(parsing: "docs/*.md\n")
        #expect(rules.isIgnored("docs/a.md", isDirectory: false))
        #expect(!rules.isIgnored("x/docs/a.md", isDirectory: false))
        #expect(!rules.isIgnored("docs/sub/a.md", isDirectory: false))
    }

    @Test func trailingSlashMatchesDirectoriesOnly() {
        let rules = IgnoreRules(parsing: "cache/\n")
        #expect(rules.isIgnored("cache", isDirectory: true))
        #expect(rules.isIgnored("a/cache", isDirectory: true))
        #expect(!rules.isIgnored("cache", isDirectory: false))
    }

    @Test func negationReincludesAndLastMatchWins() {
        let rules = IgnoreRules(parsing: "*.env\n!example.env\n")
        #expect(rules.isIgnored("prod.env", isDirectory: false))
        #expect(!rules.isIgnored("example.env", isDirectory: false))
        let reversed = IgnoreRules(parsing: "!example.env\n*.env\n")
        #expect(reversed.isIgnored("example.env", isDirectory: false))
    }

    @Test func escapesAndTrailingSpaces() {
        let rules = IgnoreRules(parsing: "\\#notacomment\n\\!bang\ntrailing   \nkeep\\ \r\n")
        #expect(rules.isIgnored("#notacomment", isDirectory: false))
        #expect(rules.isIgnored("!bang", isDirectory: false))
        #expect(rules.isIgnored("trailing", isDirectory: false))
        #expect(rules.isIgnored("keep ", isDirectory: false))
        #expect(!rules.isIgnored("keep", isDirectory: false))
    }

    @Test func doubleStarForms() {
        let rules = IgnoreRules(parsing: "**/tmp\nlogs/**\na/**/z\n")
        #expect(rules.isIgnored("tmp", isDirectory: true))
        #expect(rules.isIgnored("x/y/tmp", isDirectory: false))
        #expect(rules.isIgnored("logs/2024/x.log", isDirectory: false))
        #expect(rules.isIgnored("a/z", isDirectory: false))
        #expect(rules.isIgnored("a/b/c/z", isDirectory: false))
        #expect(!rules.isIgnored("b/a/z", isDirectory: false))
    }
}
