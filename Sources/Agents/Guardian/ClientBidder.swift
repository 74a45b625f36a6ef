import Foundation
import Market
import WireProtocol

/// How the clients one guardian hosts (and, in `agentfl simulate`, every client) price their
/// work: each client's ``Market/AnyBidStrategy``, in its present state, marks up the round's
/// true cost under the ``Market/CostModel``; after each round its strategy folds the round's
/// outcome, read from the ``WireProtocol/Assignment``, into its next state.
///
/// The guardian and the in-process engine both bid through this type, so `run` and `simulate`
/// ask alike, round by round. An ask depends only on the strategy state, the work and the cost
/// model (never on a clock), and a state only on the assignments seen before, so the asks of a
/// run can be re-derived from its assignments.
///
/// ## Which rounds feed back
/// Only a round the client bid to take part in: a client that declined (no data, privacy
/// budget) did not offer its ask, so neither a win nor a loss says anything about its price.
/// Each such round is folded at most once, so an assignment delivered twice (a restarted
/// guardian reads its stream again) changes nothing the second time.
///
/// ## State file
/// With a `stateURL` and a strategy that learns (adaptive), every change is written there
/// atomically before the call returns, and a new bidder reads it back: a restarted guardian resumes its margins (and the bid it still
/// awaits an assignment for). A file kept under another strategy rule is an error, not a fresh
/// start, as the privacy ledger is. A strategy that never changes (truthful, margin) has nothing
/// to keep, and writes no file.
public actor ClientBidder {
    /// Prices of the round's work, the same for every client.
    public let costModel: CostModel
    /// The strategy each client starts from (and whose rule a kept state must follow): the
    /// run's, or the client's own from a population file.
    public let initialStrategies: [Int: AnyBidStrategy]
    private var states: [Int: ClientBiddingState]
    private let stateURL: URL?
    /// Each client's cost of the last round it priced: what an offer for that round must cover.
    private var costs: [Int: (round: Int, cost: Double)] = [:]

    /// A bidder for `clients`, each starting at `strategy` unless `stateURL` keeps its state.
    public init(strategy: AnyBidStrategy, costModel: CostModel, clients: [Int], stateURL: URL? = nil) throws {
        try self.init(
            strategies: Dictionary(clients.map { ($0, strategy) }, uniquingKeysWith: { a, _ in a }), costModel: costModel,
            stateURL: stateURL)
    }

    /// A bidder for the clients of `strategies`, each starting at its own strategy unless
    /// `stateURL` keeps its state.
    ///
    /// - Throws: ``AgentError/invalidFile(_:reason:)`` when the state file cannot be read, or
    ///   keeps a client under another strategy rule than its configured one.
    public init(strategies: [Int: AnyBidStrategy], costModel: CostModel, stateURL: URL? = nil) throws {
        var states = strategies.mapValues { ClientBiddingState(strategy: $0) }
        if let stateURL, FileManager.default.fileExists(atPath: stateURL.path) {
            for (client, kept) in try Self.read(stateURL) {
                guard let strategy = strategies[client] else { continue }
                guard kept.strategy.followsTheRule(of: strategy) else {
                    throw AgentError.invalidFile(
                        stateURL.path,
                        reason: "client \(client)'s bidding state was kept under the strategy \(kept.strategy.spec); the configuration says \(strategy.spec)")
                }
                states[client] = kept
            }
        }
        self.costModel = costModel
        self.initialStrategies = strategies
        self.states = states
        self.stateURL = stateURL
    }

    /// The asks of `round` for the clients of `work` (client → the round's work; a client not
    /// hosted here gets none). Those in `participating` are recorded as bidding, so the round's
    /// assignment will feed back to them; the record is written before this returns.
    public func asks(round: Int, for work: [Int: RoundWork], participating: Set<Int>) throws -> [Int: Double] {
        var asks: [Int: Double] = [:]
        for (client, work) in work {
            guard var state = states[client] else { continue }
            let cost = costModel.cost(for: work)
            costs[client] = (round, cost)
            asks[client] = state.strategy.ask(cost: cost)
            if participating.contains(client) {
                state.openRound = round
            } else if state.openRound == round {
                state.openRound = nil
            }
            states[client] = state
        }
        try save()
        return asks
    }

    /// Folds `assignment` into the strategy of every hosted client that bid on its round (won:
    /// selected; payment: its entry in `payments`, else 0), and returns the feedback given.
    /// A round already folded (or not bid on) gives nothing.
    @discardableResult
    public func observe(_ assignment: Assignment) throws -> [Int: BidFeedback] {
        var given: [Int: BidFeedback] = [:]
        let selected = Set(assignment.selected)
        for (client, state) in states where state.openRound == assignment.round {
            let feedback = BidFeedback(
                round: assignment.round, outcome: selected.contains(client) ? .won : .lost,
                clearingPrice: assignment.clearingPrice,
                payment: assignment.payments.first { $0.clientID == client }?.amount ?? 0)
            states[client] = ClientBiddingState(strategy: state.strategy.observing(feedback), openRound: nil)
            given[client] = feedback
        }
        if !given.isEmpty { try save() }
        return given
    }

    /// The answer of the client `offer` is for to it, by its strategy's rule
    /// (``Market/BidStrategy/accepts(_:cost:)``: accept iff the price covers the cost of the round
    /// it priced); nil for a client not hosted here. A client that priced no work for that round
    /// (a guardian restarted since) declines: it cannot say what the round would cost it.
    public func answer(_ offer: PlaceOffer) -> OfferAnswer? {
        guard let state = states[offer.clientID] else { return nil }
        let market = MarketOffer(offer)
        let cost = costs[offer.clientID].flatMap { $0.round == offer.round ? $0.cost : nil }
        return OfferAnswer(MarketAnswer(offer: market, accepted: cost.map { state.strategy.accepts(market, cost: $0) } ?? false))
    }

    /// `client`'s present strategy state (nil for a client not hosted here).
    public func strategy(of client: Int) -> AnyBidStrategy? {
        states[client]?.strategy
    }

    /// The round whose assignment `client` still awaits, if any.
    public func openRound(of client: Int) -> Int? {
        states[client]?.openRound
    }

    private static func read(_ url: URL) throws -> [Int: ClientBiddingState] {
        do {
            return try ClientStateFile.read(ClientBiddingState.self, from: url)
        } catch {
            throw AgentError.invalidFile(url.path, reason: "the bidding state: \(error.reason)")
        }
    }

    private func save() throws {
        guard let stateURL, initialStrategies.values.contains(where: \.learns) else { return }
        do {
            try ClientStateFile.write(states, to: stateURL)
        } catch {
            throw AgentError.invalidFile(stateURL.path, reason: "the bidding state: \(error.reason)")
        }
    }
}

/// One client's kept bidding state: its strategy, and the round of its last bid to take part
/// while that round's assignment has not been folded in.
struct ClientBiddingState: Codable, Hashable, Sendable {
    var strategy: AnyBidStrategy
    var openRound: Int?

    init(strategy: AnyBidStrategy, openRound: Int? = nil) {
        self.strategy = strategy
        self.openRound = openRound
    }
}

extension AnyBidStrategy {
    /// Whether the strategy's state can change with feedback (so is worth keeping).
    var learns: Bool {
        if case .adaptive = self { return true }
        return false
    }

    /// Whether `self` is `other` up to the state it learns: the same kind and parameters, an
    /// adaptive margin anywhere within the same bounds and step.
    func followsTheRule(of other: AnyBidStrategy) -> Bool {
        switch (self, other) {
        case (.truthful, .truthful): true
        case let (.margin(a), .margin(b)): a == b
        case let (.adaptive(a), .adaptive(b)): a.minMargin == b.minMargin && a.maxMargin == b.maxMargin && a.step == b.step
        default: false
        }
    }
}
