import Dispatch
import Synchronization

/// Runs independent parts of one computation (a batch's shards, an evaluation's batches, a
/// round's clients) on up to `threads` cores.
///
/// Callers keep each part's results apart and combine them in part order, so the numbers never
/// depend on how many parts ran at once. Parts run one after another when OpenBLAS has a
/// thread pool of its own: its threaded sgemm (0.3.21) must not be entered from two threads at
/// once, and it already keeps the cores busy.
public struct ShardRunner: Sendable {
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    var runsConcurrently: Bool { threads > 1 && BLASThreads.current == 1 }

    /// How many lanes ``forEach(_:_:)`` runs `parts` on: per-lane state (a workspace) is needed this many times.
    func lanes(for parts: Int) -> Int {
        runsConcurrently ? max(1, min(threads, parts)) : 1
    }

    /// Calls `body(lane, part)` for every part in `0 ..< parts`, each exactly once, and returns
    /// when all are done. A lane runs its parts one after another, taking the next free part when
    /// it is done with one, so per-lane state needs no lock; parts running at once must touch
    /// disjoint memory.
    public func forEach(_ parts: Int, _ body: (_ lane: Int, _ part: Int) -> Void) {
        let lanes = lanes(for: parts)
        guard lanes > 1 else {
            for part in 0..<parts { body(0, part) }
            return
        }
        // concurrentPerform returns only after every iteration has finished, so `body` (and what
        // it captures: lanes, buffers) does not outlive this call.
        nonisolated(unsafe) let body = body
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            while true {
                let part = next.add(1, ordering: .relaxed).oldValue
                guard part < parts else { return }
                body(lane, part)
            }
        }
    }

    /// `transform(part)` for every part in `0 ..< parts`, side by side as ``forEach(_:_:)`` runs
    /// them, returned in part order; the first part that threw (in part order) throws its error.
    public func map<Result: Sendable, Failure: Error>(
        _ parts: Int, _ transform: (_ part: Int) throws(Failure) -> Result
    ) throws(Failure) -> [Result] {
        let outcomes = Mutex([Swift.Result<Result, Failure>?](repeating: nil, count: parts))
        forEach(parts) { _, part in
            let outcome = Swift.Result { () throws(Failure) in try transform(part) }
            outcomes.withLock { $0[part] = outcome }
        }
        // forEach returns only after every part ran once, so every slot is filled.
        return try outcomes.withLock { $0 }.map { outcome throws(Failure) in try outcome!.get() }
    }

    /// `count` items split into `parts` contiguous ranges whose sizes differ by at most one.
    static func ranges(count: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        let (base, extra) = count.quotientAndRemainder(dividingBy: parts)
        var ranges = [Range<Int>]()
        var start = 0
        for part in 0..<parts {
            let size = base + (part < extra ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }
}
