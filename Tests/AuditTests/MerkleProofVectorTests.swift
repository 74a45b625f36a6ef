import Testing
@testable import Audit

/// The RFC 6962 test tree as transparency-dev/merkle (Trillian's Merkle code, moved out) publishes
/// it, from github.com/transparency-dev/merkle at commit 417fb0c314750d94e53942e9f92e79b6d35915db:
/// - leaves, roots for sizes 0…8 and the complete-subtree node hashes: testonly/constants.go
///   (`LeafInputs`, `RootHashes`, `NodeHashes`);
/// - inclusion and consistency proofs: testonly/reference_test.go (`TestRefInclusionProof`,
///   `TestRefConsistencyProof`, 0-based indices) and cmd/proofgen/main.go (`inclusionProofs`, whose
///   `leafIdx` is 1-based there, and `consistencyProofs`), which generates testdata/;
/// - every probe of testdata/inclusion and testdata/consistency (`TransparencyDevProbes`), the
///   valid proofs and their mutations that proof/verify_test.go checks, each with whether it must fail.
@Suite struct MerkleProofVectorTests {
    static let leaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map(hex)

    /// `RootHashes()`: index = tree size.
    static let roots: [[UInt8]] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map(hex)

    /// `NodeHashes()`: [level][index] of the complete subtrees of the 8-leaf tree.
    static let nodes: [[[UInt8]]] = [
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ].map(hex),
        [
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ].map(hex),
        [
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ].map(hex),
        ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"].map(hex),
    ]

    struct InclusionVector: Sendable, CustomStringConvertible {
        var index: Int
        var size: Int
        var path: [String]
        var description: String { "leaf \(index) of \(size)" }
    }

    struct ConsistencyVector: Sendable, CustomStringConvertible {
        var first: Int
        var second: Int
        var path: [String]
        var description: String { "\(first) → \(second)" }
    }

    static let inclusionVectors: [InclusionVector] = [
        // testonly/reference_test.go, TestRefInclusionProof.
        InclusionVector(index: 0, size: 1, path: []),
        InclusionVector(index: 0, size: 2, path: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
        InclusionVector(index: 1, size: 2, path: ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
        InclusionVector(index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        InclusionVector(index: 1, size: 5, path: [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ]),
        InclusionVector(index: 0, size: 8, path: [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ]),
        InclusionVector(index: 5, size: 8, path: [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
        // cmd/proofgen/main.go, inclusionProofs ({1, 8}, {6, 8}, {2, 5} repeat the above; {3, 3} is new).
        InclusionVector(index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    ]

    static let consistencyVectors: [ConsistencyVector] = [
        // testonly/reference_test.go, TestRefConsistencyProof, and cmd/proofgen/main.go, consistencyProofs.
        ConsistencyVector(first: 1, second: 1, path: []),
        ConsistencyVector(first: 1, second: 8, path: [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ]),
        ConsistencyVector(first: 2, second: 5, path: [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ]),
        ConsistencyVector(first: 6, second: 8, path: [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
        // cmd/proofgen/main.go only.
        ConsistencyVector(first: 6, second: 7, path: [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
    ]

    private static func hex(_ text: String) -> [UInt8] { Hex.bytes(text)! }

    /// The roots of sizes 0…8, both from a tree of exactly that many leaves and as an earlier
    /// size of the 8-leaf tree; and every complete subtree's hash.
    @Test func rootsOfEverySize() throws {
        let whole = MerkleTree(leaves: Self.leaves)
        for size in 0...8 {
            #expect(MerkleTree(leaves: Array(Self.leaves.prefix(size))).root == Self.roots[size], "size \(size)")
            #expect(try whole.root(treeSize: size) == Self.roots[size], "size \(size) of 8")
        }
        for (level, hashes) in Self.nodes.enumerated() {
            for (index, hash) in hashes.enumerated() {
                #expect(whole.subtreeHash((index << level)..<((index + 1) << level)) == hash, "node \(level).\(index)")
            }
        }
        #expect(throws: MerkleProofError.treeSizeOutOfRange(treeSize: 9, leaves: 8)) { try whole.root(treeSize: 9) }
    }

    @Test(arguments: inclusionVectors)
    func inclusionProofMatchesAndVerifies(_ vector: InclusionVector) throws {
        let expected = vector.path.map(Self.hex)
        let leafHash = MerkleHash.leaf(Self.leaves[vector.index])
        // Generated from the 8-leaf tree at the smaller size, and from a tree of exactly that size.
        let fromWhole = try MerkleTree(leaves: Self.leaves).inclusionProof(leafIndex: vector.index, treeSize: vector.size)
        let fromExact = try MerkleTree(leaves: Array(Self.leaves.prefix(vector.size))).inclusionProof(leafIndex: vector.index)
        #expect(fromWhole.auditPath == expected)
        #expect(fromExact == fromWhole)
        try InclusionProof(leafIndex: vector.index, treeSize: vector.size, auditPath: expected)
            .verify(leafHash: leafHash, root: Self.roots[vector.size])
        // The hex form the log's callers use says the same.
        let legacy = try #require(MerkleTree(leaves: Array(Self.leaves.prefix(vector.size))).proof(for: vector.index))
        #expect(legacy.siblings == vector.path)
        #expect(MerkleTree.verify(legacy, leaf: Self.leaves[vector.index], root: Self.roots[vector.size]))
    }

    @Test(arguments: consistencyVectors)
    func consistencyProofMatchesAndVerifies(_ vector: ConsistencyVector) throws {
        let expected = vector.path.map(Self.hex)
        let fromWhole = try MerkleTree(leaves: Self.leaves).consistencyProof(from: vector.first, to: vector.second)
        let fromExact = try MerkleTree(leaves: Array(Self.leaves.prefix(vector.second))).consistencyProof(from: vector.first)
        #expect(fromWhole.path == expected)
        #expect(fromExact == fromWhole)
        try ConsistencyProof(firstSize: vector.first, secondSize: vector.second, path: expected)
            .verify(firstRoot: Self.roots[vector.first], secondRoot: Self.roots[vector.second])
    }

    @Test func transparencyDevInclusionProbes() {
        #expect(TransparencyDevProbes.inclusion.count == 98)
        for probe in TransparencyDevProbes.inclusion {
            guard let index = Int(exactly: probe.leafIndex), let size = Int(exactly: probe.treeSize) else {
                // The "leafIdx sub 1" probe of leaf 0 has index 2^64−1, which no Int holds: such a proof cannot be stated.
                #expect(probe.wantError, "\(probe) has an index beyond Int but must verify")
                continue
            }
            let proof = InclusionProof(leafIndex: index, treeSize: size, auditPath: probe.proof.map(Self.hex))
            do {
                try proof.verify(leafHash: Self.hex(probe.leafHash), root: Self.hex(probe.root))
                #expect(!probe.wantError, "\(probe) verified but must fail")
            } catch {
                #expect(probe.wantError, "\(probe) must verify: \(error)")
            }
        }
    }

    @Test func transparencyDevConsistencyProbes() {
        #expect(TransparencyDevProbes.consistency.count == 98)
        for probe in TransparencyDevProbes.consistency {
            let first = Int(probe.size1), second = Int(probe.size2)
            let proof = ConsistencyProof(firstSize: first, secondSize: second, path: probe.proof.map(Self.hex))
            do {
                try proof.verify(firstRoot: Self.hex(probe.root1), secondRoot: Self.hex(probe.root2))
                #expect(!probe.wantError, "\(probe) verified but must fail")
            } catch {
                #expect(probe.wantError, "\(probe) must verify: \(error)")
            }
        }
    }
}
