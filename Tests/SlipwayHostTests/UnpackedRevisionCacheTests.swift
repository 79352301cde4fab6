import Foundation
import SlipwayHost
import Testing

@Suite struct UnpackedRevisionCacheTests {
    @Test func oneExtractionServesEveryConcurrentHost() async throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let archive = try fixture.revision("v1", ["appspec.yml": appspec("files:\n  - source: /\n    destination: /srv\n"), "a.txt": "A"]).archive
        let cache = UnpackedRevisionCache(root: fixture.base + "/cache")
        defer { cache.removeAll() }

        // Twenty hosts ask at once: each extraction would make a fresh folder, so one folder
        // for all proves one extraction.
        let leases = try await withThrowingTaskGroup(of: UnpackedRevisionCache.Lease.self) { group in
            for _ in 0..<20 {
                group.addTask { try await cache.lease(archive: archive, format: "tgz", sha256: "digest-v1") }
            }
            var all: [UnpackedRevisionCache.Lease] = []
            for try await lease in group { all.append(lease) }
            return all
        }
        let folders = Set(leases.map(\.revision.bundle.directory))
        #expect(folders.count == 1)
        let folder = try #require(folders.first)
        #expect((try? String(contentsOfFile: folder + "/a.txt", encoding: .utf8)) == "A")
        #expect(leases[0].revision.appSpec.files.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.base + "/cache").count == 1)

        // Released, the folder stays for the next batch, which gets the same one.
        for lease in leases { lease.release() }
        let next = try await cache.lease(archive: archive, format: "tgz", sha256: "digest-v1")
        #expect(next.revision.bundle.directory == folder)
        next.release()
        #expect(cache.count == 1)
    }

    @Test func idleRevisionsBeyondTheCapacityAreRemoved() async throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let cache = UnpackedRevisionCache(idleCapacity: 1, root: fixture.base + "/cache")
        defer { cache.removeAll() }
        let v1 = try fixture.revision("v1", ["appspec.yml": appspec(""), "a.txt": "1"]).archive
        let v2 = try fixture.revision("v2", ["appspec.yml": appspec(""), "a.txt": "2"]).archive

        let first = try await cache.lease(archive: v1, format: "tgz", sha256: "d1")
        let second = try await cache.lease(archive: v2, format: "tgz", sha256: "d2")
        first.release()
        #expect(FileManager.default.fileExists(atPath: first.revision.bundle.directory))
        second.release()
        // Two idle, room for one: the older goes, the newer stays.
        #expect(!FileManager.default.fileExists(atPath: first.revision.bundle.directory))
        #expect(FileManager.default.fileExists(atPath: second.revision.bundle.directory))
        #expect(cache.count == 1)
    }

    @Test func aBrokenArchiveFailsAndIsNotKept() async throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let cache = UnpackedRevisionCache(root: fixture.base + "/cache")
        defer { cache.removeAll() }
        let broken = fixture.base + "/broken.tgz"
        try "not an archive".write(toFile: broken, atomically: true, encoding: .utf8)

        await #expect(throws: PlanError.self) {
            _ = try await cache.lease(archive: broken, format: "tgz", sha256: "bad")
        }
        #expect(cache.count == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.base + "/cache").isEmpty)
    }
}
