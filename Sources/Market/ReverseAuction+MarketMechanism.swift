extension ReverseAuction: MarketMechanism {
    /// Budget-feasible, individually rational and monotone always. Threshold payments and so
    /// truthfulness hold for every bid set only with ``UnmatchedPricing/budgetShare``; with
    /// ``UnmatchedPricing/highestWinningAsk`` they hold whenever at least one valid bid loses,
    /// and fail when every valid bid wins: the highest winner then sets its own price.
    public var properties: MechanismProperties {
        switch unmatchedPricing {
        case .budgetShare: .all
        case .highestWinningAsk: [.budgetFeasible, .individuallyRational, .monotone]
        }
    }
}
