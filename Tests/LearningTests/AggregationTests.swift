import Testing
@testable import Learning

@Suite struct AggregationTests {
    static let dimension = 50
    static let truth: [Float] = (0..<dimension).map { Float($0) / 10 }

    /// 7 honest updates scattered around `truth`, and 2 attackers that send −50 × truth + 100.
    static func poisonedRound() -> [ClientContribution] {
        var rng = SplitMix64(seed: 11)
        var updates = (0..<7).map { id in
            ClientContribution(clientID: id, parameters: truth.map { $0 + Float(rng.nextNormal() * 0.05) }, sampleCount: 100)
        }
        for id in 7..<9 {
            updates.append(ClientContribution(clientID: id, parameters: truth.map { -50 * $0 + 100 }, sampleCount: 300))
        }
        return updates
    }

    static func distance(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    }

    @Test func fedAvgIsSampleWeighted() throws {
        let updates = [
            ClientContribution(clientID: 2, parameters: [1, 1], sampleCount: 30),
            ClientContribution(clientID: 1, parameters: [5, -3], sampleCount: 10),
        ]
        let result = try FedAvg().aggregate(updates, global: [0, 0])
        #expect(abs(result[0] - 2) < 1e-6)
        #expect(abs(result[1] - 0) < 1e-6)
    }

    @Test(arguments: ["fedavg", "median", "trimmed-mean", "krum"])
    func resultDoesNotDependOnArrivalOrder(rule: String) throws {
        let aggregation = try AggregationChoice.parse(rule, trim: 0.25, krumF: 2, krumM: 3).makeRule()
        let updates = Self.poisonedRound()
        let forward = try aggregation.aggregate(updates, global: Self.truth)
        let backward = try aggregation.aggregate(updates.reversed(), global: Self.truth)
        #expect(forward == backward)
    }

    @Test func poisonBreaksFedAvg() throws {
        let result = try FedAvg().aggregate(Self.poisonedRound(), global: Self.truth)
        #expect(Self.distance(result, Self.truth) > 50)
    }

    @Test(arguments: [
        AggregationChoice.median,
        .trimmedMean(trimFraction: 0.25),
        .krum(byzantine: 2, selected: 1),
        .krum(byzantine: 2, selected: 4),
    ])
    func robustRulesWithstandThePoison(choice: AggregationChoice) throws {
        let result = try choice.makeRule().aggregate(Self.poisonedRound(), global: Self.truth)
        #expect(Self.distance(result, Self.truth) < 0.5, "\(choice) moved \(Self.distance(result, Self.truth)) away")
    }

    @Test func medianOfEvenCountAveragesTheMiddle() throws {
        let updates = [[1, 10], [2, 20], [3, 30], [100, -100]].enumerated().map {
            ClientContribution(clientID: $0.offset, parameters: $0.element.map(Float.init), sampleCount: 1)
        }
        #expect(try CoordinateWiseMedian().aggregate(updates, global: [0, 0]) == [2.5, 15])
    }

    @Test func rulesRejectBadInput() {
        let short = [ClientContribution(clientID: 4, parameters: [1], sampleCount: 1)]
        #expect(throws: AggregationError.lengthMismatch(clientID: 4, expected: 2, actual: 1)) {
            try FedAvg().aggregate(short, global: [0, 0])
        }
        #expect(throws: AggregationError.noUpdates) { try CoordinateWiseMedian().aggregate([], global: [0]) }
        let nan = [ClientContribution(clientID: 1, parameters: [.nan], sampleCount: 1)]
        #expect(throws: AggregationError.nonFinite(clientID: 1)) { try FedAvg().aggregate(nan, global: [0]) }
        let three = (0..<3).map { ClientContribution(clientID: $0, parameters: [1], sampleCount: 1) }
        #expect(throws: AggregationError.notEnoughUpdates(rule: "krum(f=1)", needed: 5, actual: 3)) {
            try Krum(byzantine: 1).aggregate(three, global: [0])
        }
    }

    @Test func widthMixedAveragingCombinesNestedSlices() throws {
        let full = try makeModel(.mlp, inputShape: [1, 2, 2], classes: 3)
        let half = try makeModel(.mlp, inputShape: [1, 2, 2], classes: 3, width: 0.5)
        let slicing = try ParameterSlicing(full: full, sub: half)
        #expect(slicing.fullIndices.count == half.parameterCount)
        #expect(Set(slicing.fullIndices).count == half.parameterCount)
        let global = [Float](repeating: -1, count: full.parameterCount)
        let updates = [
            ClientContribution(clientID: 0, parameters: [Float](repeating: 3, count: full.parameterCount), sampleCount: 10, width: 1),
            ClientContribution(clientID: 1, parameters: [Float](repeating: 0, count: half.parameterCount), sampleCount: 20, width: 0.5),
        ]
        let result = try WidthMixedAveraging(fullModel: full).aggregate(updates, global: global)
        let shared = Set(slicing.fullIndices)
        for i in 0..<full.parameterCount {
            #expect(result[i] == (shared.contains(i) ? 1 : 3))
        }
    }
}
