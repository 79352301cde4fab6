import Foundation
@testable import SlipwayHost
import Testing

@Suite("SSHTransport connections")
struct SSHTransportConnectionTests {
    @Test func connectionRefusedIsAClearTransportError() async throws {
        try await SSHTestFixture.with(hosts: [], unreachable: ["bad"]) { fixture in
            let error = await #expect(throws: TransportError.self) {
                _ = try await fixture.run("bad", "echo never")
            }
            #expect(error?.host == "ssh:bad")
            #expect(error?.message.contains("Connection refused") == true, "\(String(describing: error))")
            let uploadError = await #expect(throws: TransportError.self) {
                try await fixture.transport("bad").upload("/etc/hostname", to: "/tmp/never")
            }
            #expect(uploadError?.message.contains("Connection refused") == true)
        }
    }

    /// Through one master every command shares one TCP connection, so the client port sshd
    /// reports in SSH_CONNECTION is the same; each alias gets its own master even though all
    /// aliases resolve to the same address (the `%C` trap).
    @Test func commandsShareOneMasterPerAlias() async throws {
        try await SSHTestFixture.with(hosts: ["web-1", "web-2"]) { fixture in
            let script = #"set -- $SSH_CONNECTION; echo "$2""#
            let first = try await fixture.run("web-1", script)
            let socket = fixture.client.controlPath(for: "web-1")
            #expect(Self.isSocket(socket))
            let second = try await fixture.run("web-1", script)
            let other = try await fixture.run("web-2", script)

            #expect(first.stdout.count == 1)
            #expect(first.stdout == second.stdout)
            #expect(other.stdout.count == 1)
            #expect(other.stdout != first.stdout)
            #expect(fixture.client.controlPath(for: "web-2") != socket)

            await fixture.transport("web-1").close()
            #expect(!FileManager.default.fileExists(atPath: socket))
            let afterClose = try await fixture.run("web-1", script)
            #expect(afterClose.result.succeeded)
            #expect(afterClose.stdout != first.stdout)
        }
    }

    @Test func concurrentFirstUseStartsOneMaster() async throws {
        try await SSHTestFixture.with { fixture in
            let ports = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<8 {
                    group.addTask { try await fixture.run("web-1", #"set -- $SSH_CONNECTION; echo "$2""#).stdout }
                }
                var ports: Set<[String]> = []
                for try await port in group { ports.insert(port) }
                return ports
            }
            #expect(ports.count == 1)
            #expect(ports.first?.count == 1)
        }
    }

    @Test func closingTheClientEndsMastersAndLaterUseFails() async throws {
        try await SSHTestFixture.with { fixture in
            _ = try await fixture.run("web-1", "true")
            let folder = fixture.client.controlDirectory
            #expect(Self.isSocket(fixture.client.controlPath(for: "web-1")))
            await fixture.client.close()
            #expect(!FileManager.default.fileExists(atPath: folder))
            let error = await #expect(throws: TransportError.self) {
                _ = try await fixture.run("web-1", "true")
            }
            #expect(error?.message.contains("closed") == true)
        }
    }

    static func isSocket(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSocket
    }
}
