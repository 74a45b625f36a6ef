import Foundation

/// Blocks the current OS thread. Only for dedicated threads (polling, blocking librdkafka calls).
func sleepBriefly(microseconds: UInt32) {
    usleep(microseconds)
}

/// Starts a dedicated OS thread: librdkafka's blocking calls must not occupy the cooperative pool.
func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.name = name
    thread.stackSize = 1 << 20
    thread.start()
}

/// Runs a blocking librdkafka call on its own thread and awaits its result.
func runBlocking<Success: Sendable>(
    named name: String,
    _ body: @escaping @Sendable () -> Result<Success, KafkaError>
) async throws(KafkaError) -> Success {
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Success, KafkaError>, Never>) in
        startThread(named: name) { continuation.resume(returning: body()) }
    }
    return try result.get()
}
