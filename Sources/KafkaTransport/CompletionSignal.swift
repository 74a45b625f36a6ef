import Synchronization

/// A one-shot event that any number of tasks can await; fired once, it stays fired.
final class CompletionSignal: Sendable {
    private struct State {
        var isFired = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var isFired: Bool { state.withLock { $0.isFired } }

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isFired else { return [] }
            state.isFired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyFired = state.withLock { state -> Bool in
                if state.isFired { return true }
                state.waiters.append(continuation)
                return false
            }
            if alreadyFired { continuation.resume() }
        }
    }
}
