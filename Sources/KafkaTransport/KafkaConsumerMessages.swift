/// The messages of a `KafkaConsumer`, in the order librdkafka delivers them (per partition:
/// by offset). Finishes after `KafkaConsumer.close()`; throws if the consumer failed for good.
/// Iterate it from one task at a time.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage

    let buffer: ConsumerMessageBuffer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: ConsumerMessageBuffer
        /// Messages already taken from the shared buffer in one batch, served one by one.
        private var batch: [KafkaConsumerMessage] = []
        private var index = 0

        init(buffer: ConsumerMessageBuffer) {
            self.buffer = buffer
        }

        public mutating func next() async throws -> KafkaConsumerMessage? {
            if index < batch.count {
                defer { index += 1 }
                return batch[index]
            }
            batch = []
            index = 0
            guard let next = try await buffer.nextBatch(), let first = next.first else { return nil }
            batch = next
            index = 1
            return first
        }
    }
}
