/// Payments added up the one way the market and the ledger both do: in ascending client order,
/// from 0. Floating-point addition is monotone, so this sum can only grow when a payment is
/// added or raised — which is what lets an offer be checked against the budget before anyone
/// answers it.
public enum PaymentSum {
    public static func total(_ payments: [Int: Double]) -> Double {
        var sum = 0.0
        for clientID in payments.keys.sorted() { sum += payments[clientID] ?? 0 }
        return sum
    }
}
