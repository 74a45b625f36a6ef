import Foundation
import Testing
import WireProtocol
@testable import Audit

@Suite struct AuditLogTests {
    @Test func entriesAreChainedAndWrittenAsCanonicalLines() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let written = try SampleLog.write(to: url, entries: 3)
        #expect(written.map(\.index) == [0, 1, 2])
        #expect(written[0].prev == AuditEntry.genesisHash)
        #expect(written[1].prev == written[0].hash)
        #expect(written[2].prev == written[1].hash)
        for entry in written { #expect(try entry.computedHash() == entry.hash) }
        #expect(try SampleLog.lines(of: url) == written.map { try $0.canonicalLine() })
        #expect(written[0].hash.count == 64)
    }

    @Test func reopeningContinuesTheChain() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let first = try SampleLog.write(to: url, entries: 4)
        let before = try Data(contentsOf: url)

        let log = try AuditLog.open(url)
        #expect(log.count == 4)
        #expect(log.headHash == first.last?.hash)
        let next = try log.append(type: "audit-event", round: 0, sender: "auditor", timestamp: 5, payload: ["n": 5])
        log.close()

        #expect(next.index == 4)
        #expect(next.prev == first[3].hash)
        let after = try Data(contentsOf: url)
        #expect(after.prefix(before.count) == before, "earlier lines are never rewritten")
        #expect(try AuditVerifier.verify(url).entryCount == 5)
    }

    @Test func secondWriterIsRefusedWhileTheFirstHoldsTheLog() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        #expect(throws: AuditLogError.self) { try AuditLog.open(url) }
        log.close()
        #expect(throws: AuditLogError.self) {
            try log.append(type: "x", round: nil, sender: "s", timestamp: 0, payload: nil)
        }
        _ = try AuditLog.open(url)
    }

    @Test func damagedLogsAreNotAppendedTo() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url, entries: 3)
        var lines = try SampleLog.lines(of: url)
        lines[1] = lines[1].replacingOccurrences(of: "entry 1", with: "entry 7")
        try SampleLog.write(lines: lines, to: url)
        let damaged = try Data(contentsOf: url)
        #expect {
            try AuditLog.open(url)
        } throws: { error in
            guard case AuditLogError.corrupt(let failure) = error else { return false }
            return failure.line == 2
        }
        #expect(try Data(contentsOf: url) == damaged)
    }

    @Test func tornLastLineIsNotAppendedTo() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url, entries: 2)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"index":2,"prev":"#.utf8))
        try handle.close()
        #expect(throws: AuditLogError.self) { try AuditLog.open(url) }
    }

    @Test func nonFinitePayloadIsRefusedAndNothingIsWritten() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        defer { log.close() }
        #expect(throws: AuditLogError.self) {
            try log.append(type: "metric", round: 1, sender: "aggregator", timestamp: 0, payload: ["loss": .number(.nan)])
        }
        #expect(log.count == 0)
        let entry = try log.append(type: "metric", round: 1, sender: "aggregator", timestamp: 0, payload: ["loss": 0.25])
        #expect(entry.index == 0)
        #expect(try AuditVerifier.verify(url).entryCount == 1)
    }

    @Test func concurrentAppendsStayOneChain() async throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for i in 0..<10 {
                        try log.append(type: "bid", round: i % 2, sender: "guardian-\(task)", timestamp: i, payload: ["i": .number(Double(i))])
                    }
                }
            }
            try await group.waitForAll()
        }
        log.close()
        let report = try AuditVerifier.verify(url)
        #expect(report.entryCount == 40)
    }

    @Test func treeHeadsAndProofsMatchTheVerifier() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url, entries: 7)
        let log = try AuditLog.open(url)
        defer { log.close() }
        let report = try AuditVerifier.verify(url)
        let head = log.treeHead(round: 1, runID: "r", final: false)
        #expect(head.treeSize == 7)
        #expect(head.merkleRoot == report.logRoot)
        #expect(head.chainHead == report.headHash)

        // Entry 6 is in the tree of the first 7 entries, and of no smaller one.
        let entries = try AuditQuery(round: 1).entries(in: url)
        #expect(entries.map(\.index) == [5, 6])
        let proof = try #require(log.proof(index: 6, treeSize: 7))
        #expect(MerkleTree.verify(proof, leafHex: entries[1].hash, rootHex: head.merkleRoot))
        #expect(!MerkleTree.verify(proof, leafHex: entries[0].hash, rootHex: head.merkleRoot))
        #expect(log.proof(index: 6, treeSize: 6) == nil)
        #expect(log.proof(index: 0, treeSize: 8) == nil)
    }
}
