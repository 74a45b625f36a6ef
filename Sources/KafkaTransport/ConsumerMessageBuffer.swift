import Dispatch
import Synchronization

/// The bounded hand-over between a consumer's polling thread and the task reading
/// `KafkaConsumer.messages`.
///
/// The polling thread pushes batches and, once the buffer holds `maxMessages` or `maxBytes`,
/// waits (on its own OS thread) until the reader takes them; that wait is the back-pressure that
/// in turn lets librdkafka's own bounded queue fill and stop fetching. The reader takes everything
/// buffered at once, so the lock is taken per batch, not per message.
final class ConsumerMessageBuffer: Sendable {
    typealias Waiter = CheckedContinuation<Result<[KafkaConsumerMessage]?, KafkaError>, Never>

    private struct State {
        var messages: [KafkaConsumerMessage] = []
        var bytes = 0
        var isFinished = false
        var failure: KafkaError?
        var waiter: Waiter?
        var pollerIsWaiting = false
    }

    private let state = Mutex(State())
    private let roomAvailable = DispatchSemaphore(value: 0)
    let maxMessages: Int
    let maxBytes: Int

    init(maxMessages: Int, maxBytes: Int) {
        self.maxMessages = max(1, maxMessages)
        self.maxBytes = max(1, maxBytes)
    }

    // MARK: Polling thread side

    /// Whether the polling thread may fetch more; if not, it is marked as waiting for room.
    func reserveRoom() -> Bool {
        state.withLock { state in
            let hasRoom = state.messages.count < maxMessages && state.bytes < maxBytes
            state.pollerIsWaiting = !hasRoom
            return hasRoom
        }
    }

    /// Blocks the polling thread until the reader took messages or `milliseconds` passed.
    func waitForRoom(milliseconds: Int) {
        _ = roomAvailable.wait(timeout: .now() + .milliseconds(milliseconds))
    }

    func push(_ batch: [KafkaConsumerMessage], bytes: Int) {
        guard !batch.isEmpty else { return }
        let handOver = state.withLock { state -> (Waiter, [KafkaConsumerMessage])? in
            guard !state.isFinished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                let messages = state.messages.isEmpty ? batch : state.messages + batch
                state.messages = []
                state.bytes = 0
                return (waiter, messages)
            }
            state.messages += batch
            state.bytes += bytes
            return nil
        }
        if let (waiter, messages) = handOver { waiter.resume(returning: .success(messages)) }
    }

    /// Ends the sequence: the reader sees `failure` (if any) once, then the end.
    func finish(failure: KafkaError? = nil) {
        let waiter = state.withLock { state -> Waiter? in
            guard !state.isFinished else { return nil }
            state.isFinished = true
            state.failure = failure
            state.messages = []
            state.bytes = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        guard let waiter else { return }
        let failure = state.withLock { state -> KafkaError? in
            defer { state.failure = nil }
            return state.failure
        }
        waiter.resume(returning: failure.map { .failure($0) } ?? .success(nil))
    }

    // MARK: Reader side

    /// Everything buffered (never empty), waiting if need be; nil once finished or cancelled.
    func nextBatch() async throws(KafkaError) -> [KafkaConsumerMessage]? {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let immediate = state.withLock { state -> Result<[KafkaConsumerMessage]?, KafkaError>? in
                    if !state.messages.isEmpty {
                        defer {
                            state.messages = []
                            state.bytes = 0
                        }
                        return .success(state.messages)
                    }
                    if state.isFinished {
                        defer { state.failure = nil }
                        return state.failure.map { .failure($0) } ?? .success(nil)
                    }
                    if Task.isCancelled { return .success(nil) }
                    if state.waiter != nil {
                        return .failure(.consume(reason: "KafkaConsumer.messages is already being iterated by another task"))
                    }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: .success(nil))
        }
        wakePoller()
        return try result.get()
    }

    private func wakePoller() {
        let wasWaiting = state.withLock { state -> Bool in
            defer { state.pollerIsWaiting = false }
            return state.pollerIsWaiting
        }
        if wasWaiting { roomAvailable.signal() }
    }
}
