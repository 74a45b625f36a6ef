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
    func sameSeedSamePartitionAndDisjoint(scheme: PartitionScheme) throws {
        let a = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: scheme, seed: 42)
        let b = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: scheme, seed: 42)
        let c = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: scheme, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == 20)
        let all = a.flatMap { $0 }
        #expect(Set(all).count == all.count, "clients share samples")
        #expect(all.allSatisfy { $0 >= 0 && $0 < Self.labels.count })
        #expect(all.count == Self.labels.count)
    }

    @Test func iidIsBalanced() throws {
        let parts = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .iid, seed: 1)
        #expect(parts.allSatisfy { $0.count == 100 })
        let report = Partitioner.report(parts, labels: Self.labels, classCount: 10)
        #expect(report.classesPerClient.allSatisfy { $0 >= 8 })
    }

    @Test func shardsGiveAtMostTwoClassesPerClient() throws {
        let parts = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .shards(perClient: 2), seed: 1)
        let report = Partitioner.report(parts, labels: Self.labels, classCount: 10)
        #expect(report.sizes.allSatisfy { $0 == 100 })
        #expect(report.classesPerClient.allSatisfy { $0 <= 2 })
    }

    @Test func smallAlphaSkewsLabelsMoreThanLargeAlpha() throws {
        func meanClasses(_ alpha: Double) throws -> Double {
            let parts = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .dirichlet(alpha: alpha), seed: 3)
            let report = Partitioner.report(parts, labels: Self.labels, classCount: 10)
            #expect(report.sizes.allSatisfy { $0 >= 10 }, "every client keeps at least 10 samples")
            // Share of each client's samples in its most common class.
            let dominance = zip(report.labelHistograms, report.sizes).map { Double($0.max() ?? 0) / Double(max($1, 1)) }
            return dominance.reduce(0, +) / Double(dominance.count)
        }
        #expect(try meanClasses(0.1) > meanClasses(100) + 0.2)
    }

    @Test func balancingKeepsDirichletSizesNearTheMean() throws {
        // 60 clients over 10 classes × 600 samples, mean 100 per client.
        let labels: [Int32] = (0..<6000).map { Int32($0 % 10) }
        func sizes(balanced: Bool) throws -> [Int] {
            try Partitioner.partition(labels: labels, classCount: 10, clients: 60, scheme: .dirichlet(alpha: 0.5, balanced: balanced), seed: 7)
                .map(\.count)
        }
        let (plain, balanced) = (try sizes(balanced: false), try sizes(balanced: true))
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

    @Test func quantitySkewVariesSizesNotLabels() throws {
        let parts = try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 20, scheme: .quantity(alpha: 0.5), seed: 5)
        let sizes = parts.map(\.count)
        #expect((sizes.max() ?? 0) > 3 * max(sizes.min() ?? 0, 1))
        #expect(sizes.allSatisfy { $0 >= 1 })
    }

    @Test func badInputsDoNotCrash() throws {
        #expect(try Partitioner.partition(labels: Self.labels, classCount: 10, clients: 0, scheme: .iid, seed: 1).isEmpty)
        // Too few samples for every client to get one: a clear error, not empty clients.
        #expect(throws: PartitionError.tooFewSamples(scheme: "shards(2 per client)", samples: 3, clients: 5, minimum: 2)) {
            try Partitioner.partition(labels: [0, 1, 2], classCount: 3, clients: 5, scheme: .shards(perClient: 2), seed: 1)
        }
        #expect(throws: PartitionError.invalidAlpha(0)) { try PartitionScheme.parse("dirichlet", alpha: 0) }
        #expect(throws: PartitionError.unknownScheme("zipf")) { try PartitionScheme.parse("zipf") }
    }

    /// The documented minimum holds, or the partition fails and says what to change.
    @Test func dirichletMeetsItsMinimumOrFailsClearly() throws {
        // 1,200 samples over 100 clients: 12 on average, no Dirichlet(0.5) draw gives each 10.
        let labels: [Int32] = (0..<1200).map { Int32($0 % 10) }
        for balanced in [true, false] {
            do {
                let parts = try Partitioner.partition(labels: labels, classCount: 10, clients: 100, scheme: .dirichlet(alpha: 0.5, balanced: balanced), seed: 1)
                Issue.record("a partition below the minimum was kept: smallest \(parts.map(\.count).min() ?? 0)")
            } catch let error {
                guard case let .dirichletBelowMinimum(_, _, samples, clients, client, clientSamples, minimum, attempts) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(samples == 1200 && clients == 100 && minimum == 10 && attempts == 100)
                #expect(clientSamples < 10 && (0..<100).contains(client))
                #expect(error.description.contains("client \(client) got \(clientSamples)"))
                #expect(error.description.contains("use fewer clients, a larger α, or another scheme"))
            }
        }
        // Fewer samples than clients × 10: said at once, with the largest client count that could work.
        #expect(throws: PartitionError.tooFewSamples(scheme: "dirichlet(α=0.5)", samples: 1200, clients: 200, minimum: 10)) {
            try Partitioner.partition(labels: labels, classCount: 10, clients: 200, scheme: .dirichlet(alpha: 0.5), seed: 1)
        }
        #expect(PartitionError.tooFewSamples(scheme: "dirichlet(α=0.5)", samples: 1200, clients: 200, minimum: 10).description.contains("use at most 120 clients"))
        // IID and quantity give every client a sample as long as there is one for each.
        #expect(throws: PartitionError.self) { try Partitioner.partition(labels: [0, 1], classCount: 2, clients: 3, scheme: .iid, seed: 1) }
        #expect(try Partitioner.partition(labels: [0, 1, 0], classCount: 2, clients: 3, scheme: .quantity(alpha: 0.1), seed: 1).allSatisfy { $0.count == 1 })
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
