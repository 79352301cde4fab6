import Testing
@testable import SlipwayArchive

@Suite struct SymlinkContainmentTests {
    private func inside(_ link: String, _ target: String, _ links: [String: String] = [:]) -> Bool {
        SymlinkContainment.staysInside(linkPath: link, target: target) { links[$0] }
    }

    @Test func lexicalCases() {
        #expect(inside("a", "b"))
        #expect(inside("d/a", "../b"))
        #expect(!inside("d/a", "../../b"))
        #expect(!inside("a", "/etc/passwd"))
        #expect(inside("d/e/a", "./../../x/./y"))
        #expect(!inside("a", ".."))
    }

    /// `sub/up -> ..` is inside, but `sub/x -> up/../y` then resolves to `../y` physically.
    @Test func followsSymlinksOnTheWayLikeTheKernel() {
        let links = ["sub/up": ".."]
        #expect(inside("sub/up", "..", links))
        #expect(!inside("sub/x", "up/../y", links))
        #expect(inside("sub/x", "up/y", links))
    }

    @Test func absoluteTargetReachedThroughAnotherLinkEscapes() {
        #expect(!inside("b", "a/file", ["a": "/etc"]))
    }

    @Test func loopsDoNotHang() {
        #expect(inside("a", "b", ["a": "b", "b": "a"]))
    }
}
