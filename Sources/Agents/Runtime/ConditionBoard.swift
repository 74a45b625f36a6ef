/// Holds a role's state and lets its main loop wait until a condition on that state holds or a
/// deadline passes. Message handlers mutate the state; every mutation re-checks the waiters, so a
/// round moves the moment its last bid or update arrives rather than on a polling tick.
public actor ConditionBoard<State: Sendable> {
    public private(set) var state: State
    private var waiters: [UInt64: Waiter] = [:]
    private var nextWaiter: UInt64 = 0

    private struct Waiter {
        let condition: @Sendable (State) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    public init(_ initial: State) { self.state = initial }

    /// Applies `change` to the state and wakes every waiter whose condition now holds.
    @discardableResult
    public func update<R: Sendable>(_ change: @Sendable (inout State) throws -> R) rethrows -> R {
        let result = try change(&state)
        for (id, waiter) in waiters where waiter.condition(state) {
            waiters[id] = nil
            waiter.continuation.resume(returning: true)
        }
        return result
    }

    public func read<R: Sendable>(_ body: @Sendable (State) -> R) -> R { body(state) }

    /// Returns true once `condition` holds, false if `deadline` passes first (or the task is cancelled).
    public func wait(
        until condition: @escaping @Sendable (State) -> Bool,
        deadline: ContinuousClock.Instant
    ) async -> Bool {
        if condition(state) { return true }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters[id] = Waiter(condition: condition, continuation: continuation)
                }
            }
        } onCancel: {
            Task { await self.expire(id) }
        }
    }

    private func expire(_ id: UInt64) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.continuation.resume(returning: waiter.condition(state))
        }
    }
}
