@testable import Agents
import Testing

@Suite struct ConditionBoardTests {
    @Test func waitResumesWhenAnUpdateMakesTheConditionTrue() async {
        let board = ConditionBoard(0)
        async let waited = board.wait(until: { $0 >= 3 }, deadline: .now + .seconds(10))
        for _ in 0..<3 {
            try? await Task.sleep(for: .milliseconds(5))
            await board.update { $0 += 1 }
        }
        let started = ContinuousClock.now
        #expect(await waited)
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func waitReturnsFalseAtTheDeadline() async {
        let board = ConditionBoard(0)
        let started = ContinuousClock.now
        let met = await board.wait(until: { $0 > 0 }, deadline: .now + .milliseconds(50))
        #expect(!met)
        #expect(started.duration(to: .now) >= .milliseconds(50))
    }

    @Test func waitReturnsAtOnceWhenTheConditionAlreadyHolds() async {
        let board = ConditionBoard(5)
        #expect(await board.wait(until: { $0 == 5 }, deadline: .now))
    }
}
