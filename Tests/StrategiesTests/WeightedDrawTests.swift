import Learning
import Testing

@testable import Strategies

@Suite struct WeightedDrawTests {
    @Test func drawsDistinctItemsZeroWeightsLastAndAtMostAll() {
        var generator = SplitMix64(seed: 3)
        let items: [(id: Int, weight: Double)] = [(1, 0), (2, 5), (3, .nan), (4, 1), (5, -2)]
        let all = WeightedDraw.draw(9, from: items, using: &generator)
        #expect(all.count == 5 && Set(all) == [1, 2, 3, 4, 5])
        // The two positive weights come first; NaN and negative weigh nothing.
        #expect(Set(all.prefix(2)) == [2, 4])
        #expect(WeightedDraw.draw(0, from: items, using: &generator).isEmpty)
    }

    @Test func drawsInProportionToWeight() {
        var generator = SplitMix64(seed: 11)
        var first = 0
        for _ in 0..<4000 where WeightedDraw.draw(1, from: [(id: 0, weight: 3), (id: 1, weight: 1)], using: &generator) == [0] {
            first += 1
        }
        // Expected 3000 (sd ≈ 27).
        #expect(first > 2880 && first < 3120, "\(first)")
    }

    @Test func theSameGeneratorStateGivesTheSameDraw() {
        var a = SplitMix64(seed: 99)
        var b = SplitMix64(seed: 99)
        let items = (0..<30).map { (id: $0, weight: Double($0 % 7)) }
        #expect(WeightedDraw.draw(10, from: items, using: &a) == WeightedDraw.draw(10, from: items, using: &b))
    }
}
