import Foundation
import Testing
import WireProtocol
@testable import Audit

/// Each kind of damage is found at the right line and entry.
@Suite struct TamperingTests {
    private func firstFailure(_ url: URL) -> AuditVerificationFailure? {
        do {
            _ = try AuditVerifier.verify(url)
            return nil
        } catch {
            return error
        }
    }

    @Test func intactLogVerifies() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let written = try SampleLog.write(to: url)
        let report = try AuditVerifier.verify(url)
        #expect(report.entryCount == 10)
        #expect(report.rounds == [0, 1])
        #expect(report.typeCounts == ["bid": 4, "audit-event": 2, "assignment": 2, "client-update": 2])
        #expect(report.headHash == written.last?.hash)
        #expect(report.signedEntries == 0)
    }

    @Test func modifiedPayloadByteIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines[3] = lines[3].replacingOccurrences(of: "entry 3", with: "entry 8")
        try SampleLog.write(lines: lines, to: url)

        let failure = try #require(firstFailure(url))
        #expect(failure.line == 4)
        #expect(failure.index == 3)
        guard case .modified = failure.kind else { Issue.record("expected modified, got \(failure)"); return }
        #expect(failure.description.hasPrefix("line 4 (entry 3): modified"))
    }

    @Test func deletedLineIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines.remove(at: 4)
        try SampleLog.write(lines: lines, to: url)

        let failure = try #require(firstFailure(url))
        #expect(failure.kind == .removed(missing: 4...4))
        #expect(failure.line == 5)
        #expect(failure.index == 5)
    }

    @Test func severalDeletedLinesAreNamedAsARange() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines.removeSubrange(2...4)
        try SampleLog.write(lines: lines, to: url)
        #expect(firstFailure(url)?.kind == .removed(missing: 2...4))
    }

    @Test func swappedLinesAreFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines.swapAt(2, 3)
        try SampleLog.write(lines: lines, to: url)

        let failure = try #require(firstFailure(url))
        #expect(failure.kind == .reordered(found: 3, expected: 2))
        #expect(failure.line == 3)
    }

    @Test func swappedLastTwoLinesAreFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines.swapAt(8, 9)
        try SampleLog.write(lines: lines, to: url)
        #expect(firstFailure(url)?.kind == .reordered(found: 9, expected: 8))
        #expect(firstFailure(url)?.line == 9)
    }

    @Test func entryMovedFarAheadIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        let moved = lines.remove(at: 1)
        lines.insert(moved, at: 6)
        try SampleLog.write(lines: lines, to: url)
        let failure = try #require(firstFailure(url))
        #expect(failure.kind == .reordered(found: 2, expected: 1))
        #expect(failure.line == 2)
    }

    /// The forger copies the scheme: right index, right `prev`, recomputed hash. The
    /// genuine entry that follows still links only to its own predecessor, which gives the
    /// forgery away.
    @Test func forgedLineWithRecomputedHashIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let written = try SampleLog.write(to: url)
        var forged = written[4]
        forged.payload = ["clientID": 4, "ask": 0.01, "note": "forged"]
        var lines = try SampleLog.lines(of: url)
        lines.insert(try SampleLog.forge(forged), at: 4)
        try SampleLog.write(lines: lines, to: url)

        let failure = try #require(firstFailure(url))
        guard case .inserted = failure.kind else { Issue.record("expected inserted, got \(failure)"); return }
        #expect(failure.line == 5)
        #expect(failure.index == 4)
    }

    @Test func forgedLineWithAnyIndexIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let written = try SampleLog.write(to: url)
        for (index, prev) in [(42, written[6].hash), (3, written[2].hash), (7, AuditEntry.genesisHash)] {
            var forged = written[3]
            forged.index = index
            forged.prev = prev
            forged.payload = "forged"
            var lines = try SampleLog.lines(of: url)
            lines.insert(try SampleLog.forge(forged), at: 3)
            let tampered = dir.file("tampered-\(index).log")
            try SampleLog.write(lines: lines, to: tampered)
            let failure = try #require(firstFailure(tampered))
            #expect(failure.line == 4, "forged index \(index): \(failure)")
            guard case .inserted = failure.kind else {
                Issue.record("forged index \(index): expected inserted, got \(failure)")
                continue
            }
        }
    }

    @Test func duplicatedLineIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines.insert(lines[2], at: 7)
        try SampleLog.write(lines: lines, to: url)
        let failure = try #require(firstFailure(url))
        guard case .inserted = failure.kind else { Issue.record("expected inserted, got \(failure)"); return }
        #expect(failure.line == 8)
        #expect(failure.index == 2)
    }

    /// Replacing an entry in place (recomputed hash, same index and prev) leaves the next
    /// entry pointing at the old hash.
    @Test func replacedEntryBreaksTheChainAtTheNextLine() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let written = try SampleLog.write(to: url)
        var replaced = written[5]
        replaced.payload = "rewritten history"
        var lines = try SampleLog.lines(of: url)
        lines[5] = try SampleLog.forge(replaced)
        try SampleLog.write(lines: lines, to: url)
        let failure = try #require(firstFailure(url))
        guard case .chainBroken = failure.kind else { Issue.record("expected chain-broken, got \(failure)"); return }
        #expect(failure.line == 7)
        #expect(failure.index == 6)
    }

    @Test func truncatedLineIsMalformed() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines[6] = String(lines[6].prefix(40))
        try SampleLog.write(lines: lines, to: url)
        let failure = try #require(firstFailure(url))
        #expect(failure.kind == .malformed(.notJSON))
        #expect(failure.line == 7)
        #expect(failure.index == 6)
    }

    @Test func truncatedFileTailIsMalformed() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 30).write(to: url)
        let failure = try #require(firstFailure(url))
        #expect(failure.kind == .malformed(.notJSON))
        #expect(failure.line == 10)
    }

    @Test func missingFieldAndBlankLineAreMalformed() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines[2] = lines[2].replacingOccurrences(of: "\"sender\"", with: "\"Sender\"")
        try SampleLog.write(lines: lines, to: url)
        #expect(firstFailure(url)?.kind == .malformed(.missingField("sender")))
        #expect(firstFailure(url)?.line == 3)

        lines = try SampleLog.lines(of: url)
        lines[2] = ""
        try SampleLog.write(lines: lines, to: url)
        #expect(firstFailure(url)?.kind == .malformed(.emptyLine))
        lines[2] = "[1,2,3]"
        try SampleLog.write(lines: lines, to: url)
        #expect(firstFailure(url)?.kind == .malformed(.notAnObject))
    }

    @Test func extraFieldCountsAsModification() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines[1] = "{\"approved\":true," + lines[1].dropFirst()
        try SampleLog.write(lines: lines, to: url)
        let failure = try #require(firstFailure(url))
        guard case .modified = failure.kind else { Issue.record("expected modified, got \(failure)"); return }
        #expect(failure.line == 2)
    }

    @Test func missingFileIsUnreadable() {
        let failure = firstFailure(URL(fileURLWithPath: "/nonexistent/audit.log"))
        guard case .unreadable? = failure?.kind else { Issue.record("expected unreadable, got \(String(describing: failure))"); return }
    }
}
