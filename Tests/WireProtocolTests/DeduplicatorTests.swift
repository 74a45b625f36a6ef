import Foundation
import Testing
@testable import WireProtocol

@Suite struct DeduplicatorTests {
    @Test func forgetsTheOldestBeyondCapacity() {
        var deduplicator = Deduplicator(capacity: 3)
        let ids = (0..<5).map { _ in MessageID() }
        for id in ids {
            let inserted = deduplicator.insert(id)
            #expect(inserted)
        }
        let again = deduplicator.insert(ids[4])
        #expect(!again)
        #expect(deduplicator.count == 3)
        #expect(!deduplicator.contains(ids[0]) && !deduplicator.contains(ids[1]))
        #expect(deduplicator.idsOldestFirst == Array(ids[2...]))
    }

    @Test func persistentIdsSurviveARestartAndTheFileStaysBounded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dedup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("seen.ids")
        let ids = (0..<25).map { _ in MessageID() }
        do {
            let store = try PersistentDeduplicator(file: file, capacity: 10)
            for id in ids { try store.remember(id) }
            try store.remember(ids[24])
            #expect(store.count == 10)
        }
        // A torn last line, as after a crash in the middle of a write.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("1234-abc".utf8))
        try handle.close()

        let reloaded = try PersistentDeduplicator(file: file, capacity: 10)
        #expect(reloaded.count == 10)
        #expect(ids[15...].allSatisfy(reloaded.contains))
        #expect(!reloaded.contains(ids[0]))
        let later = MessageID()
        try reloaded.remember(later)
        #expect(try PersistentDeduplicator(file: file, capacity: 10).contains(later))
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count
        #expect(lines < 2 * 10 + 2)
    }

    @Test func unwritableFileIsATypedError() {
        #expect(throws: ProtocolError.self) {
            try PersistentDeduplicator(file: URL(fileURLWithPath: "/proc/no-such-dir/seen.ids"))
        }
    }
}
