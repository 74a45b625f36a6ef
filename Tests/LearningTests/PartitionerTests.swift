import Foundation
import Testing
@testable import Learning

@Suite struct PartitionerTests {
    /// 10 classes × 200 samples, labels interleaved.
    static let labels: [Int32] = (0..<2000).map { Int32($0 % 10) }
    static let schemes: [PartitionScheme] = [
        .iid, .dirichlet(alpha: 0.5), .dirichlet(alpha: 0.5, balanced: false), .shards(perClient: 2), .quantity(alpha: 1),
    ]

    @Test(arguments: schemes)
    func sameSeedSamePartitionAndDisjoint(scheme: PartitionScheme) {
        let a = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: scheme, seed: 42)
        let b = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: scheme, seed: 42)
        let c = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: scheme, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == 20)
        let all = a.flatMap { $0 }
        #expect(Set(all).count == all.count, "clients share samples")
        #expect(all.allSatisfy { $0 >= 0 && $0 < Self.labels.count })
        #expect(all.count == Self.labels.count)
    }

    @Test func iidIsBalanced() {
        let parts = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .iid, seed: 1)
        #expect(parts.allSatisfy { $0.count == 100 })
        let report = Partitioner.report(parts, labels: Self.labels, classCount: 10)
        #expect(report.classesPerClient.allSatisfy { $0 >= 8 })
    }

    @Test func shardsGiveAtMostTwoClassesPerClient() {
        let parts = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .shards(perClient: 2), seed: 1)
        let report = Partitioner.report(parts, labels: Self.labels, classCount: 10)
        #expect(report.sizes.allSatisfy { $0 == 100 })
        #expect(report.classesPerClient.allSatisfy { $0 <= 2 })
    }

    @Test func smallAlphaSkewsLabelsMoreThanLargeAlpha() {
        func meanClasses(_ alpha: Double) -> Double {
            let parts = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .dirichlet(alpha: alpha), seed: 3)
            let report = Partitioner.report(parts, labels: Self.labels, classCount: 10)
            #expect(report.sizes.allSatisfy { $0 >= 10 }, "every client keeps at least 10 samples")
            // Share of each client's samples in its most common class.
            let dominance = zip(report.labelHistograms, report.sizes).map { Double($0.max() ?? 0) / Double(max($1, 1)) }
            return dominance.reduce(0, +) / Double(dominance.count)
        }
        #expect(meanClasses(0.1) > meanClasses(100) + 0.2)
    }

    @Test func balancingKeepsDirichletSizesNearTheMean() throws {
        // 60 clients over 10 classes × 600 samples, mean 100 per client.
        let labels: [Int32] = (0..<6000).map { Int32($0 % 10) }
        func sizes(balanced: Bool) -> [Int] {
            Partitioner.partition(labels: labels, classCount: 10, clients: 60, scheme: .dirichlet(alpha: 0.5, balanced: balanced), seed: 7)
                .map(\.count)
        }
        let (plain, balanced) = (sizes(balanced: false), sizes(balanced: true))
        #expect(plain.allSatisfy { $0 >= 10 } && balanced.allSatisfy { $0 >= 10 })
        // A balanced client stops receiving once above the mean: sizes spread far less.
        func spread(_ sizes: [Int]) -> Double {
            (sizes.map { pow(Double($0) - 100, 2) }.reduce(0, +) / Double(sizes.count)).squareRoot()
        }
        #expect(spread(balanced) < spread(plain), "spread \(spread(balanced)) balanced, \(spread(plain)) unbalanced")
        #expect(plain.max()! > balanced.max()!)
        #expect(try PartitionScheme.parse("dirichlet-unbalanced") == .dirichlet(alpha: 0.5, balanced: false))
        #expect(PartitionScheme.dirichlet(alpha: 0.5, balanced: false).name == "dirichlet-unbalanced")
        #expect(try PartitionScheme.parse("dirichlet") == .dirichlet(alpha: 0.5))
    }

    @Test func quantitySkewVariesSizesNotLabels() {
        let parts = Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .quantity(alpha: 0.5), seed: 5)
        let sizes = parts.map(\.count)
        #expect((sizes.max() ?? 0) > 3 * max(sizes.min() ?? 0, 1))
        #expect(sizes.allSatisfy { $0 >= 1 })
    }

    @Test func badInputsDoNotCrash() {
        #expect(Partitioner.partition(labels: Self.labels, classCount: 10, clients: 0, scheme: .iid, seed: 1).isEmpty)
        let tiny = Partitioner.partition(labels: [0, 1, 2], classCount: 3, clients: 5, scheme: .shards(perClient: 2), seed: 1)
        #expect(tiny.count == 5)
        #expect(throws: PartitionError.invalidAlpha(0)) { try PartitionScheme.parse("dirichlet", alpha: 0) }
        #expect(throws: PartitionError.unknownScheme("zipf")) { try PartitionScheme.parse("zipf") }
    }

    @Test func selectionIsReproducibleAndDistinct() {
        let seed = SeedDerivation.seed(run: 1, round: 3, client: -1, purpose: .selection)
        let a = RandomSelection.choose(10, from: Array(0..<100), seed: seed)
        #expect(a == RandomSelection.choose(10, from: Array(0..<100).reversed(), seed: seed))
        #expect(Set(a).count == 10)
        #expect(a != RandomSelection.choose(10, from: Array(0..<100), seed: seed &+ 1))
        #expect(RandomSelection.choose(5, from: [1, 2], seed: 9) == [1, 2])
        #expect(SeedDerivation.seed(run: 1, round: 1, client: 2, purpose: .localShuffle)
            != SeedDerivation.seed(run: 1, round: 2, client: 1, purpose: .localShuffle))
    }
}
