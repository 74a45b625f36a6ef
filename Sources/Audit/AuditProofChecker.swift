import Foundation
import WireProtocol

/// Checks an ``AuditProof`` from the file alone, without the log.
///
/// An inclusion proof holds when the entry's content hashes to its `hash`, its sender signature
/// (if any) verifies, the leaf is that hash and the leaf hash `SHA-256(0x00 ‖ leaf)`, the index is
/// the entry's, the head's signature verifies and the audit path leads from the leaf hash to the
/// head's root (RFC 9162 §2.1.3.2); for the last entry a head covers, the head's chain head must
/// be the entry's hash. A consistency proof holds when both heads' signatures verify, the same key
/// signed both for the same run, the sizes are theirs and the path proves the first tree a prefix
/// of the second (RFC 9162 §2.1.4.2). With a keyring the heads must be signed by its "auditor" key
/// and a signed entry by its sender's key; without, the keys the proof carries are used.
public enum AuditProofChecker {
    public static func check(_ proof: AuditProof, keyring: Keyring? = nil) throws(AuditProofFailure) -> AuditProofCheck {
        switch proof {
        case .inclusion(let proof): try check(proof, keyring: keyring)
        case .consistency(let proof): try check(proof, keyring: keyring)
        }
    }

    static func check(_ proof: EntryInclusionProof, keyring: Keyring?) throws(AuditProofFailure) -> AuditProofCheck {
        let entry = proof.entry
        let computed: String
        do {
            computed = try entry.computedHash()
        } catch {
            throw .entryHash(stored: entry.hash, computed: "nothing: \(error)")
        }
        guard computed == entry.hash else { throw .entryHash(stored: entry.hash, computed: computed) }
        let senderLine: String
        switch AuditSignatureCheck.check(entry, keyring: keyring) {
        case .valid:
            senderLine = keyring == nil
                ? "the signature over the entry's signed fields verifies with the key the entry carries (not bound to \(entry.sender) without --keyring)"
                : "the signature over the entry's signed fields verifies with the keyring's key for \(entry.sender)"
        case .unsigned:
            if keyring != nil, AuditChainCheck.messageTypes.contains(entry.type) {
                throw .entrySignature("an entry of message type \"\(entry.type)\" carries no signature")
            }
            senderLine = "the entry is unsigned (the auditor's own, or a run without a keyring): only the chain and the head vouch for it"
        case .invalid(let kind):
            throw .entrySignature(kind.description)
        }
        guard proof.leaf == Hex.bytes(entry.hash) else {
            throw .leaf("is \(Hex.string(proof.leaf)), but the entry's hash is \(entry.hash)")
        }
        let leafHash = MerkleHash.leaf(proof.leaf)
        guard proof.leafHash == leafHash else {
            throw .leaf("its hash is given as \(Hex.string(proof.leafHash)), but SHA-256(0x00 || leaf) is \(Hex.string(leafHash))")
        }
        guard proof.proof.leafIndex == entry.index else {
            throw .leaf("leafIndex \(proof.proof.leafIndex) is not the entry's index \(entry.index)")
        }
        let head = proof.head
        try checkSignature(of: head, which: "", keyring: keyring)
        guard proof.proof.treeSize == head.treeSize else {
            throw .head("the proof is for a tree of \(proof.proof.treeSize) entries, the head signs one of \(head.treeSize)")
        }
        if let run = entry.runID, run != head.runID {
            throw .head("the entry is of run \(run), the head of run \(head.runID)")
        }
        let root = try root(of: head, which: "")
        do {
            try proof.proof.verify(leafHash: leafHash, root: root)
        } catch {
            throw .path(error)
        }
        if entry.index == head.treeSize - 1, head.chainHead != entry.hash {
            throw .head("entry \(entry.index) is the last the head covers, but the head's chain head is \(head.chainHead), not its hash \(entry.hash)")
        }
        return AuditProofCheck(
            kind: .inclusion,
            proven: [
                "entry \(entry.index) (\(entry.type), round \(entry.round.map(String.init) ?? "-"), sender \(entry.sender)) hashes to \(entry.hash)",
                senderLine,
                "it is leaf \(entry.index) of the Merkle tree of the log's first \(head.treeSize) entries, root \(head.merkleRoot)",
                "that root is signed in the tree head of run \(head.runID), round \(head.round)\(head.final ? " (final)" : "")",
            ],
            notProven: [
                "what the log holds after entry \(head.treeSize - 1), or that the auditor signed no other head of this size (whoever holds its key can sign another log; compare heads you received with consistency proofs)",
                "the contents of attachments (tensors): the entry keeps only their SHA-256",
            ],
            keysFromKeyring: keyring != nil)
    }

    static func check(_ proof: TreeHeadConsistencyProof, keyring: Keyring?) throws(AuditProofFailure) -> AuditProofCheck {
        let (first, second) = (proof.first, proof.second)
        try checkSignature(of: first, which: "first", keyring: keyring)
        try checkSignature(of: second, which: "second", keyring: keyring)
        guard first.publicKey == second.publicKey else { throw .head("the two heads are signed by different keys") }
        guard first.runID == second.runID else { throw .head("the heads are of different runs: \(first.runID) and \(second.runID)") }
        guard proof.proof.firstSize == first.treeSize, proof.proof.secondSize == second.treeSize else {
            throw .head("the proof is from size \(proof.proof.firstSize) to \(proof.proof.secondSize), the heads are of sizes \(first.treeSize) and \(second.treeSize)")
        }
        let firstRoot = try root(of: first, which: "first"), secondRoot = try root(of: second, which: "second")
        do {
            try proof.proof.verify(firstRoot: firstRoot, secondRoot: secondRoot)
        } catch {
            throw .path(error)
        }
        if first.treeSize == second.treeSize, first.chainHead != second.chainHead {
            throw .head("the heads are of the same size but name different chain heads: \(first.chainHead) and \(second.chainHead)")
        }
        return AuditProofCheck(
            kind: .consistency,
            proven: [
                "the log's first \(first.treeSize) entries (root \(first.merkleRoot), signed for round \(first.round)) are unchanged as the first \(first.treeSize) of its \(second.treeSize) (root \(second.merkleRoot), signed for round \(second.round)\(second.final ? ", final" : "")): between the heads the log only grew",
                "both heads verify with the same key, for run \(first.runID)",
            ],
            notProven: [
                "anything about single entries (ask for inclusion proofs), or about entries after \(second.treeSize - 1)",
                "that the auditor showed no one a different, inconsistent head (only comparing heads others received shows that)",
            ],
            keysFromKeyring: keyring != nil)
    }

    /// The head's signature, with its key and signature in the one base64 spelling of their bytes
    /// (a lenient decoder would let unused padding bits change unnoticed).
    private static func checkSignature(of head: AuditRoot, which: String, keyring: Keyring?) throws(AuditProofFailure) {
        for (name, text) in [("publicKey", head.publicKey), ("signature", head.signature)] {
            guard let bytes = Data(base64Encoded: text), bytes.base64EncodedString() == text else {
                throw .headSignature(which: which, reason: "its \(name) is not canonical base64")
            }
        }
        if let problem = TreeHeadSigning.problem(with: head, keyring: keyring) {
            throw .headSignature(which: which, reason: problem)
        }
    }

    private static func root(of head: AuditRoot, which: String) throws(AuditProofFailure) -> [UInt8] {
        guard let root = Hex.bytes(head.merkleRoot), root.count == MerkleHash.size else {
            throw .head("the \(which.isEmpty ? "" : which + " ")head's merkleRoot is not a 32-byte hex digest")
        }
        return root
    }
}
