import Foundation
import Testing
@testable import SlipwayArchive

@Suite struct SHA256Tests {
    private func sha256sum(_ path: String) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test(arguments: ArchiveFormat.allCases)
    func digestWhileWritingMatchesSha256sum(format: ArchiveFormat) throws {
        let scratch = try Scratch()
        let tree = try TreeBuilder(scratch.sub("src"))
        for index in 0..<50 { try tree.file("d\(index % 5)/f\(index)", String(repeating: "\(index)", count: index * 300)) }
        let archive = scratch.sub("x." + format.fileExtension)
        let result = try Packager.package(source: scratch.sub("src"), to: archive, options: PackageOptions(format: format))
        #expect(result.sha256 == (try sha256sum(archive)))
        #expect(result.sha256 == (try SHA256Stream.hexDigest(ofFile: archive)))
    }

    @Test func knownVector() {
        var stream = SHA256Stream()
        stream.update(Array("abc".utf8))
        #expect(stream.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(stream.byteCount == 3)
    }
}
