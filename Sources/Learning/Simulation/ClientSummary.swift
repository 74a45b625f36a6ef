/// What became of one client over a whole run, from the rounds of a results document: how often
/// it was selected and merged, what it was paid, its ε spent (DP runs), and the rounds it missed
/// or declined, by reason. `results.json` lists one per client under `clients`.
public struct ClientSummary: Codable, Sendable, Equatable {
    public var client: Int
    public var selected: Int
    public var merged: Int
    public var payments: Double
    /// Samples its merged updates were weighted by, over the run.
    public var samplesMerged: Int = 0
    /// What it was paid per sample it contributed (nil when it contributed none).
    public var paymentPerSample: Double? { samplesMerged > 0 ? payments / Double(samplesMerged) : nil }
    /// ε spent at the end (nil: no DP, or the client never trained).
    public var epsilon: Double?
    /// Assigned rounds whose update was not merged, by reason ("missing", "excluded: …").
    public var missed: [String: Int]
    /// Rounds it was no candidate in, by reason ("privacy budget", "no local data", "offline", …).
    public var declined: [String: Int]
    /// Rounds it was assigned, by the model width it was given (nil when every width was 1).
    public var widths: [String: Int]?

    /// One summary per client 0..<clients.
    public static func summaries(of rounds: [ResultsDocument.Round], clients: Int) -> [ClientSummary] {
        var all = (0..<clients).map {
            ClientSummary(client: $0, selected: 0, merged: 0, payments: 0, epsilon: nil, missed: [:], declined: [:])
        }
        for round in rounds {
            for id in round.selected where all.indices.contains(id) { all[id].selected += 1 }
            for id in round.merged where all.indices.contains(id) { all[id].merged += 1 }
            for (key, amount) in round.payments ?? [:] { if let id = Int(key), all.indices.contains(id) { all[id].payments += amount } }
            for (key, samples) in round.samples ?? [:] { if let id = Int(key), all.indices.contains(id) { all[id].samplesMerged += samples } }
            for (key, epsilon) in round.epsilon ?? [:] { if let id = Int(key), all.indices.contains(id) { all[id].epsilon = epsilon } }
            for (key, why) in round.missed ?? [:] { if let id = Int(key), all.indices.contains(id) { all[id].missed[why, default: 0] += 1 } }
            for (key, why) in round.declined ?? [:] { if let id = Int(key), all.indices.contains(id) { all[id].declined[why, default: 0] += 1 } }
            for (key, width) in round.widths ?? [:] {
                guard let id = Int(key), all.indices.contains(id) else { continue }
                var counts = all[id].widths ?? [:]
                counts[String(format: "%g", width), default: 0] += 1
                all[id].widths = counts
            }
        }
        return all
    }
}

extension ClientSummary {
    enum CodingKeys: String, CodingKey {
        case client, selected, merged, payments, samplesMerged, paymentPerSample, epsilon, missed, declined, widths
    }

    /// Reads a summary; one written before `samplesMerged` existed reads as having contributed
    /// none. `paymentPerSample` is written for readers of `results.json` and derived, not read.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        client = try c.decode(Int.self, forKey: .client)
        selected = try c.decode(Int.self, forKey: .selected)
        merged = try c.decode(Int.self, forKey: .merged)
        payments = try c.decode(Double.self, forKey: .payments)
        samplesMerged = try c.decodeIfPresent(Int.self, forKey: .samplesMerged) ?? 0
        epsilon = try c.decodeIfPresent(Double.self, forKey: .epsilon)
        missed = try c.decode([String: Int].self, forKey: .missed)
        declined = try c.decode([String: Int].self, forKey: .declined)
        widths = try c.decodeIfPresent([String: Int].self, forKey: .widths)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(client, forKey: .client)
        try c.encode(selected, forKey: .selected)
        try c.encode(merged, forKey: .merged)
        try c.encode(payments, forKey: .payments)
        try c.encode(samplesMerged, forKey: .samplesMerged)
        try c.encodeIfPresent(paymentPerSample, forKey: .paymentPerSample)
        try c.encodeIfPresent(epsilon, forKey: .epsilon)
        try c.encode(missed, forKey: .missed)
        try c.encode(declined, forKey: .declined)
        try c.encodeIfPresent(widths, forKey: .widths)
    }
}

/// How evenly a run spread participation and pay over its clients.
public struct FairnessSummary: Codable, Sendable, Equatable {
    /// Gini coefficient of the merged-update counts over all clients (0: everyone equally, →1: a few did everything).
    public var participationGini: Double
    /// Gini coefficient of the total payments over all clients.
    public var paymentGini: Double
    /// Gini coefficient of what each client that contributed was paid per sample it contributed
    /// (0: everyone paid alike for their data).
    public var paymentPerSampleGini: Double
    /// Clients never merged.
    public var neverMerged: Int

    enum CodingKeys: String, CodingKey {
        case participationGini, paymentGini, paymentPerSampleGini, neverMerged
    }

    /// Reads a summary; one written before `paymentPerSampleGini` existed reads it as 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        participationGini = try c.decode(Double.self, forKey: .participationGini)
        paymentGini = try c.decode(Double.self, forKey: .paymentGini)
        paymentPerSampleGini = try c.decodeIfPresent(Double.self, forKey: .paymentPerSampleGini) ?? 0
        neverMerged = try c.decode(Int.self, forKey: .neverMerged)
    }

    public init(_ clients: [ClientSummary]) {
        participationGini = Self.gini(clients.map { Double($0.merged) })
        paymentGini = Self.gini(clients.map(\.payments))
        paymentPerSampleGini = Self.gini(clients.compactMap(\.paymentPerSample))
        neverMerged = clients.filter { $0.merged == 0 }.count
    }

    /// Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean); 0 for an empty or all-zero list.
    public static func gini(_ values: [Double]) -> Double {
        let n = Double(values.count)
        let total = values.reduce(0, +)
        guard n > 0, total > 0 else { return 0 }
        // Sorted form: Σ (2i − n − 1) xᵢ / (n Σ x), i from 1.
        let sorted = values.sorted()
        let weighted = sorted.enumerated().reduce(0.0) { $0 + (2 * Double($1.offset + 1) - n - 1) * $1.element }
        return weighted / (n * total)
    }
}
