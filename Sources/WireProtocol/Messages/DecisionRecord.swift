/// What a round's decision was made from, in typed form, so that the log alone can replay it:
/// the strategy and its parameters, digests of its state before and after, the candidates it saw,
/// the bid messages it used, and every call it made outside the process (an LLM's prompt and raw
/// answer) with what the guardrails did about it.
public struct DecisionRecord: Sendable, Hashable, Codable {
    /// The strategy that planned (its name, version and parameters).
    public var strategy: StrategyDescriptor
    /// Lowercase hex SHA-256 of the strategy's state (canonical JSON) when the round was planned,
    /// after folding in the feedback of every earlier round.
    public var stateBefore: String
    /// The same after planning (before this round's feedback).
    public var stateAfter: String
    /// Lowercase hex SHA-256 of the candidates as the strategy saw them (canonical JSON).
    public var candidatesDigest: String
    /// Ids of the bid messages the decision used, in client-id order.
    public var bidMessageIDs: [String]
    /// Clients that bid but declined the round (or were not eligible), and why, by client id.
    public var declined: [Int]
    public var declineReasons: [String: String]
    /// The K the strategy chose, and why.
    public var k: Int
    public var kRationale: String
    /// The clients the strategy chose before the market cleared, in its order of preference, and why.
    public var preferred: [Int]
    public var selectionRationale: String
    /// Calls to an LLM or any other service, in the order made.
    public var externalCalls: [ExternalCall]
    /// What the guardrails refused or replaced, in the order it happened.
    public var guardrails: [GuardrailEvent]
    public var runSeed: UInt64
    public var budget: Double
    /// The negotiation after the auction, when the run negotiates and offers were made.
    public var negotiation: NegotiationRecord?

    public init(
        strategy: StrategyDescriptor, stateBefore: String, stateAfter: String, candidatesDigest: String,
        bidMessageIDs: [String], declined: [Int], k: Int, kRationale: String, preferred: [Int],
        selectionRationale: String, externalCalls: [ExternalCall] = [], guardrails: [GuardrailEvent] = [],
        runSeed: UInt64, budget: Double, declineReasons: [String: String] = [:], negotiation: NegotiationRecord? = nil
    ) {
        self.strategy = strategy
        self.stateBefore = stateBefore
        self.stateAfter = stateAfter
        self.candidatesDigest = candidatesDigest
        self.bidMessageIDs = bidMessageIDs
        self.declined = declined
        self.declineReasons = declineReasons
        self.k = k
        self.kRationale = kRationale
        self.preferred = preferred
        self.selectionRationale = selectionRationale
        self.externalCalls = externalCalls
        self.guardrails = guardrails
        self.runSeed = runSeed
        self.budget = budget
        self.negotiation = negotiation
    }
}

/// What the negotiation after a round's auction did: the offers made (client and price, in the
/// order made), the answers that settled it (their message ids, so a replay finds them in the
/// log), and who took, left or never answered an offer.
public struct NegotiationRecord: Sendable, Hashable, Codable {
    public struct Offer: Sendable, Hashable, Codable {
        public var clientID: Int
        public var price: Double
        public init(clientID: Int, price: Double) {
            self.clientID = clientID
            self.price = price
        }
    }

    public var mechanism: String
    public var offers: [Offer]
    /// Ids of the answer messages the settlement was given (it counts a client's single answer
    /// naming its offer), in client-id order.
    public var answerMessageIDs: [String]
    public var accepted: [Int]
    public var declined: [Int]
    public var unanswered: [Int]

    public init(mechanism: String, offers: [Offer], answerMessageIDs: [String], accepted: [Int], declined: [Int], unanswered: [Int]) {
        self.mechanism = mechanism
        self.offers = offers
        self.answerMessageIDs = answerMessageIDs
        self.accepted = accepted
        self.declined = declined
        self.unanswered = unanswered
    }
}

/// A strategy's identity: recorded with every decision so a replay builds the same one.
public struct StrategyDescriptor: Sendable, Hashable, Codable {
    /// e.g. "random", "oort", "poc", "llm", or a composition such as "oort+k-tool".
    public var name: String
    /// Bumped whenever the same parameters would decide differently.
    public var version: Int
    /// Every hyperparameter, with its value (defaults included).
    public var parameters: [String: JSONValue]

    public init(name: String, version: Int, parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.version = version
        self.parameters = parameters
    }
}

/// One call a decision made outside the process.
public struct ExternalCall: Sendable, Hashable, Codable {
    /// What the call was for, e.g. "selection", "k", "selection-retry".
    public var purpose: String
    public var url: String
    public var model: String
    /// The request's messages as sent (JSON text), so a replay can show what the model saw.
    public var request: String
    /// The answer's raw body, or nil when none came.
    public var rawAnswer: String?
    /// Why the call failed (timeout, HTTP status), or nil.
    public var failure: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencySeconds: Double
    /// Estimated cost in the configured currency (tokens × price per token).
    public var estimatedCost: Double

    public init(
        purpose: String, url: String, model: String, request: String, rawAnswer: String?, failure: String?,
        promptTokens: Int, completionTokens: Int, latencySeconds: Double, estimatedCost: Double
    ) {
        self.purpose = purpose
        self.url = url
        self.model = model
        self.request = request
        self.rawAnswer = rawAnswer
        self.failure = failure
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencySeconds = latencySeconds
        self.estimatedCost = estimatedCost
    }
}

/// A guardrail's finding: what was wrong with a brain's answer and what was done instead.
public struct GuardrailEvent: Sendable, Hashable, Codable {
    /// The kind of mistake, e.g. "schema", "unknown-id", "duplicate-id", "ineligible-id",
    /// "k-out-of-bounds", "over-budget", "timeout", "http", "too-many-calls".
    public var kind: String
    public var detail: String
    /// "retried", "fell-back" (to the named tool brain) or "clamped".
    public var action: String

    public init(kind: String, detail: String, action: String) {
        self.kind = kind
        self.detail = detail
        self.action = action
    }
}
