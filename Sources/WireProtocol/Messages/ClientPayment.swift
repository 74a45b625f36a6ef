/// What one selected client is paid for its update in a round.
public struct ClientPayment: Sendable, Hashable, Codable {
    public var clientID: Int
    public var amount: Double

    public init(clientID: Int, amount: Double) {
        self.clientID = clientID
        self.amount = amount
    }
}
