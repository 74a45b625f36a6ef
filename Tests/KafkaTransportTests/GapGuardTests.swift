@testable import KafkaTransport
import Testing

@Suite struct PartitionOffsetTrackerTests {
    @Test func contiguousOffsetsAreInOrder() {
        var tracker = PartitionOffsetTracker(expected: 5)
        #expect(tracker.judge(5) == .inOrder)
        #expect(tracker.judge(6) == .inOrder)
        #expect(tracker.expected == 7)
    }

    @Test func lowerOffsetsAreRereadsAndHigherOnesGaps() {
        var tracker = PartitionOffsetTracker(expected: 10)
        #expect(tracker.judge(9) == .reread)
        #expect(tracker.judge(13) == .gap(missing: 10..<13))
        // A gap does not move the expectation: the missing offset still has to come.
        #expect(tracker.expected == 10)
        #expect(tracker.judge(10) == .inOrder)
        #expect(tracker.judge(10) == .reread)
    }

    @Test func anUnknownStartIsTakenFromTheFirstOffset() {
        var tracker = PartitionOffsetTracker(expected: nil)
        #expect(tracker.judge(42) == .inOrder)
        #expect(tracker.judge(44) == .gap(missing: 43..<44))
    }
}

extension ConsumerGapGuard {
    /// The seeks due when no rebuild is possible (the fetch wait is at its cap).
    mutating func dueSeeks(now: ContinuousClock.Instant) throws(KafkaError) -> [Seek] {
        try dueRecovery(now: now, canRebuild: false).seeks
    }
}

@Suite struct ConsumerGapGuardTests {
    let key = ConsumerGapGuard.PartitionKey(topic: "agentfl.bids", partition: 2)
    let start = ContinuousClock.now

    @Test func aHoleIsDroppedPastSoughtBackAndHealed() throws {
        var guardian = ConsumerGapGuard(settings: KafkaGapCheck())
        guardian.start(key, expected: 0)
        #expect(guardian.admit(key, offset: 0, now: start) == .deliver)
        // Offset 1 is skipped by the fetch: 2 and 3 arrive.
        #expect(guardian.admit(key, offset: 2, now: start) == .dropOpeningGap(missing: 1..<2))
        #expect(guardian.admit(key, offset: 3, now: start) == .drop)
        #expect(guardian.openGaps == 1)
        // The first seek is due at once, to the missing offset.
        #expect(try guardian.dueSeeks(now: start) == [.init(key: key, offset: 1, attempt: 1)])
        #expect(try guardian.dueSeeks(now: start) == [])
        // After the seek the broker still answers 2 (1 is not written yet): dropped again.
        #expect(guardian.admit(key, offset: 2, now: start) == .drop)
        #expect(try guardian.dueSeeks(now: start + .milliseconds(10)) == [.init(key: key, offset: 1, attempt: 2)])
        // Now 1 arrives, then 2 and 3 again.
        guard case let .deliverHealing(gap) = guardian.admit(key, offset: 1, now: start) else {
            Issue.record("offset 1 should heal the hole")
            return
        }
        #expect(gap.missing == 1..<2)
        #expect(gap.seeks == 2)
        #expect(guardian.admit(key, offset: 2, now: start) == .deliver)
        #expect(guardian.admit(key, offset: 3, now: start) == .deliver)
        #expect(guardian.admit(key, offset: 3, now: start) == .drop)
        #expect(guardian.openGaps == 0)
        let counts = guardian.statistics
        #expect(counts.delivered == 4)
        #expect(counts.gapsDetected == 1)
        #expect(counts.gapsHealed == 1)
        #expect(counts.recordsRecovered == 1)
        #expect(counts.droppedAheadOfGap == 3)
        #expect(counts.rereadsDropped == 1)
        #expect(counts.seeks == 2)
    }

    @Test func aHoleThatNeverFillsIsATypedError() throws {
        let settings = KafkaGapCheck(maxSeeks: 3, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20))
        var guardian = ConsumerGapGuard(settings: settings)
        guardian.start(key, expected: 7)
        #expect(guardian.admit(key, offset: 9, now: start) == .dropOpeningGap(missing: 7..<9))
        #expect(try guardian.dueSeeks(now: start).map(\.attempt) == [1])
        #expect(try guardian.dueSeeks(now: start + .milliseconds(10)).map(\.attempt) == [2])
        #expect(try guardian.dueSeeks(now: start + .milliseconds(29)) == [])
        #expect(try guardian.dueSeeks(now: start + .milliseconds(30)).map(\.attempt) == [3])
        let error = #expect(throws: KafkaError.self) { try guardian.dueSeeks(now: start + .milliseconds(50)) }
        guard case let .recordsMissing(topic, partition, missing, seeks, waited)? = error else {
            Issue.record("expected .recordsMissing, got \(String(describing: error))")
            return
        }
        #expect(topic == "agentfl.bids")
        #expect(partition == 2)
        #expect(missing == 7..<9)
        #expect(seeks == 3)
        #expect(waited == .milliseconds(50))
        #expect(error?.description.contains("agentfl.bids[2] offsets 7…8") == true)
    }

    @Test func exemptTopicsAndDisabledChecksDeliverEverything() {
        var exempt = ConsumerGapGuard(settings: KafkaGapCheck(exemptTopics: ["agentfl.models"]))
        let models = ConsumerGapGuard.PartitionKey(topic: "agentfl.models", partition: 0)
        exempt.start(models, expected: 0)
        #expect(exempt.admit(models, offset: 5, now: start) == .deliver)
        #expect(exempt.admit(models, offset: 2, now: start) == .deliver)
        var off = ConsumerGapGuard(settings: .disabled)
        off.start(key, expected: 0)
        #expect(off.admit(key, offset: 9, now: start) == .deliver)
        #expect(off.openGaps == 0)
    }

    @Test func partitionsAreTrackedApartAndRevocationForgetsAHole() throws {
        var guardian = ConsumerGapGuard(settings: KafkaGapCheck())
        let other = ConsumerGapGuard.PartitionKey(topic: "agentfl.bids", partition: 3)
        guardian.start(key, expected: 0)
        guardian.start(other, expected: 100)
        #expect(guardian.admit(other, offset: 100, now: start) == .deliver)
        #expect(guardian.admit(key, offset: 1, now: start) == .dropOpeningGap(missing: 0..<1))
        #expect(guardian.admit(other, offset: 101, now: start) == .deliver)
        guardian.stop(key)
        #expect(guardian.openGaps == 0)
        #expect(try guardian.dueSeeks(now: start + .seconds(60)) == [])
        // A partition that was never started takes its first offset as the start.
        let unannounced = ConsumerGapGuard.PartitionKey(topic: "agentfl.updates", partition: 0)
        #expect(guardian.admit(unannounced, offset: 17, now: start) == .deliver)
        #expect(guardian.expected(unannounced) == 18)
    }

    @Test func anIdlePartitionBehindTheWatermarkIsAStallAndHealsLikeAHole() throws {
        var guardian = ConsumerGapGuard(settings: KafkaGapCheck())
        guardian.start(key, expected: 0)
        #expect(guardian.admit(key, offset: 0, now: start) == .deliver)
        // Received something since the last check: not idle.
        let busy = guardian.idlePartitions()
        #expect(busy.isEmpty)
        // Nothing since: idle, at expected offset 1.
        let idle = guardian.idlePartitions()
        #expect(idle.map(\.key) == [key])
        #expect(idle.map(\.expected) == [1])
        // Caught up (watermark == expected): no stall.
        let caughtUp = guardian.openStall(key, highWatermark: 1, now: start)
        #expect(!caughtUp)
        let behind = guardian.openStall(key, highWatermark: 4, now: start)
        #expect(behind)
        #expect(try guardian.dueSeeks(now: start) == [.init(key: key, offset: 1, attempt: 1)])
        // Healed only once everything the broker held at the stall (up to offset 3) was read.
        #expect(guardian.admit(key, offset: 1, now: start) == .deliver)
        #expect(guardian.admit(key, offset: 2, now: start) == .deliver)
        #expect(guardian.openGaps == 1)
        guard case let .deliverHealing(gap) = guardian.admit(key, offset: 3, now: start) else {
            Issue.record("offset 3 should heal the stall")
            return
        }
        #expect(gap.missing == 1..<4)
        #expect(gap.isStall)
        #expect(guardian.openGaps == 0)
        #expect(guardian.statistics.stallsDetected == 1)
        #expect(guardian.statistics.gapsHealed == 1)
        #expect(guardian.statistics.recordsRecovered == 3)
    }

    @Test func timeTheConsumerDidNotPollIsNeitherAStallNorTowardASeek() throws {
        var guardian = ConsumerGapGuard(settings: KafkaGapCheck(initialBackoff: .milliseconds(10)))
        let other = ConsumerGapGuard.PartitionKey(topic: "agentfl.bids", partition: 3)
        guardian.start(key, expected: 0)
        guardian.start(other, expected: 0)
        #expect(guardian.admit(other, offset: 1, now: start) == .dropOpeningGap(missing: 0..<1))
        #expect(try guardian.dueSeeks(now: start).count == 1)
        _ = guardian.idlePartitions()
        // The reader is slow: the buffer stays full for half a second.
        guardian.consumerPaused(for: .milliseconds(500))
        let idle = guardian.idlePartitions()
        #expect(idle.isEmpty)
        #expect(try guardian.dueSeeks(now: start + .milliseconds(509)).isEmpty)
        #expect(try guardian.dueSeeks(now: start + .milliseconds(510)).map(\.attempt) == [2])
        // Polling again, a partition that receives nothing is idle at the next check.
        let idleAgain = guardian.idlePartitions()
        #expect(idleAgain.map(\.key) == [key])
    }

    @Test func recordsArrivingPostponeTheNextSeek() throws {
        var guardian = ConsumerGapGuard(settings: KafkaGapCheck(initialBackoff: .milliseconds(10)))
        guardian.start(key, expected: 1)
        let stalled = guardian.openStall(key, highWatermark: 5, now: start)
        #expect(stalled)
        #expect(try guardian.dueRecovery(now: start, canRebuild: true).seeks.map(\.attempt) == [1])
        // Offset 1 arrives: the partition is being served, so no seek at the next due time…
        #expect(guardian.admit(key, offset: 1, now: start) == .deliver)
        #expect(try guardian.dueRecovery(now: start + .milliseconds(10), canRebuild: true) == .init())
        // …but one back-off later, with nothing read since, a seek to where it stands now.
        #expect(try guardian.dueRecovery(now: start + .milliseconds(20), canRebuild: true).seeks == [.init(key: key, offset: 2, attempt: 2)])
        #expect(guardian.statistics.seeks == 2)
    }

    @Test func aHoleThatSeeksDoNotFillRebuildsTheFetchAndStartsItsSeeksAfresh() throws {
        let settings = KafkaGapCheck(initialBackoff: .milliseconds(10), maxBackoff: .seconds(1), rebuildAfterSeeks: 3)
        var guardian = ConsumerGapGuard(settings: settings)
        let other = ConsumerGapGuard.PartitionKey(topic: "agentfl.bids", partition: 3)
        guardian.start(key, expected: 0)
        guardian.start(other, expected: 50)
        #expect(guardian.admit(key, offset: 0, now: start) == .deliver)
        let stalled = guardian.openStall(key, highWatermark: 4, now: start)
        #expect(stalled)
        #expect(guardian.admit(other, offset: 52, now: start) == .dropOpeningGap(missing: 50..<52))
        // Seeks at 0, 10 ms and 30 ms fill nothing.
        for (milliseconds, attempt) in [(0, 1), (10, 2), (30, 3)] {
            let recovery = try guardian.dueRecovery(now: start + .milliseconds(milliseconds), canRebuild: true)
            #expect(recovery.rebuild == nil)
            #expect(recovery.seeks.count == 2)
            #expect(recovery.seeks.allSatisfy { $0.attempt == attempt })
        }
        // Due again at 70 ms: the fetch is rebuilt instead of a fourth seek.
        let rebuild = try guardian.dueRecovery(now: start + .milliseconds(70), canRebuild: true)
        #expect(rebuild.seeks.isEmpty)
        #expect(rebuild.rebuild?.gap.missing == 1..<4 || rebuild.rebuild?.gap.missing == 50..<52)
        #expect(guardian.statistics.fetchRebuilds == 1)
        #expect(guardian.statistics.seeks == 6)
        // The new handle (fetch wait 4 ms) is up at 75 ms; both holes start afresh, the first
        // seek four fetch waits (more than the initial back-off) later.
        guardian.resumeAfterRebuild(now: start + .milliseconds(75), fetchWait: .milliseconds(4))
        #expect(try guardian.dueRecovery(now: start + .milliseconds(90), canRebuild: true, fetchWait: .milliseconds(4)) == .init())
        let after = try guardian.dueRecovery(now: start + .milliseconds(91), canRebuild: true, fetchWait: .milliseconds(4))
        #expect(Set(after.seeks.map(\.offset)) == [1, 50])
        #expect(after.seeks.allSatisfy { $0.attempt == 1 })
        // The rebuilt fetch serves both.
        for offset: Int64 in 1...2 { #expect(guardian.admit(key, offset: offset, now: start) == .deliver) }
        guard case let .deliverHealing(gap) = guardian.admit(key, offset: 3, now: start) else {
            Issue.record("offset 3 should heal the stall")
            return
        }
        #expect(gap.seeks == 4)
        #expect(gap.rebuilds == 1)
        #expect(guardian.admit(other, offset: 50, now: start) == .deliver)
        guard case .deliverHealing = guardian.admit(other, offset: 51, now: start) else {
            Issue.record("offset 51 should heal the hole")
            return
        }
        #expect(guardian.openGaps == 0)
        #expect(guardian.statistics.gapsHealed == 2)
    }

    @Test func seeksAreSpacedByAtLeastFourFetchWaits() throws {
        var guardian = ConsumerGapGuard(settings: KafkaGapCheck(initialBackoff: .milliseconds(10), rebuildAfterSeeks: nil))
        guardian.start(key, expected: 0)
        #expect(guardian.admit(key, offset: 2, now: start) == .dropOpeningGap(missing: 0..<2))
        let wait = Duration.milliseconds(25)
        #expect(try guardian.dueRecovery(now: start, canRebuild: false, fetchWait: wait).seeks.count == 1)
        // A seek within a fetch wait or two would discard the fetch it waits for.
        #expect(try guardian.dueRecovery(now: start + .milliseconds(99), canRebuild: false, fetchWait: wait).seeks.isEmpty)
        #expect(try guardian.dueRecovery(now: start + .milliseconds(100), canRebuild: false, fetchWait: wait).seeks.map(\.attempt) == [2])
    }

    @Test func withNoRebuildLeftAHoleIsGivenUpAfterItsSeeks() throws {
        let settings = KafkaGapCheck(maxSeeks: 4, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(10), rebuildAfterSeeks: 2)
        var guardian = ConsumerGapGuard(settings: settings)
        guardian.start(key, expected: 0)
        #expect(guardian.admit(key, offset: 3, now: start) == .dropOpeningGap(missing: 0..<3))
        #expect(try guardian.dueRecovery(now: start, canRebuild: true).seeks.count == 1)
        #expect(try guardian.dueRecovery(now: start + .milliseconds(10), canRebuild: true).seeks.count == 1)
        #expect(try guardian.dueRecovery(now: start + .milliseconds(20), canRebuild: true).rebuild?.key == key)
        guardian.resumeAfterRebuild(now: start + .milliseconds(20), fetchWait: .milliseconds(1))
        // The fetch wait is now at its cap: seeks only, then the typed error.
        for step in 3...6 {
            #expect(try guardian.dueRecovery(now: start + .milliseconds(step * 10), canRebuild: false).seeks.count == 1)
        }
        let error = #expect(throws: KafkaError.self) { try guardian.dueRecovery(now: start + .milliseconds(70), canRebuild: false) }
        guard case let .recordsMissing(_, _, missing, seeks, waited)? = error else {
            Issue.record("expected .recordsMissing, got \(String(describing: error))")
            return
        }
        #expect(missing == 0..<3)
        #expect(seeks == 6)
        #expect(waited == .milliseconds(70))
        #expect(guardian.statistics.fetchRebuilds == 1)
    }

    @Test func eachRebuildQuadruplesTheFetchWaitUpToItsCap() {
        let settings = KafkaGapCheck()
        #expect(settings.maxFetchWait == .milliseconds(500))
        #expect(settings.rebuiltFetchWait(after: .zero) == .milliseconds(1))
        #expect(settings.rebuiltFetchWait(after: .milliseconds(1)) == .milliseconds(4))
        #expect(settings.rebuiltFetchWait(after: .milliseconds(10)) == .milliseconds(40))
        #expect(settings.rebuiltFetchWait(after: .milliseconds(256)) == .milliseconds(500))
        #expect(settings.rebuiltFetchWait(after: .milliseconds(500)) == nil)
        #expect(KafkaGapCheck(maxFetchWait: .seconds(2)).rebuiltFetchWait(after: .milliseconds(500)) == .seconds(2))
        #expect(KafkaGapCheck(rebuildAfterSeeks: nil).rebuiltFetchWait(after: .milliseconds(1)) == nil)
    }

    @Test func backoffDoublesUpToItsBound() {
        let settings = KafkaGapCheck(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(50))
        #expect((1...5).map { settings.backoff(afterSeek: $0) } == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(50), .milliseconds(50)])
    }
}

@Suite struct LogRateLimiterTests {
    @Test func repeatsWithinTheIntervalAreCountedAndReportedOnce() {
        var limiter = LogRateLimiter(interval: .seconds(10))
        let start = ContinuousClock.now
        let refused = "127.0.0.1:9/bootstrap: Connect to ipv4#127.0.0.1:9 failed: Connection refused (after 0ms in state CONNECT)"
        let refusedAgain = "127.0.0.1:9/bootstrap: Connect to ipv4#127.0.0.1:9 failed: Connection refused (after 1ms in state CONNECT, 4 identical error(s) suppressed)"
        #expect(limiter.admit(refused, now: start) == .log(suppressed: 0))
        for step in 1...99 {
            #expect(limiter.admit(refusedAgain, now: start + .milliseconds(step * 50)) == .suppress)
        }
        // A different message is its own line.
        #expect(limiter.admit("1/1 brokers are down", now: start + .seconds(1)) == .log(suppressed: 0))
        #expect(limiter.admit(refused, now: start + .seconds(10)) == .log(suppressed: 99))
        #expect(limiter.admit(refused, now: start + .seconds(11)) == .suppress)
        let left = limiter.drain()
        #expect(left.count == 1)
        #expect(left.first?.suppressed == 1)
    }

    @Test func theSameTextAtAnotherLevelIsAnotherLine() {
        var limiter = LogRateLimiter(interval: .seconds(10))
        let now = ContinuousClock.now
        #expect(limiter.admit("x", category: "warning", now: now) == .log(suppressed: 0))
        #expect(limiter.admit("x", category: "error", now: now) == .log(suppressed: 0))
    }
}
