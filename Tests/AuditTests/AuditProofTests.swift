import Crypto
import Foundation
import Testing
import WireProtocol
@testable import Audit

/// The path `agentfl audit prove` and `check-proof` take, at library level: ``AuditProofBuilder``
/// on a signed run's log (entries 0…7; signed heads of sizes 3 and 7 logged, 8 in the heads
/// file), the proof file's text, ``AuditProof/parse(_:)`` and ``AuditProofChecker``.
@Suite struct AuditProofTests {
    private let run = SignedRun()

    private func builder(_ dir: borrowing TemporaryDirectory, external: Bool = true) throws -> (AuditProofBuilder, [AuditRoot]) {
        let url = dir.file(external ? "audit.log" : "in-log-heads-only.log")
        let heads = try run.write(to: url)
        return (try AuditProofBuilder(log: url, heads: external ? heads : [], keyring: run.keyring), heads)
    }

    /// What `check-proof` does with a file's bytes.
    private func check(_ bytes: some Collection<UInt8>, keyring: Keyring?) throws -> AuditProofCheck {
        try AuditProofChecker.check(AuditProof.parse(bytes), keyring: keyring)
    }

    private func failure(_ proof: AuditProof, keyring: Keyring?) -> AuditProofFailure? {
        do {
            _ = try AuditProofChecker.check(proof, keyring: keyring)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyEntryIsProvenAgainstTheLatestHead() throws {
        let dir = try TemporaryDirectory()
        let (builder, heads) = try builder(dir)
        #expect(builder.heads.map(\.treeSize) == [3, 7, 8])
        for index in 0..<8 {
            let proof = try builder.inclusionProof(entry: index)
            #expect(proof.head == heads.last)
            #expect(proof.leaf == Hex.bytes(proof.entry.hash))
            #expect(proof.leafHash == MerkleHash.leaf(proof.leaf))
            let text = try AuditProof.inclusion(proof).text()
            #expect(try AuditProof.parse(Array(text.utf8)) == .inclusion(proof))
            let checked = try check(Array(text.utf8), keyring: run.keyring)
            #expect(checked.kind == .inclusion && checked.keysFromKeyring)
            #expect(checked.description.contains("it is leaf \(index) of the Merkle tree of the log's first 8 entries"))
        }
        // Against an earlier head of the caller's choice.
        let earlier = try builder.inclusionProof(entry: 2, treeSize: 3)
        #expect(earlier.head.treeSize == 3 && earlier.proof.treeSize == 3)
        #expect(failure(.inclusion(earlier), keyring: run.keyring) == nil)
        // The last entry a head covers is also its chain head.
        let last = try builder.inclusionProof(entry: 6, treeSize: 7)
        #expect(last.head.chainHead == last.entry.hash)
    }

    @Test func requestsThatCannotBeMetNameTheBadInput() throws {
        let dir = try TemporaryDirectory()
        let (builder, _) = try builder(dir)
        #expect(throws: AuditProofRequestError.entryOutOfRange(entry: 8, entries: 8)) { try builder.inclusionProof(entry: 8) }
        #expect(throws: AuditProofRequestError.entryOutOfRange(entry: -1, entries: 8)) { try builder.inclusionProof(entry: -1) }
        #expect(throws: AuditProofRequestError.noHeadCovers(entry: 7, largest: 7)) { try builder.inclusionProof(entry: 7, treeSize: 7) }
        #expect(throws: AuditProofRequestError.notASignedHead(treeSize: 5, signed: [3, 7, 8])) { try builder.inclusionProof(entry: 1, treeSize: 5) }
        #expect(throws: AuditProofRequestError.notASignedHead(treeSize: 0, signed: [3, 7, 8])) { try builder.consistencyProof(from: 0, to: 8) }
        #expect(throws: AuditProofRequestError.notASignedHead(treeSize: 9, signed: [3, 7, 8])) { try builder.consistencyProof(from: 3, to: 9) }
        #expect(throws: AuditProofRequestError.sizesOutOfOrder(from: 8, to: 3)) { try builder.consistencyProof(from: 8, to: 3) }
        #expect(AuditProofRequestError.noHeadCovers(entry: 7, largest: 7).description == "no signed tree head covers entry 7: the largest covers entries 0..<7")

        // Without the heads file only the logged heads count: the last entry is covered by none.
        let (inLogOnly, _) = try self.builder(dir, external: false)
        #expect(inLogOnly.heads.map(\.treeSize) == [3, 7])
        #expect(throws: AuditProofRequestError.noHeadCovers(entry: 7, largest: 7)) { try inLogOnly.inclusionProof(entry: 7) }

        let headless = dir.file("headless.log")
        _ = try SampleLog.write(to: headless, entries: 4)
        let none = try AuditProofBuilder(log: headless)
        #expect(throws: AuditProofRequestError.noSignedHeads) { try none.inclusionProof(entry: 0) }
        #expect(throws: AuditProofRequestError.noSignedHeads) { try none.consistencyProof(from: 1, to: 2) }
    }

    @Test func aDamagedLogGivesNoProof() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let heads = try run.write(to: url)
        var lines = try SampleLog.lines(of: url)
        lines.remove(at: 1)
        try SampleLog.write(lines: lines, to: url)
        #expect(throws: AuditVerificationFailure.self) { try AuditProofBuilder(log: url, heads: heads, keyring: run.keyring) }
    }

    @Test func consistencyBetweenEveryPairOfHeads() throws {
        let dir = try TemporaryDirectory()
        let (builder, _) = try builder(dir)
        for (first, second) in [(3, 3), (3, 7), (3, 8), (7, 8), (8, 8)] {
            let proof = try builder.consistencyProof(from: first, to: second)
            #expect(proof.first.treeSize == first && proof.second.treeSize == second)
            let text = try AuditProof.consistency(proof).text()
            #expect(try AuditProof.parse(Array(text.utf8)) == .consistency(proof))
            let checked = try check(Array(text.utf8), keyring: run.keyring)
            #expect(checked.kind == .consistency)
            #expect(checked.description.contains("the log's first \(first) entries"))
        }
    }

    /// Any one byte of a proof file changed (each byte XOR 1: a digit becomes another, a letter
    /// another letter or a non-hex character, punctuation something that is not JSON): the file
    /// no longer reads, or no longer checks.
    @Test(arguments: [false, true])
    func flippingAnyByteOfAProofFileFailsTheCheck(consistency: Bool) throws {
        let dir = try TemporaryDirectory()
        let (builder, _) = try builder(dir)
        let proof: AuditProof = consistency ? .consistency(try builder.consistencyProof(from: 3, to: 8)) : .inclusion(try builder.inclusionProof(entry: 4))
        let bytes = Array(try proof.text().utf8)
        _ = try check(bytes, keyring: nil)
        var accepted: [Int] = []
        for position in bytes.indices {
            var changed = bytes
            changed[position] ^= 0x01
            if (try? check(changed, keyring: nil)) != nil { accepted.append(position) }
        }
        #expect(accepted.isEmpty, "accepted with byte(s) \(accepted) changed, e.g. \(accepted.first.map { String(decoding: bytes[max(0, $0 - 30)..<min(bytes.count, $0 + 30)], as: UTF8.self) } ?? "")")
    }

    /// Named failures for the edits that matter; and the file written and read back from disk.
    @Test func tamperedProofsFailNamingWhatFailed() throws {
        let dir = try TemporaryDirectory()
        let (builder, _) = try builder(dir)
        let proof = try builder.inclusionProof(entry: 4)

        var path = proof
        path.proof.auditPath[1][0] ^= 0x80
        guard case .path(.rootMismatch(.tree, _, _))? = failure(.inclusion(path), keyring: run.keyring) else {
            Issue.record("a changed path hash must fail at the root")
            return
        }
        var content = proof
        content.entry.auditorNotes = ["note": "rewritten"]
        #expect(failure(.inclusion(content), keyring: run.keyring)?.name == "entry-hash")
        var rehashed = content
        rehashed.entry.hash = try rehashed.entry.computedHash()
        rehashed.leaf = Hex.bytes(rehashed.entry.hash) ?? []
        rehashed.leafHash = MerkleHash.leaf(rehashed.leaf)
        #expect(failure(.inclusion(rehashed), keyring: run.keyring)?.name == "merkle-path")
        var moved = proof
        moved.proof.leafIndex = 5
        #expect(failure(.inclusion(moved), keyring: run.keyring)?.name == "leaf")
        var resized = proof
        resized.head.treeSize = 7
        #expect(failure(.inclusion(resized), keyring: run.keyring) == .headSignature(which: "", reason: "its signature does not verify with its publicKey"))

        let url = dir.file("proof.json")
        try Data(try AuditProof.inclusion(proof).text().utf8).write(to: url)
        #expect(try AuditProof.read(url) == .inclusion(proof))
        #expect(throws: AuditProofFileError.self) { try AuditProof.read(dir.file("missing.json")) }
        #expect(throws: AuditProofFileError.notAProof("its \"format\" is not \"agentfl/audit-proof/v1\"")) { try AuditProof.parse(Array(#"{"kind": "inclusion"}"#.utf8)) }
        #expect(throws: AuditProofFileError.malformed(field: "extra", reason: "is not a field of this proof format")) {
            let text = try AuditProof.inclusion(proof).text().replacingOccurrences(of: "{\n", with: "{\n  \"extra\": 1,\n")
            return try AuditProof.parse(Array(text.utf8))
        }
    }

    /// Without a keyring a proof shows only that it is consistent with the key it carries: a
    /// forger's own log and heads pass, and the output says so; the run's keyring refuses them.
    @Test func withoutAKeyringOnlyInternalConsistencyIsProven() throws {
        let dir = try TemporaryDirectory()
        let (builder, _) = try builder(dir)
        let genuine = try AuditProofChecker.check(.inclusion(try builder.inclusionProof(entry: 0)))
        #expect(!genuine.keysFromKeyring)
        #expect(genuine.description.contains("only internal consistency is proven"))

        let forger = SignedRun()
        let url = dir.file("forged.log")
        let heads = try forger.write(to: url)
        let forged = try AuditProofBuilder(log: url, heads: heads).inclusionProof(entry: 0)
        #expect(failure(.inclusion(forged), keyring: nil) == nil)
        #expect(failure(.inclusion(forged), keyring: run.keyring)?.name == "entry-signature")
        // With the genuine sender keys but the forger's auditor key, the head is what fails.
        var ring = forger.keyring
        ring.keys["auditor"] = run.keyring.keys["auditor"]
        #expect(failure(.inclusion(forged), keyring: ring)
            == .headSignature(which: "", reason: "it is signed by a key that is not the keyring's \"auditor\" key"))
        let consistency = try AuditProofBuilder(log: url, heads: heads).consistencyProof(from: 3, to: 8)
        #expect(failure(.consistency(consistency), keyring: nil) == nil)
        #expect(failure(.consistency(consistency), keyring: run.keyring)?.name == "head-signature")
    }

    /// Two heads of one run that do not describe one growing log: a consistency proof cannot join them.
    @Test func headsOfDifferentLogsAreNotConsistent() throws {
        let dir = try TemporaryDirectory()
        let (builder, heads) = try builder(dir)
        var proof = try builder.consistencyProof(from: 3, to: 8)
        // A head of size 3 over other entries, signed by the same auditor.
        let other = dir.file("other.log")
        let log = try AuditLog.open(other)
        for i in 0..<3 { try log.append(type: "rejected-record", round: nil, sender: "unknown", timestamp: i, payload: ["i": .exact(i)]) }
        let otherHead = try TreeHeadSigning.sign(log.treeHead(round: 1, runID: run.runID, final: false, timestamp: 5), with: run.auditorKey)
        log.close()
        proof.first = otherHead
        #expect(failure(.consistency(proof), keyring: run.keyring)
            == .path(.rootMismatch(.first, computed: heads[0].merkleRoot, expected: otherHead.merkleRoot)))
        // Heads signed by different keys are refused before any hashing.
        proof.first = try TreeHeadSigning.sign(heads[0], with: Curve25519.Signing.PrivateKey())
        #expect(failure(.consistency(proof), keyring: nil) == .head("the two heads are signed by different keys"))
    }
}
