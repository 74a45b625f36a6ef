import Learning
import Testing
@testable import Audit

/// Every inclusion proof (m, n) and consistency proof (m, n) for n ≤ 64, on random leaves: the
/// proofs equal RFC 9162's recursive definitions computed here from the leaves directly, they
/// verify against roots of independently built trees, and changing any byte of a proof hash, of
/// the leaf or of a root, or the index, a size or the path's length, makes verification fail
/// (every byte up to 16 leaves, random bytes above).
@Suite struct MerkleProofPropertyTests {
    static let maximumSize = 64
    /// Up to this size every byte of every hash is changed in turn; above it two random bytes of
    /// each (debug-build SHA-256 makes a million verifications take minutes).
    static let everyByteUpTo = 16


    /// The context of a run: its seed and leaves (random lengths 0…40, so the empty leaf occurs).
    struct Fixture {
        let seed: UInt64
        var generator: SplitMix64
        let leaves: [[UInt8]]
        let tree: MerkleTree
        /// Roots of trees built from each prefix alone, index = size.
        let roots: [[UInt8]]

        init() {
            seed = UInt64.random(in: .min ... .max)
            var generator = SplitMix64(seed: seed)
            var leaves: [[UInt8]] = []
            for _ in 0..<MerkleProofPropertyTests.maximumSize {
                let length = Int.random(in: 0...40, using: &generator)
                leaves.append((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            }
            self.generator = generator
            self.leaves = leaves
            tree = MerkleTree(leaves: leaves)
            roots = (0...leaves.count).map { MerkleTree(leaves: Array(leaves.prefix($0))).root }
        }

        /// The byte positions of `bytes` to change in a tree of `size` leaves.
        mutating func positions(in bytes: [UInt8], size: Int) -> [Int] {
            guard size > MerkleProofPropertyTests.everyByteUpTo, bytes.count > 2 else { return Array(bytes.indices) }
            return (0..<2).map { _ in Int.random(in: bytes.indices, using: &generator) }
        }

        /// A copy of `bytes` with byte `position` changed by a random non-zero XOR.
        mutating func changing(_ bytes: [UInt8], at position: Int) -> [UInt8] {
            var copy = bytes
            copy[position] ^= UInt8.random(in: 1 ... .max, using: &generator)
            return copy
        }
    }

    // MARK: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1, straight from the definitions.

    /// The definitions over slices of the leaves (indices are the leaves' own), with `MTH` of each
    /// slice remembered across calls.
    struct Reference {
        let leaves: [[UInt8]]
        private var hashes: [Range<Int>: [UInt8]] = [:]

        init(_ leaves: [[UInt8]]) { self.leaves = leaves }

        mutating func mth(_ d: Range<Int>) -> [UInt8] {
            if let known = hashes[d] { return known }
            let hash: [UInt8]
            switch d.count {
            case 0: hash = MerkleHash.emptyRoot
            case 1: hash = MerkleHash.leaf(leaves[d.lowerBound])
            default:
                let k = largestPowerOfTwo(below: d.count)
                hash = MerkleHash.node(mth(d.lowerBound..<d.lowerBound + k), mth(d.lowerBound + k..<d.upperBound))
            }
            hashes[d] = hash
            return hash
        }

        /// `PATH(m, D[d])`, `m` counted from `d.lowerBound`.
        mutating func path(_ m: Int, _ d: Range<Int>) -> [[UInt8]] {
            guard d.count > 1 else { return [] }
            let k = largestPowerOfTwo(below: d.count)
            let left = d.lowerBound..<d.lowerBound + k, right = d.lowerBound + k..<d.upperBound
            return m < k ? path(m, left) + [mth(right)] : path(m - k, right) + [mth(left)]
        }

        /// `SUBPROOF(m, D[d], b)`.
        mutating func subproof(_ m: Int, _ d: Range<Int>, _ b: Bool) -> [[UInt8]] {
            if m == d.count { return b ? [] : [mth(d)] }
            let k = largestPowerOfTwo(below: d.count)
            let left = d.lowerBound..<d.lowerBound + k, right = d.lowerBound + k..<d.upperBound
            return m <= k ? subproof(m, left, b) + [mth(right)] : subproof(m - k, right, false) + [mth(left)]
        }
    }

    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    // MARK: -

    @Test func rootsEqualTheRecursiveDefinition() {
        let fixture = Fixture()
        var reference = Reference(fixture.leaves)
        for size in 0...Self.maximumSize {
            #expect(fixture.roots[size] == reference.mth(0..<size), "size \(size), seed \(fixture.seed)")
        }
    }

    /// What went wrong, collected rather than expected one by one: the loops below make about a
    /// million checks, too many for one `#expect` each.
    struct Findings {
        let seed: UInt64
        private(set) var problems: [String] = []

        mutating func require(_ condition: Bool, _ what: @autoclosure () -> String) {
            if !condition { problems.append(what()) }
        }

        /// `body` must throw a ``MerkleProofError`` (`expected`, when given).
        mutating func mustFail(_ what: @autoclosure () -> String, expected: MerkleProofError? = nil, _ body: () throws(MerkleProofError) -> Void) {
            do {
                try body()
                problems.append(what() + ": verified but must fail")
            } catch {
                if let expected, error != expected { problems.append(what() + ": failed with \(error), expected \(expected)") }
            }
        }

        mutating func mustPass(_ what: @autoclosure () -> String, _ body: () throws(MerkleProofError) -> Void) {
            do {
                try body()
            } catch {
                problems.append(what() + ": \(error)")
            }
        }

        var summary: String { "seed \(seed), \(problems.count) problem(s): " + problems.prefix(10).joined(separator: "; ") }
    }

    @Test func everyInclusionProofVerifiesAndEveryChangeFails() throws {
        var fixture = Fixture()
        var findings = Findings(seed: fixture.seed)
        var reference = Reference(fixture.leaves)
        var checks = 0
        for n in 1...Self.maximumSize {
            let root = fixture.roots[n]
            for m in 0..<n {
                let context = "leaf \(m) of \(n)"
                let proof = try fixture.tree.inclusionProof(leafIndex: m, treeSize: n)
                findings.require(proof.auditPath == reference.path(m, 0..<n), "\(context): not the RFC's PATH")
                let leaf = fixture.leaves[m]
                let leafHash = MerkleHash.leaf(leaf)
                findings.mustPass(context) { () throws(MerkleProofError) in try proof.verify(leafHash: leafHash, root: root) }
                // The hex API agrees.
                findings.require(MerkleTree.verify(MerkleProof(proof), leaf: leaf, root: root), "\(context): the hex API refuses it")

                func mustFail(_ changed: InclusionProof, leafHash: [UInt8] = leafHash, root: [UInt8] = root, _ what: @autoclosure () -> String) {
                    checks += 1
                    findings.mustFail("\(context), \(what())") { () throws(MerkleProofError) in try changed.verify(leafHash: leafHash, root: root) }
                }
                for (level, node) in proof.auditPath.enumerated() {
                    for position in fixture.positions(in: node, size: n) {
                        var changed = proof
                        changed.auditPath[level] = fixture.changing(node, at: position)
                        mustFail(changed, "path hash \(level) byte \(position)")
                    }
                }
                for position in fixture.positions(in: leaf, size: n) {
                    mustFail(proof, leafHash: MerkleHash.leaf(fixture.changing(leaf, at: position)), "leaf byte \(position)")
                }
                mustFail(proof, leafHash: MerkleHash.leaf(leaf + [0]), "leaf lengthened")
                for position in fixture.positions(in: leafHash, size: n) {
                    mustFail(proof, leafHash: fixture.changing(leafHash, at: position), "leaf hash byte \(position)")
                }
                for position in fixture.positions(in: root, size: n) {
                    mustFail(proof, root: fixture.changing(root, at: position), "root byte \(position)")
                }
                if n > 1 {
                    // Another leaf's hash, or this one at another index.
                    mustFail(proof, leafHash: MerkleHash.leaf(fixture.leaves[(m + 1) % n]), "the next leaf")
                    var moved = proof
                    moved.leafIndex = (m + 1) % n
                    mustFail(moved, "index moved")
                }
                for size in [n - 1, n + 1, 2 * n] where size != n {
                    var resized = proof
                    resized.treeSize = size
                    mustFail(resized, root: size <= Self.maximumSize ? fixture.roots[size] : root, "size \(size)")
                }
                var lengthened = proof
                lengthened.auditPath.append(root)
                findings.mustFail("\(context) lengthened", expected: .wrongPathLength(got: proof.auditPath.count + 1, expected: proof.auditPath.count)) {
                    () throws(MerkleProofError) in try lengthened.verify(leafHash: leafHash, root: root)
                }
                if !proof.auditPath.isEmpty {
                    var shortened = proof
                    shortened.auditPath.removeLast()
                    findings.mustFail("\(context) shortened", expected: .wrongPathLength(got: proof.auditPath.count - 1, expected: proof.auditPath.count)) {
                        () throws(MerkleProofError) in try shortened.verify(leafHash: leafHash, root: root)
                    }
                }
            }
            #expect(throws: MerkleProofError.leafIndexOutOfRange(index: n, treeSize: n)) { try fixture.tree.inclusionProof(leafIndex: n, treeSize: n) }
            #expect(throws: MerkleProofError.leafIndexOutOfRange(index: -1, treeSize: n)) { try fixture.tree.inclusionProof(leafIndex: -1, treeSize: n) }
        }
        #expect(findings.problems.isEmpty, "\(findings.summary)")
        #expect(checks > 50_000)
        #expect(throws: MerkleProofError.treeSizeOutOfRange(treeSize: 65, leaves: 64)) { try fixture.tree.inclusionProof(leafIndex: 0, treeSize: 65) }
        #expect(throws: MerkleProofError.leafIndexOutOfRange(index: 0, treeSize: 0)) { try fixture.tree.inclusionProof(leafIndex: 0, treeSize: 0) }
    }

    @Test func everyConsistencyProofVerifiesAndEveryChangeFails() throws {
        var fixture = Fixture()
        var findings = Findings(seed: fixture.seed)
        var reference = Reference(fixture.leaves)
        var checks = 0
        for n in 1...Self.maximumSize {
            for m in 1...n {
                let context = "\(m) → \(n)"
                let first = fixture.roots[m], second = fixture.roots[n]
                let proof = try fixture.tree.consistencyProof(from: m, to: n)
                findings.require(proof.path == reference.subproof(m, 0..<n, true), "\(context): not the RFC's PROOF")
                findings.mustPass(context) { () throws(MerkleProofError) in try proof.verify(firstRoot: first, secondRoot: second) }

                func mustFail(_ changed: ConsistencyProof, first: [UInt8] = first, second: [UInt8] = second, _ what: @autoclosure () -> String) {
                    checks += 1
                    findings.mustFail("\(context), \(what())") { () throws(MerkleProofError) in try changed.verify(firstRoot: first, secondRoot: second) }
                }
                for (level, node) in proof.path.enumerated() {
                    for position in fixture.positions(in: node, size: n) {
                        var changed = proof
                        changed.path[level] = fixture.changing(node, at: position)
                        mustFail(changed, "path hash \(level) byte \(position)")
                    }
                }
                for position in fixture.positions(in: first, size: n) {
                    mustFail(proof, first: fixture.changing(first, at: position), "first root byte \(position)")
                    mustFail(proof, second: fixture.changing(second, at: position), "second root byte \(position)")
                }
                // Other sizes with their true roots: the proof is for (m, n) only.
                for (a, b) in [(m - 1, n), (m + 1, n), (m, n + 1), (m, n - 1)] where a >= 1 && a <= b && b <= Self.maximumSize && (a, b) != (m, n) {
                    var resized = proof
                    resized.firstSize = a
                    resized.secondSize = b
                    let sameShape = (try? fixture.tree.consistencyProof(from: a, to: b))?.path == proof.path
                    if !sameShape { mustFail(resized, first: fixture.roots[a], second: fixture.roots[b], "sizes \(a) → \(b)") }
                }
                var lengthened = proof
                lengthened.path.append(second)
                findings.mustFail("\(context) lengthened", expected: .wrongPathLength(got: proof.path.count + 1, expected: proof.path.count)) {
                    () throws(MerkleProofError) in try lengthened.verify(firstRoot: first, secondRoot: second)
                }
                if m < n {
                    var shortened = proof
                    shortened.path.removeLast()
                    findings.mustFail("\(context) shortened", expected: .wrongPathLength(got: proof.path.count - 1, expected: proof.path.count)) {
                        () throws(MerkleProofError) in try shortened.verify(firstRoot: first, secondRoot: second)
                    }
                }
            }
        }
        #expect(findings.problems.isEmpty, "\(findings.summary)")
        #expect(checks > 50_000)
        #expect(throws: MerkleProofError.emptyFirstTree(second: 5)) { try fixture.tree.consistencyProof(from: 0, to: 5) }
        #expect(throws: MerkleProofError.sizesOutOfOrder(first: 6, second: 5)) { try fixture.tree.consistencyProof(from: 6, to: 5) }
        #expect(throws: MerkleProofError.treeSizeOutOfRange(treeSize: 65, leaves: 64)) { try fixture.tree.consistencyProof(from: 1, to: 65) }
        #expect(throws: MerkleProofError.emptyFirstTree(second: 5)) {
            try ConsistencyProof(firstSize: 0, secondSize: 5, path: []).verify(firstRoot: MerkleHash.emptyRoot, secondRoot: fixture.roots[5])
        }
    }
}
