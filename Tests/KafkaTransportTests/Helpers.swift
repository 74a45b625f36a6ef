import KafkaTransport
import Testing
import TestSupport

/// All tests of this target that start brokers run one at a time: on two cores, parallel brokers
/// and librdkafka clients starve each other and make timing assertions meaningless.
@Suite(.serialized) struct KafkaTransportSuite {}

/// Fast deterministic bytes (xorshift), for payloads too large to draw byte by byte.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { buffer in
        var index = 0
        while index < buffer.count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            withUnsafeBytes(of: state) { word in
                for byte in word where index < buffer.count {
                    buffer[index] = byte
                    index += 1
                }
            }
        }
    }
    return bytes
}

/// Reads exactly `count` messages from `consumer` (or fewer if the sequence ends).
func collect(_ count: Int, from consumer: KafkaConsumer) async throws -> [KafkaConsumerMessage] {
    var received: [KafkaConsumerMessage] = []
    guard count > 0 else { return received }
    for try await message in consumer.messages {
        received.append(message)
        if received.count == count { break }
    }
    return received
}

/// Runs `body`, failing with `TimedOut` if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw TimedOut(limit: limit) }
        return result
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "timed out after \(limit)" }
}

func createTopic(_ name: String, partitions: Int32 = 1, bootstrap: String) async throws {
    try await KafkaAdmin(bootstrapServers: [bootstrap], logger: testLogger())
        .createTopics([KafkaTopicSpecification(name: name, partitions: partitions)], timeout: .seconds(10))
}

func partitionConsumer(
    _ bootstrap: String, topic: String, partition: Int32 = 0, from start: KafkaStartOffset = .beginning, groupID: String? = nil
) throws -> KafkaConsumer {
    try KafkaConsumer(
        configuration: KafkaConsumerConfiguration(
            bootstrapServers: [bootstrap],
            subscription: .partitions([KafkaTopicPartition(topic: topic, partition: partition)], from: start, groupID: groupID)
        ),
        logger: testLogger()
    )
}
