import Foundation
import Testing
import WireProtocol
@testable import Audit

@Suite struct AuditQueryTests {
    private func entry(_ index: Int, type: String, round: Int?, sender: String, payload: JSONValue) -> AuditEntry {
        AuditEntry(index: index, prev: "", hash: "", type: type, round: round, sender: sender, timestamp: 0, payload: payload, recordedAt: 0)
    }

    @Test func filtersByRoundClientAndType() {
        let entries = [
            entry(0, type: "bid", round: 1, sender: "guardian-3", payload: ["ask": 1]),
            entry(1, type: "bid", round: 1, sender: "guardian-4", payload: ["ask": 2]),
            entry(2, type: "assignment", round: 1, sender: "server-agent", payload: ["clientID": 3]),
            entry(3, type: "audit-event", round: 2, sender: "server-agent", payload: ["subject": "guardian-3"]),
            entry(4, type: "audit-event", round: nil, sender: "auditor", payload: "started"),
        ]
        #expect(AuditQuery().filter(entries).count == 5)
        #expect(AuditQuery(round: 1).filter(entries).map(\.index) == [0, 1, 2])
        #expect(AuditQuery(client: 3).filter(entries).map(\.index) == [0, 2, 3])
        #expect(AuditQuery(type: "audit-event").filter(entries).map(\.index) == [3, 4])
        #expect(AuditQuery(round: 1, client: 3, type: "bid").filter(entries).map(\.index) == [0])
        #expect(AuditQuery(client: 30).filter(entries).isEmpty)
    }

    @Test func readsMatchingEntriesFromAFile() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        #expect(try AuditQuery(client: 1).entries(in: url).map(\.index) == [1, 6])
        #expect(try AuditQuery(type: "assignment").entries(in: url).map(\.index) == [3, 8])
    }
}
