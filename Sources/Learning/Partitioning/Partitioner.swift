/// Splits sample indices across clients, reproducibly from a seed.
///
/// Every scheme uses only ``SplitMix64`` draws in a fixed order, so the same labels, scheme and
/// seed give the same partition byte for byte. Each client's indices are returned sorted.
///
/// Every client gets at least one sample, and under `dirichlet` at least
/// ``dirichletMinimum``; a request that cannot meet that throws rather than hand a client
/// nothing (a client without data trains nothing and weighs nothing, and the run's numbers
/// then mean something else than asked).
public struct Partitioner {
    /// Samples every client holds at least under the Dirichlet schemes (NIID-Bench's rule).
    public static let dirichletMinimum = 10
    /// Dirichlet draws tried before giving up on ``dirichletMinimum``.
    public static let dirichletAttempts = 100

    /// Sample indices per client (`clients` arrays; empty when `clients` is not positive).
    public static func partition(labels: [Int32], classCount: Int, clients: Int, scheme: PartitionScheme, seed: UInt64) throws(PartitionError) -> [[Int]] {
        guard clients > 0 else { return [] }
        // Each client's minimum: Dirichlet's documented one; a shard needs a sample; else one.
        let minimum = switch scheme {
        case .dirichlet: dirichletMinimum
        case .shards(let perClient): max(perClient, 1)
        case .iid, .quantity: 1
        }
        guard labels.count >= minimum * clients else {
            throw .tooFewSamples(scheme: scheme.description, samples: labels.count, clients: clients, minimum: minimum)
        }
        var rng = SplitMix64(seed: seed)
        let parts: [[Int]]
        switch scheme {
        case .iid:
            parts = iid(count: labels.count, clients: clients, rng: &rng)
        case .dirichlet(let alpha, let balanced):
            parts = try dirichlet(
                labels: labels, classCount: classCount, clients: clients, alpha: max(alpha, 1e-3), balanced: balanced, rng: &rng
            )
        case .shards(let perClient):
            parts = shards(labels: labels, clients: clients, perClient: max(perClient, 1), rng: &rng)
        case .quantity(let alpha):
            parts = quantity(count: labels.count, clients: clients, alpha: max(alpha, 1e-3), rng: &rng)
        }
        // Not reachable with the checks above; kept so no scheme can ever hand out an empty client.
        if let empty = parts.firstIndex(where: \.isEmpty) {
            throw .emptyClient(scheme: scheme.description, client: empty)
        }
        return parts.map { $0.sorted() }
    }

    /// Sizes and label histograms of a partition.
    public static func report(_ partition: [[Int]], labels: [Int32], classCount: Int) -> PartitionReport {
        let histograms = partition.map { indices in
            var histogram = Array(repeating: 0, count: classCount)
            for i in indices where i >= 0 && i < labels.count {
                let label = Int(labels[i])
                if label >= 0 && label < classCount { histogram[label] += 1 }
            }
            return histogram
        }
        return PartitionReport(sizes: partition.map(\.count), labelHistograms: histograms)
    }

    static func iid(count: Int, clients: Int, rng: inout SplitMix64) -> [[Int]] {
        var order = Array(0..<count)
        rng.shuffle(&order)
        return split(order, sizes: evenSizes(total: count, parts: clients))
    }

    /// Per class, split its samples by p ~ Dir(α) (when `balanced`, as NIID-Bench, clients already
    /// above the average size get no more); redraw until every client has at least
    /// ``dirichletMinimum`` samples, and after ``dirichletAttempts`` draws give up with the
    /// client that fell short in the last one.
    static func dirichlet(labels: [Int32], classCount: Int, clients: Int, alpha: Double, balanced: Bool, rng: inout SplitMix64) throws(PartitionError) -> [[Int]] {
        let total = labels.count
        let byClass = indicesByClass(labels: labels, classCount: classCount)
        let required = dirichletMinimum
        let average = Double(total) / Double(clients)
        var shortest = (client: 0, samples: 0)
        for _ in 0..<dirichletAttempts {
            var parts = Array(repeating: [Int](), count: clients)
            for classIndices in byClass where !classIndices.isEmpty {
                var members = classIndices
                rng.shuffle(&members)
                var proportions = rng.nextDirichlet(alpha: alpha, count: clients)
                if balanced {
                    for j in 0..<clients where Double(parts[j].count) >= average { proportions[j] = 0 }
                }
                let sum = proportions.reduce(0, +)
                if sum > 0 {
                    proportions = proportions.map { $0 / sum }
                } else {
                    proportions = Array(repeating: 1 / Double(clients), count: clients)
                }
                var start = 0
                var cumulative = 0.0
                for j in 0..<clients {
                    cumulative += proportions[j]
                    let end = j == clients - 1 ? members.count : min(members.count, Int(cumulative * Double(members.count)))
                    if end > start { parts[j].append(contentsOf: members[start..<end]) }
                    start = max(start, end)
                }
            }
            let sizes = parts.map(\.count)
            let smallest = sizes.min() ?? 0
            if smallest >= required { return parts }
            shortest = (sizes.firstIndex(of: smallest) ?? 0, smallest)
        }
        throw .dirichletBelowMinimum(
            alpha: alpha, balanced: balanced, samples: total, clients: clients, client: shortest.client,
            clientSamples: shortest.samples, minimum: required, attempts: dirichletAttempts)
    }

    /// McMahan et al.: sort by label, cut `clients × perClient` equal shards, deal them at random.
    static func shards(labels: [Int32], clients: Int, perClient: Int, rng: inout SplitMix64) -> [[Int]] {
        let sorted = Array(0..<labels.count).sorted { labels[$0] != labels[$1] ? labels[$0] < labels[$1] : $0 < $1 }
        let shardCount = clients * perClient
        let shardSize = labels.count / shardCount
        var shardOrder = Array(0..<shardCount)
        rng.shuffle(&shardOrder)
        return (0..<clients).map { client in
            var indices = [Int]()
            for s in shardOrder[(client * perClient)..<((client + 1) * perClient)] {
                indices.append(contentsOf: sorted[(s * shardSize)..<((s + 1) * shardSize)])
            }
            return indices
        }
    }

    /// IID content, sizes proportional to a Dirichlet(α) draw (at least one sample each where possible).
    static func quantity(count: Int, clients: Int, alpha: Double, rng: inout SplitMix64) -> [[Int]] {
        var order = Array(0..<count)
        rng.shuffle(&order)
        let minimum = count >= clients ? 1 : 0
        let spare = count - minimum * clients
        let proportions = rng.nextDirichlet(alpha: alpha, count: clients)
        var sizes = proportions.map { minimum + Int($0 * Double(spare)) }
        // Hand out what flooring left over, one each, from the first client on.
        var left = count - sizes.reduce(0, +)
        var j = 0
        while left > 0 {
            sizes[j % clients] += 1
            left -= 1
            j += 1
        }
        return split(order, sizes: sizes)
    }

    static func indicesByClass(labels: [Int32], classCount: Int) -> [[Int]] {
        var byClass = Array(repeating: [Int](), count: max(classCount, 0))
        for (i, label) in labels.enumerated() where label >= 0 && Int(label) < classCount {
            byClass[Int(label)].append(i)
        }
        return byClass
    }

    static func evenSizes(total: Int, parts: Int) -> [Int] {
        (0..<parts).map { total / parts + ($0 < total % parts ? 1 : 0) }
    }

    static func split(_ order: [Int], sizes: [Int]) -> [[Int]] {
        var start = 0
        return sizes.map { size in
            let end = min(order.count, start + size)
            defer { start = end }
            return Array(order[start..<end])
        }
    }
}
