#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists and stats, on a thread of its own, the directories a `SourceTree` walk will enter, in
/// the order it will enter them, a bounded distance ahead: while the walk filters, hashes or
/// packs one directory, the kernel work for the next ones (readdir and one `fstatat` per entry,
/// most of a walk) is already being done on the other core. The queue holds at most
/// `entryLimit` entries (plus one listing larger than that), so memory stays flat whatever the
/// tree size.
final class ListingPrefetcher: @unchecked Sendable {
    private let tree: SourceTree
    private let lock = ThreadLock()
    private let changed = ThreadCondition()
    // Guarded by `lock`.
    private var queue: [(path: String, listing: Result<SourceTree.Listing, ArchiveError>)] = []
    private var queuedEntries = 0
    private var finished = false
    private var cancelled = false
    private var thread: NativeThread?

    static let entryLimit = 16_384

    init(tree: SourceTree) {
        self.tree = tree
        thread = NativeThread.start { [self] in
            _ = produce("")
            lock.withLock {
                finished = true
                changed.broadcast()
            }
        }
    }

    /// The listing of `path`, which must be the next directory the walk enters.
    func next(_ path: String) throws(ArchiveError) -> SourceTree.Listing {
        let item: (path: String, listing: Result<SourceTree.Listing, ArchiveError>)? = lock.withLock {
            while queue.isEmpty && !finished && thread != nil { changed.wait(releasing: lock) }
            guard !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            if case .success(let listing) = first.listing { queuedEntries -= listing.count }
            changed.broadcast()
            return first
        }
        // No thread, or it stopped early (after a fault the walk has not reached yet): list here.
        guard let item, item.path == path else { return try tree.sortedListing(path) }
        return try item.listing.get()
    }

    /// Ends the thread (the walk finished or failed) and waits for it.
    func stop() {
        lock.withLock {
            cancelled = true
            changed.broadcast()
        }
        thread?.join()
    }

    /// The walk's own descent: every directory it enters, depth first, children in walk order.
    /// Returns false once there is nothing more to do: cancelled, or at a fault where the walk
    /// itself will stop (an unreadable directory, a name that is not UTF-8).
    private func produce(_ path: String) -> Bool {
        let listing: SourceTree.Listing
        do throws(ArchiveError) {
            listing = try tree.sortedListing(path)
        } catch {
            _ = enqueue(path, .failure(error), count: 0)
            return false
        }
        guard enqueue(path, .success(listing), count: listing.count) else { return false }
        for (rawName, info) in listing where POSIX.isDirectory(info) {
            guard let name = String(validating: rawName, as: UTF8.self) else { return false }
            let relative = SourceTree.relative(name, in: path)
            if tree.descends(into: relative), !produce(relative) { return false }
        }
        return true
    }

    private func enqueue(_ path: String, _ listing: Result<SourceTree.Listing, ArchiveError>, count: Int) -> Bool {
        lock.withLock {
            while !cancelled && !queue.isEmpty && queuedEntries + count > Self.entryLimit { changed.wait(releasing: lock) }
            guard !cancelled else { return false }
            queue.append((path, listing))
            queuedEntries += count
            changed.broadcast()
            return true
        }
    }
}
