/// One message size and count of the transport benchmark, with the C librdkafka reference
/// measured on this kind of machine (/work/shared/PARTS.md: Tansu 0.6.0, librdkafka 2.16, acks=all,
/// idempotent, linger 5 ms, 1 partition, fresh broker per run, median of 3).
struct TransportCase: Sendable {
    let name: String
    let count: Int
    let size: Int
    let referenceProduceMessagesPerSecond: Double
    let referenceConsumeMessagesPerSecond: Double

    var totalBytes: Int { count * size }

    static let all: [TransportCase] = [
        TransportCase(name: "1k", count: 200_000, size: 1 << 10,
                      referenceProduceMessagesPerSecond: 191_889, referenceConsumeMessagesPerSecond: 410_907),
        TransportCase(name: "400k", count: 2_000, size: 400 << 10,
                      referenceProduceMessagesPerSecond: 534, referenceConsumeMessagesPerSecond: 1_005),
        TransportCase(name: "800k", count: 200, size: 800 << 10,
                      referenceProduceMessagesPerSecond: 284, referenceConsumeMessagesPerSecond: 578),
        TransportCase(name: "7m", count: 20, size: 7 << 20,
                      referenceProduceMessagesPerSecond: 36, referenceConsumeMessagesPerSecond: 66),
    ]
}
