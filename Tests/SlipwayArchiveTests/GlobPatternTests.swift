import Testing
@testable import SlipwayArchive

@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("*.txt", "a.txt", true),
        ("*.txt", "dir/a.txt", false),           // `*` never crosses a slash
        ("**/*.txt", "a.txt", true),             // `**` matches zero segments
        ("**/*.txt", "x/y/z/a.txt", true),
        ("src/**", "src/a/b.c", true),
        ("src/**", "srcx/a", false),
        ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/y/b", true),
        ("a/**/b", "a/x/y/c", false),
        ("file?.log", "file1.log", true),
        ("file?.log", "file10.log", false),
        ("file?.log", "file/.log", false),
        ("[abc].js", "b.js", true),
        ("[abc].js", "d.js", false),
        ("[!abc].js", "d.js", true),
        ("[^abc].js", "a.js", false),
        ("v[0-9].tgz", "v7.tgz", true),
        ("v[0-9].tgz", "vx.tgz", false),
        ("[].js", "].js", false),                // `]` right after `[` is a member; no closing `]` follows, so all literal
        ("\\*.md", "*.md", true),
        ("\\*.md", "a.md", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("[", "[", true),                        // unterminated class is a literal
    ])
    func matches(pattern: String, path: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(path) == expected, "\(pattern) vs \(path)")
    }
}
