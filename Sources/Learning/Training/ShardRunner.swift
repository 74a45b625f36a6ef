import Dispatch

/// Runs the independent parts of one training step or evaluation, on up to `threads` cores.
///
/// Callers keep each part's results apart and combine them in part order, so the numbers never
/// depend on how many parts ran at once. Parts run one after another when OpenBLAS has a
/// thread pool of its own: its threaded sgemm (0.3.21) must not be entered from two threads at
/// once, and it already keeps the cores busy.
struct ShardRunner {
    let threads: Int

    init(threads: Int) {
        self.threads = max(1, threads)
    }

    var runsConcurrently: Bool { threads > 1 && BLASThreads.current == 1 }

    /// Calls `body(part)` for every part in `0 ..< parts`, each exactly once, and returns when
    /// all are done. Parts running at once must touch disjoint memory.
    func forEach(_ parts: Int, _ body: (Int) -> Void) {
        guard runsConcurrently, parts > 1 else {
            for part in 0..<parts { body(part) }
            return
        }
        // concurrentPerform returns only after every iteration has finished, so `body` (and what
        // it captures: lanes, buffers) does not outlive this call; parts write disjoint memory.
        nonisolated(unsafe) let body = body
        let lanes = min(threads, parts)
        if lanes == parts {
            DispatchQueue.concurrentPerform(iterations: parts) { part in body(part) }
            return
        }
        // More parts than lanes: lane i takes parts i, i + lanes, … (the split, like the parts'
        // results, does not depend on timing).
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for part in stride(from: lane, to: parts, by: lanes) { body(part) }
        }
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
