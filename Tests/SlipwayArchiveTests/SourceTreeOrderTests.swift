@testable import SlipwayArchive
import Testing

/// The archive's entry order is bytewise by relative path; the fast comparison must agree with
/// the plain definition on every pair, prefixes and non-ASCII names included.
@Suite struct SourceTreeOrderTests {
    @Test func memcmpOrderAgreesWithTheBytewiseDefinition() {
        let names = ["", "a", "a-b", "a/x", "a/x/y", "a.b", "ab", "B", "b", "é", "e\u{301}", "z/é/1", "z/e", "日本", "a\u{0}b",
                     "dir/file-10", "dir/file-9", "dir/file", "~", "Ä/x"]
        for left in names {
            for right in names {
                let expected = left.utf8.lexicographicallyPrecedes(right.utf8)
                #expect(SourceTree.bytewisePrecedes(left, right) == expected, "\(left.debugDescription) < \(right.debugDescription)")
            }
        }
    }
}
