/// The shared rule that turns offers and answers into a round's final result.
///
/// - An answer counts only if it is its client's only answer, is for this round, answers an
///   offer made to that client and names that offer's price; the rest are refused with a reason.
/// - An accepted offer is honoured only for a client that lost the auction, and only while the
///   winners stay within the cap and the payments, added up as the ledger adds them, within the
///   budget; accepted offers are taken in the order the offers were made.
/// - Offered clients without a counted answer are `unanswered`, and are paid nothing.
public enum OfferSettlement {
    public static func settle(
        round: Int, clearing: ClearingResult, offers: [MarketOffer], answers: [MarketAnswer], mechanism: String
    ) -> NegotiationOutcome {
        var offerByClient: [Int: MarketOffer] = [:]
        for offer in offers where offer.round == round && offerByClient[offer.clientID] == nil {
            offerByClient[offer.clientID] = offer
        }
        var answerCounts: [Int: Int] = [:]
        for answer in answers { answerCounts[answer.clientID, default: 0] += 1 }

        var refused: [RefusedAnswer] = []
        var counted: [Int: MarketAnswer] = [:]
        for answer in answers {
            let count = answerCounts[answer.clientID] ?? 0
            if count > 1 {
                if !refused.contains(where: { $0.clientID == answer.clientID }) {
                    refused.append(RefusedAnswer(clientID: answer.clientID, reason: .duplicateAnswer(count: count)))
                }
            } else if answer.round != round {
                refused.append(RefusedAnswer(clientID: answer.clientID, reason: .wrongRound(answer.round)))
            } else if let offer = offerByClient[answer.clientID] {
                if offer.price == answer.price {
                    counted[answer.clientID] = answer
                } else {
                    refused.append(RefusedAnswer(
                        clientID: answer.clientID, reason: .priceMismatch(offered: offer.price, answered: answer.price)))
                }
            } else {
                refused.append(RefusedAnswer(clientID: answer.clientID, reason: .noOffer))
            }
        }

        let losers = Set(clearing.losers)
        var payments = clearing.payments
        var winnerCount = clearing.winners.count
        var accepted: [Int] = []
        var declined: [Int] = []
        var seen: Set<Int> = []
        for offer in offers where offerByClient[offer.clientID] == offer && seen.insert(offer.clientID).inserted {
            guard let answer = counted[offer.clientID] else { continue }
            guard answer.accepted else { declined.append(offer.clientID); continue }
            var tentative = payments
            tentative[offer.clientID] = offer.price
            guard losers.contains(offer.clientID) else {
                refused.append(RefusedAnswer(clientID: offer.clientID, reason: .notALoser))
                continue
            }
            guard winnerCount < clearing.maxWinners,
                  offer.price.isFinite, offer.price >= 0, PaymentSum.total(tentative) <= clearing.budget
            else {
                refused.append(RefusedAnswer(clientID: offer.clientID, reason: .noRoomLeft))
                continue
            }
            payments = tentative
            winnerCount += 1
            accepted.append(offer.clientID)
        }
        let unanswered = offerByClient.keys.filter { counted[$0] == nil }.sorted()
        refused.sort { ($0.clientID, $0.reason.description) < ($1.clientID, $1.reason.description) }
        accepted.sort()
        declined.sort()

        var result = clearing
        let acceptedSet = Set(accepted)
        result.winners = (clearing.winners + accepted).sorted()
        result.losers = clearing.losers.filter { !acceptedSet.contains($0) }
        result.payments = payments
        result.budgetSpent = PaymentSum.total(payments)
        if !offerByClient.isEmpty || !refused.isEmpty {
            result.reason += " Negotiation (\(mechanism)): \(offerByClient.count) offer(s), \(accepted.count) accepted, "
                + "\(declined.count) declined, \(unanswered.count) unanswered"
                + (refused.isEmpty ? "" : ", \(refused.count) answer(s) refused")
                + "; spent \(result.budgetSpent) of budget \(clearing.budget)."
        }
        return NegotiationOutcome(
            round: round, offers: offers, accepted: accepted, declined: declined, unanswered: unanswered,
            refusedAnswers: refused, result: result)
    }
}
