import Foundation
import KafkaTransport
import Synchronization
import TestSupport
import Testing

/// The strict stress setting for the gap check on the embedded Tansu broker: many idempotent
/// producers (linger 0, several sends in flight each, as guardians send their clients' bids)
/// writing one topic of two partitions while the CPU is loaded, and one tailing consumer per
/// partition, started before anything is produced.
///
/// This is where Tansu 0.6.0 lets a fetch skip a batch (it raises the high watermark before it
/// writes the batch) and where, before consumers rebuilt a stalled fetch, a tailing consumer
/// stopped being served: once a partition holds about a thousand batches, the embedded Tansu
/// build no longer reaches the consumer's offset within a 1 ms fetch wait (see `KafkaGapCheck`).
struct GapStress {
    static let producers = 12
    static let partitions = 2
    static let recordsPerProducer = 960
    /// Sends awaiting their acknowledgement at once, per producer.
    static let sendsInFlight = 4
    /// How long the consumers may take, after the last acknowledgement, to read everything.
    static let drainLimit = Duration.seconds(30)

    /// One record: its unique id (producer and sequence) in the first 8 bytes; 56 bytes in all,
    /// every 8th 4 KiB.
    static func value(producer: Int, sequence: Int) -> [UInt8] {
        let id = UInt64(producer) << 32 | UInt64(sequence)
        let size = sequence % 8 == 0 ? 4096 : 56
        return withUnsafeBytes(of: id.littleEndian) { Array($0) } + [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: size - 8)
    }

    static func id(of value: [UInt8]) -> UInt64 {
        value.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    static func partition(producer: Int, sequence: Int) -> Int { (producer + sequence) % partitions }

    /// The consumers' fetch wait: 1 ms, as a tailing consumer that wants every record at once.
    static let fetchWaitMilliseconds = 1
    static let fetchWait = Duration.milliseconds(fetchWaitMilliseconds)

    /// What the fetch wait must be after `rebuilds` rebuilds: four times longer each, at most the
    /// gap check's `maxFetchWait` (500 ms).
    static func fetchWait(afterRebuilds rebuilds: Int) -> Duration {
        var wait = fetchWait
        for _ in 0..<rebuilds { wait = min(wait * 4, .milliseconds(500)) }
        return wait
    }

    /// What one partition's consumer delivered, in order, and how its sequence ended.
    struct PartitionRead: Sendable {
        var records: [(offset: Int64, id: UInt64)] = []
        var failure: String?
        var statistics = KafkaConsumerStatistics()
    }

    struct Outcome {
        var reads: [PartitionRead]
        var expectedIDs: [Set<UInt64>]
        var produceSeconds: Double
        var drainSeconds: Double

        /// Every violation of "each id exactly once per partition, in offset order, and the
        /// statistics agree"; empty when the round is clean.
        var violations: [String] {
            var found: [String] = []
            for (partition, read) in reads.enumerated() {
                let name = "partition \(partition)"
                if let failure = read.failure { found.append("\(name): messages ended with \(failure)") }
                var seen = Set<UInt64>()
                var duplicates = 0
                var strays = 0
                var offsetErrors: [String] = []
                for (index, record) in read.records.enumerated() {
                    if !seen.insert(record.id).inserted { duplicates += 1 }
                    if !expectedIDs[partition].contains(record.id) { strays += 1 }
                    // Offsets start at 0 and are contiguous (the topic is neither compacted nor transactional).
                    if record.offset != Int64(index), offsetErrors.count < 3 {
                        offsetErrors.append("record #\(index) has offset \(record.offset)")
                    }
                }
                let missing = expectedIDs[partition].subtracting(seen).count
                if missing > 0 { found.append("\(name): \(missing) of \(expectedIDs[partition].count) record(s) never arrived (read \(read.records.count))") }
                if duplicates > 0 { found.append("\(name): \(duplicates) duplicate(s)") }
                if strays > 0 { found.append("\(name): \(strays) record(s) of another partition") }
                if !offsetErrors.isEmpty { found.append("\(name): not in offset order: \(offsetErrors.joined(separator: ", "))") }
                let s = read.statistics
                if s.delivered != read.records.count {
                    found.append("\(name): statistics say \(s.delivered) delivered, the reader got \(read.records.count)")
                }
                if read.failure == nil, s.gapsHealed != s.gapsDetected {
                    found.append("\(name): \(s.gapsDetected) hole(s) detected but \(s.gapsHealed) healed")
                }
                if s.stallsDetected > s.gapsDetected { found.append("\(name): more stalls (\(s.stallsDetected)) than holes (\(s.gapsDetected))") }
                if s.seeks < s.gapsDetected { found.append("\(name): \(s.gapsDetected) hole(s) but only \(s.seeks) seek(s)") }
                if s.fetchRebuilds > 0, s.gapsDetected == 0 { found.append("\(name): \(s.fetchRebuilds) rebuild(s) without a hole") }
                // Each rebuild quadruples the fetch wait from 1 ms, up to the gap check's cap.
                let wait = GapStress.fetchWait(afterRebuilds: s.fetchRebuilds)
                if s.fetchWait != wait { found.append("\(name): fetch wait \(s.fetchWait) after \(s.fetchRebuilds) rebuild(s), expected \(wait)") }
                if s.gapsHealed == 0, s.recordsRecovered != 0 { found.append("\(name): records recovered without a healed hole") }
            }
            return found
        }

        var summary: String {
            let parts = reads.enumerated().map { partition, read in
                let s = read.statistics
                return "p\(partition) \(read.records.count)/\(expectedIDs[partition].count): holes \(s.gapsDetected) (stalls \(s.stallsDetected)), "
                    + "healed \(s.gapsHealed), recovered \(s.recordsRecovered), dropped ahead \(s.droppedAheadOfGap), "
                    + "re-reads \(s.rereadsDropped), seeks \(s.seeks), rebuilds \(s.fetchRebuilds)"
            }
            return parts.joined(separator: "; ") + String(format: "; produced in %.1f s, drained %.1f s later", produceSeconds, drainSeconds)
        }
    }

    /// A thread-safe place for the readers to put what they receive.
    final class Inbox: Sendable {
        private let reads: Mutex<[PartitionRead]>

        init(partitions: Int) {
            reads = Mutex(Array(repeating: PartitionRead(), count: partitions))
        }

        func append(_ partition: Int, offset: Int64, id: UInt64) { reads.withLock { $0[partition].records.append((offset, id)) } }
        func fail(_ partition: Int, _ failure: String) { reads.withLock { $0[partition].failure = failure } }
        func snapshot() -> [PartitionRead] { reads.withLock { $0 } }
    }

    static func runRound(bootstrap: String) async throws -> Outcome {
        let clock = ContinuousClock()
        let topic = uniqueTopicName("gap-stress")
        try await createTopic(topic, partitions: Int32(partitions), bootstrap: bootstrap)
        var expectedIDs = [Set<UInt64>](repeating: [], count: partitions)
        for producer in 0..<producers {
            for sequence in 0..<recordsPerProducer {
                expectedIDs[partition(producer: producer, sequence: sequence)].insert(id(of: value(producer: producer, sequence: sequence)))
            }
        }
        let expectedCounts = expectedIDs.map(\.count)

        // Tailing consumers, assigned before the first record is produced.
        let consumers = try (0..<partitions).map { partition in
            var configuration = KafkaConsumerConfiguration(
                bootstrapServers: [bootstrap],
                subscription: .partitions([KafkaTopicPartition(topic: topic, partition: Int32(partition))], from: .beginning, groupID: nil))
            configuration.fetchWaitMaxMilliseconds = fetchWaitMilliseconds
            return try KafkaConsumer(configuration: configuration, logger: testLogger("stress-consumer-\(partition)"))
        }
        let inbox = Inbox(partitions: partitions)
        let readers = consumers.enumerated().map { partition, consumer in
            Task {
                do {
                    for try await message in consumer.messages {
                        inbox.append(partition, offset: message.offset, id: id(of: message.value))
                    }
                } catch {
                    inbox.fail(partition, "\(error)")
                }
            }
        }
        // Both consumers know their start (the low watermark) before anything is produced.
        try await Task.sleep(for: .milliseconds(300))

        // Three threads spin the CPU while the records are produced and read.
        let load = CPULoad(threads: 3)
        let produceStart = clock.now
        let produced: ContinuousClock.Instant
        let drained: ContinuousClock.Instant
        do {
            try await produce(topic: topic, bootstrap: bootstrap)
            produced = clock.now
            // Every record is acknowledged: wait until each partition has them all or its reader
            // ended, at most `drainLimit`.
            func settled() -> Bool {
                zip(inbox.snapshot(), expectedCounts).allSatisfy { read, expected in read.records.count >= expected || read.failure != nil }
            }
            while !settled(), clock.now - produced < drainLimit {
                try await Task.sleep(for: .milliseconds(20))
            }
            drained = clock.now
        } catch {
            load.stop()
            throw error
        }
        load.stop()
        // A little longer, so that a duplicate after the last expected record would show.
        try await Task.sleep(for: .milliseconds(200))

        // Closed first, so that the statistics count everything the readers got.
        for consumer in consumers { await consumer.close() }
        for reader in readers { await reader.value }
        let statistics = consumers.map(\.statistics)
        var reads = inbox.snapshot()
        for partition in reads.indices { reads[partition].statistics = statistics[partition] }
        return Outcome(
            reads: reads, expectedIDs: expectedIDs,
            produceSeconds: (produced - produceStart).seconds, drainSeconds: (drained - produced).seconds)
    }

    /// Sends every record of the round: `producers` idempotent producers (linger 0, acks=all),
    /// each with `sendsInFlight` sends awaiting their acknowledgement at once.
    static func produce(topic: String, bootstrap: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producerIndex in 0..<producers {
                group.addTask {
                    var configuration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
                    configuration.lingerMilliseconds = 0
                    configuration.enableIdempotence = true  // acks=all
                    let producer = try KafkaProducer(configuration: configuration, logger: testLogger("stress-producer"))
                    try await withThrowingTaskGroup(of: Void.self) { lanes in
                        for lane in 0..<sendsInFlight {
                            lanes.addTask {
                                for sequence in stride(from: lane, to: recordsPerProducer, by: sendsInFlight) {
                                    let record = KafkaRecord(
                                        topic: topic, value: value(producer: producerIndex, sequence: sequence),
                                        partition: Int32(partition(producer: producerIndex, sequence: sequence)))
                                    _ = try await producer.send(record)
                                }
                            }
                        }
                        try await lanes.waitForAll()
                    }
                    await producer.shutdown()
                }
            }
            try await group.waitForAll()
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension KafkaTransportSuite {
@Suite struct GapStressTests {
    /// Each round is a new topic on one broker. Before consumers rebuilt a stalled fetch, every
    /// round failed (15 of 15 over 5 runs: a consumer ended with `recordsMissing`); with 2880
    /// records per partition instead of 5760, 13 of 41 rounds did, too few to be caught reliably.
    @Test func everyRecordArrivesExactlyOnceAndInOffsetOrderUnderConcurrentProducers() async throws {
        try await withEmbeddedBroker { bootstrap in
            for round in 1...3 {
                let outcome = try await GapStress.runRound(bootstrap: bootstrap)
                print("gap stress round \(round): \(outcome.summary)")
                let violations = outcome.violations
                #expect(violations.isEmpty, "round \(round): \(violations.joined(separator: "; "))")
            }
        }
    }
}
}
