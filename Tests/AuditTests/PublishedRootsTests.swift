import Foundation
import Testing
@testable import Audit

@Suite struct PublishedRootsTests {
    @Test func matchingPublishedRootsPass() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        let roots = try AuditVerifier.verify(url).roundRoots
        let report = try AuditVerifier.verify(url, publishedRoots: roots)
        #expect(report.checkedRoots == [0, 1])
        #expect(report.description.contains("matches published root"))
    }

    /// Cutting the last entries keeps the chain intact; only a published root shows it.
    @Test func truncatedTailIsCaughtByThePublishedRoot() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        let roots = try AuditVerifier.verify(url).roundRoots
        let lines = try SampleLog.lines(of: url)
        try SampleLog.write(lines: Array(lines.dropLast(2)), to: url)
        #expect(try AuditVerifier.verify(url).entryCount == 8)

        #expect {
            try AuditVerifier.verify(url, publishedRoots: roots)
        } throws: { error in
            guard let failure = error as? AuditVerificationFailure,
                  case .rootMismatch(let round, _, let computed) = failure.kind else { return false }
            return round == 1 && computed != nil
        }
    }

    /// A round is sealed when its metrics arrive; a straggler's entry logged afterwards must not
    /// turn the published root into a false alarm, while an altered early entry still does.
    @Test func aRootSealedBeforeAStragglerStillVerifies() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        for i in 0..<3 { try log.append(type: "bid", round: 1, sender: "guardian-\(i)", timestamp: i, payload: ["ask": .number(Double(i))]) }
        let sealed = try #require(log.root(round: 1))
        try log.append(type: "client-update", round: 1, sender: "guardian-9", timestamp: 9, payload: ["late": true])
        log.close()
        let report = try AuditVerifier.verify(url, publishedRoots: [1: sealed])
        #expect(report.checkedRoots == [1])
        #expect(throws: AuditVerificationFailure.self) {
            try AuditVerifier.verify(url, publishedRoots: [1: String(repeating: "0", count: 64)])
        }
    }

    @Test func rootOfAnUnknownRoundMismatches() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        _ = try SampleLog.write(to: url)
        #expect(throws: AuditVerificationFailure(
            kind: .rootMismatch(round: 7, published: "ab", computed: nil), line: nil, index: nil
        )) {
            try AuditVerifier.verify(url, publishedRoots: [7: "ab"])
        }
    }
}
