/// Why the ledger refused to record a round.
public enum PaymentsLedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    case roundAlreadyRecorded(Int)
    case invalidBudget(round: Int, budget: Double)
    case invalidPayment(round: Int, clientID: Int, amount: Double)
    case paymentsDoNotAddUp(round: Int, sum: Double, spent: Double)
    case overBudget(round: Int, spent: Double, budget: Double)

    public var description: String {
        switch self {
        case .roundAlreadyRecorded(let round):
            "round \(round) is already in the ledger; entries are never replaced"
        case .invalidBudget(let round, let budget):
            "round \(round): budget \(budget) is not a finite number ≥ 0"
        case .invalidPayment(let round, let clientID, let amount):
            "round \(round): payment \(amount) to client \(clientID) is not a finite number ≥ 0"
        case .paymentsDoNotAddUp(let round, let sum, let spent):
            "round \(round): payments add up to \(sum) but the result says \(spent) was spent"
        case .overBudget(let round, let spent, let budget):
            "round \(round): spent \(spent) exceeds the budget \(budget)"
        }
    }
}
