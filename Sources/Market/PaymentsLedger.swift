/// What the market paid, round by round and client by client.
///
/// Append-only: rounds are recorded once, in any order, and never changed. The value is
/// `Codable`; only the per-round entries are stored and the per-client totals are rebuilt
/// (and the entries re-checked) when a snapshot is decoded, so a snapshot cannot carry
/// totals that disagree with its entries.
public struct PaymentsLedger: Sendable, Hashable, Codable {
    /// One cleared round as the ledger keeps it.
    public struct Entry: Sendable, Hashable, Codable {
        public var round: Int
        public var budget: Double
        public var clearingPrice: Double
        /// Payment per winning client.
        public var payments: [Int: Double]
        /// The sum of `payments`; ≤ `budget`.
        public var spent: Double

        public init(round: Int, budget: Double, clearingPrice: Double, payments: [Int: Double], spent: Double) {
            self.round = round
            self.budget = budget
            self.clearingPrice = clearingPrice
            self.payments = payments
            self.spent = spent
        }
    }

    /// Recorded rounds, in the order they were recorded.
    public private(set) var entries: [Entry] = []
    /// Total paid to each client over all recorded rounds.
    public private(set) var totals: [Int: Double] = [:]
    /// Total paid over all recorded rounds.
    public private(set) var totalPaid: Double = 0
    /// Sum of the budgets of all recorded rounds.
    public private(set) var totalBudget: Double = 0

    public init() {}

    /// Records the outcome of `round`.
    ///
    /// - Throws: ``PaymentsLedgerError`` when the round was already recorded, or the
    ///   result is not a sound clearing (a negative or non-finite payment, payments that do
    ///   not add up to `budgetSpent`, or spending above the budget). Nothing is recorded then.
    public mutating func record(round: Int, result: ClearingResult) throws(PaymentsLedgerError) {
        try append(Entry(
            round: round,
            budget: result.budget,
            clearingPrice: result.clearingPrice,
            payments: result.payments,
            spent: result.budgetSpent
        ))
    }

    /// The entry for `round`, if recorded.
    public func entry(round: Int) -> Entry? {
        entries.first { $0.round == round }
    }

    /// Total paid to `clientID` over all recorded rounds (0 if never paid).
    public func total(for clientID: Int) -> Double {
        totals[clientID] ?? 0
    }

    // MARK: - Appending and checking

    private mutating func append(_ entry: Entry) throws(PaymentsLedgerError) {
        guard entry.budget.isFinite, entry.budget >= 0 else {
            throw .invalidBudget(round: entry.round, budget: entry.budget)
        }
        guard !entries.contains(where: { $0.round == entry.round }) else {
            throw .roundAlreadyRecorded(entry.round)
        }
        var sum = 0.0
        for clientID in entry.payments.keys.sorted() {
            let amount = entry.payments[clientID] ?? 0
            guard amount.isFinite, amount >= 0 else {
                throw .invalidPayment(round: entry.round, clientID: clientID, amount: amount)
            }
            sum += amount
        }
        guard sum == entry.spent else {
            throw .paymentsDoNotAddUp(round: entry.round, sum: sum, spent: entry.spent)
        }
        guard entry.spent <= entry.budget else {
            throw .overBudget(round: entry.round, spent: entry.spent, budget: entry.budget)
        }

        entries.append(entry)
        for (clientID, amount) in entry.payments { totals[clientID, default: 0] += amount }
        totalPaid += entry.spent
        totalBudget += entry.budget
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey { case entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let stored = try container.decode([Entry].self, forKey: .entries)
        self.init()
        for entry in stored { try append(entry) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
    }
}
