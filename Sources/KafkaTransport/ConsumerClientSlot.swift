import Synchronization

/// The librdkafka client a consumer uses now. The polling thread replaces it when it rebuilds
/// the consumer's fetch (see `KafkaGapCheck`); everyone else reads it here, so that a commit or a
/// health query reaches the current handle.
final class ConsumerClientSlot: Sendable {
    private let current: Mutex<RdKafkaClient>

    init(_ client: RdKafkaClient) {
        current = Mutex(client)
    }

    var client: RdKafkaClient { current.withLock { $0 } }

    /// Installs `client`; the caller destroys the one it replaces.
    func replace(with client: RdKafkaClient) {
        current.withLock { $0 = client }
    }

    /// Runs `body` with the current handle. A handle closed because a rebuild replaced it is
    /// retried on its successor; `.closed` is thrown only once the consumer itself is closed.
    func withHandle<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        while true {
            let client = self.client
            do {
                return try client.withHandle(body)
            } catch .closed where self.client !== client {
                continue
            }
        }
    }
}
