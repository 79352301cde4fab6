import Foundation
@testable import SlipwayHost
import Synchronization
import Testing

@Suite("SSHTransport.upload")
struct SSHTransportUploadTests {
    @Test func uploadsTheExactBytesCreatingParentFolders() async throws {
        try await SSHTestFixture.with { fixture in
            let bytes = Data((0..<3_000_000).map { _ in UInt8.random(in: 0...255) })
            let source = "\(fixture.folder)/revision.tar"
            try bytes.write(to: URL(fileURLWithPath: source))
            let destinationFolder = "\(fixture.roots["web-1"]!)/deep/it's a dir"
            let destination = "\(destinationFolder)/revision $(x).tar"

            try await fixture.transport("web-1").upload(source, to: destination)

            #expect(FileManager.default.contents(atPath: destination) == bytes)
            // The temporary name used during the transfer is gone.
            #expect(try FileManager.default.contentsOfDirectory(atPath: destinationFolder) == ["revision $(x).tar"])
        }
    }

    @Test func replacesAnExistingFileAndHandlesAnEmptyOne() async throws {
        try await SSHTestFixture.with { fixture in
            let source = "\(fixture.folder)/empty"
            try Data().write(to: URL(fileURLWithPath: source))
            let destination = "\(fixture.roots["web-1"]!)/file"
            try Data("old".utf8).write(to: URL(fileURLWithPath: destination))

            try await fixture.transport("web-1").upload(source, to: destination)

            #expect(FileManager.default.contents(atPath: destination) == Data())
        }
    }

    @Test func refusesARelativeDestinationAndAMissingSource() async throws {
        try await SSHTestFixture.with { fixture in
            let transport = fixture.transport("web-1")
            let relative = await #expect(throws: TransportError.self) {
                try await transport.upload("/etc/hostname", to: "relative/path")
            }
            #expect(relative?.message.contains("not an absolute path") == true)
            let missing = await #expect(throws: TransportError.self) {
                try await transport.upload("\(fixture.folder)/missing", to: "\(fixture.roots["web-1"]!)/x")
            }
            #expect(missing?.host == "ssh:web-1")
            #expect(missing?.message.contains("missing") == true)
        }
    }

    @Test func aRemoteWriteFailureIsReported() async throws {
        try await SSHTestFixture.with { fixture in
            let blocker = "\(fixture.roots["web-1"]!)/blocker"
            try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: blocker))
            let error = await #expect(throws: TransportError.self) {
                try await fixture.transport("web-1").upload("/etc/hostname", to: "\(blocker)/inside/file")
            }
            #expect(error?.message.contains("failed") == true)
        }
    }

    @Test func uploadThenRunIsOneClientAndTheScriptSeesTheFile() async throws {
        try await SSHTestFixture.with { fixture in
            let bytes = Data((0..<200_000).map { _ in UInt8.random(in: 0...255) })
            let source = "\(fixture.folder)/bundle.tgz"
            try bytes.write(to: URL(fileURLWithPath: source))
            let destination = "\(fixture.roots["web-1"]!)/d-1/bundle.tgz"
            let lines = LinesSeen()
            let result = try await fixture.transport("web-1").upload(
                source, to: destination, thenRun: "wc -c < \"$F\" | tr -d ' '; read -r x || echo \"stdin closed\"; exit 3",
                environment: ["F": destination], timeout: .seconds(60)) { stream, line in lines.add("\(stream.rawValue) \(line)") }
            #expect(FileManager.default.contents(atPath: destination) == bytes)
            #expect(lines.all == ["stdout 200000", "stdout stdin closed"])
            #expect(result.termination == .exited(3))
        }
    }

    @Test func aFailedUploadBeforeTheScriptIsAnUploadErrorAndTheScriptNeverRuns() async throws {
        try await SSHTestFixture.with { fixture in
            let blocker = "\(fixture.roots["web-1"]!)/blocker"
            try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: blocker))
            let marker = "\(fixture.roots["web-1"]!)/ran"
            let error = await #expect(throws: TransportError.self) {
                _ = try await fixture.transport("web-1").upload("/etc/hostname", to: "\(blocker)/inside/file",
                                                                thenRun: "touch \(Shell.quote(marker))", environment: [:],
                                                                timeout: nil) { _, _ in }
            }
            #expect(error?.message.contains("upload of /etc/hostname") == true)
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    @Test func environmentValuesNeverReachACommandLine() async throws {
        try await SSHTestFixture.with { fixture in
            let source = "\(fixture.folder)/bundle.tgz"
            try Data("bundle".utf8).write(to: URL(fileURLWithPath: source))
            let secret = "s3cr3t-\(UUID().uuidString)"
            // Every process's command line on this machine (client and "remote" alike), read while
            // the script runs; the script itself sees the value in its environment.
            let scan = "n=0; for f in /proc/[0-9]*/cmdline; do c=$( { tr '\\000' ' ' < \"$f\"; } 2>/dev/null ); "
                + "case $c in *\"$TOKEN\"*) n=$((n+1)) ;; esac; done; echo \"$n\"; echo \"seen=$TOKEN\""
            let fused = LinesSeen()
            _ = try await fixture.transport("web-1").upload(source, to: "\(fixture.roots["web-1"]!)/d/bundle.tgz", thenRun: scan,
                                                            environment: ["TOKEN": secret], timeout: .seconds(60)) { _, line in fused.add(line) }
            #expect(fused.all == ["0", "seen=\(secret)"])
            let alone = LinesSeen()
            _ = try await fixture.transport("web-1").run(scan, environment: ["TOKEN": secret], timeout: .seconds(60)) { _, line in alone.add(line) }
            #expect(alone.all == ["0", "seen=\(secret)"])
        }
    }
}

private final class LinesSeen: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
