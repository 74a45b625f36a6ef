import Crypto
import Testing
@testable import Audit

@Suite struct MerkleTreeTests {
    private func leaves(_ count: Int) -> [[UInt8]] {
        (0..<count).map { Array(SHA256.hash(data: [UInt8(truncatingIfNeeded: $0), 0xAB])) }
    }

    @Test func emptyAndSingleLeafRoots() {
        #expect(MerkleTree(leaves: []).root == Array(SHA256.hash(data: [UInt8]())))
        let leaf = leaves(1)[0]
        #expect(MerkleTree(leaves: [leaf]).root == Array(SHA256.hash(data: [0x00] + leaf)))
    }

    @Test func rootFollowsTheDocumentedConvention() {
        let l = leaves(3)
        let node = { (bytes: [UInt8]) in Array(SHA256.hash(data: bytes)) }
        let a = node([0] + l[0]), b = node([0] + l[1]), c = node([0] + l[2])
        // The odd last node is promoted, not paired with itself.
        #expect(MerkleTree(leaves: l).root == node([1] + node([1] + a + b) + c))
        #expect(MerkleTree(leaves: l).root != MerkleTree(leaves: l + [l[2]]).root)
    }

    @Test func everyLeafHasAProofThatVerifies() throws {
        for count in 1...33 {
            let l = leaves(count)
            let tree = MerkleTree(leaves: l)
            for index in 0..<count {
                let proof = try #require(tree.proof(for: index))
                #expect(MerkleTree.verify(proof, leaf: l[index], root: tree.root), "leaf \(index) of \(count)")
            }
            #expect(tree.proof(for: count) == nil)
            #expect(tree.proof(for: -1) == nil)
        }
    }

    @Test func wrongLeafPositionOrRootFailsTheProof() throws {
        let l = leaves(10)
        let tree = MerkleTree(leaves: l)
        let proof = try #require(tree.proof(for: 4))
        #expect(!MerkleTree.verify(proof, leaf: l[5], root: tree.root))
        #expect(!MerkleTree.verify(proof, leaf: l[4], root: MerkleTree(leaves: leaves(9)).root))

        var moved = proof
        moved.leafIndex = 5
        #expect(!MerkleTree.verify(moved, leaf: l[4], root: tree.root))
        var shortened = proof
        shortened.siblings.removeLast()
        #expect(!MerkleTree.verify(shortened, leaf: l[4], root: tree.root))
        var lengthened = proof
        lengthened.siblings.append(lengthened.siblings[0])
        #expect(!MerkleTree.verify(lengthened, leaf: l[4], root: tree.root))
        var garbled = proof
        garbled.siblings[0] = "not hex"
        #expect(!MerkleTree.verify(garbled, leaf: l[4], root: tree.root))
        var outOfRange = proof
        outOfRange.leafIndex = 10
        #expect(!MerkleTree.verify(outOfRange, leaf: l[4], root: tree.root))
    }

    @Test func hexLeavesMustBeHex() {
        #expect(throws: MerkleTreeError.invalidHex("xyz")) { try MerkleTree(hexLeaves: ["00", "xyz"]) }
    }
}
