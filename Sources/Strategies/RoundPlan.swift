import WireProtocol

/// A strategy's plan for a round: how many clients, which ones in order of preference, what each
/// is to do, and why — with any external calls and guardrail findings behind it.
public struct RoundPlan: Sendable, Hashable {
    public var k: Int
    public var kRationale: String
    /// Exactly `min(k, candidates)` distinct candidate ids, most preferred first.
    public var selected: [Int]
    public var selectionRationale: String
    /// Per-client changes to the configured work (width, local epochs); empty: as configured.
    public var work: [Int: PlannedWork]
    public var externalCalls: [ExternalCall]
    public var guardrails: [GuardrailEvent]

    public init(
        k: Int, kRationale: String, selected: [Int], selectionRationale: String, work: [Int: PlannedWork] = [:],
        externalCalls: [ExternalCall] = [], guardrails: [GuardrailEvent] = []
    ) {
        self.k = k
        self.kRationale = kRationale
        self.selected = selected
        self.selectionRationale = selectionRationale
        self.work = work
        self.externalCalls = externalCalls
        self.guardrails = guardrails
    }
}

/// What a strategy asks of one client beyond the configuration's defaults.
public struct PlannedWork: Sendable, Hashable, Codable {
    public var width: Double?
    public var localEpochs: Int?

    public init(width: Double? = nil, localEpochs: Int? = nil) {
        self.width = width
        self.localEpochs = localEpochs
    }
}

/// A K-Agent's answer.
public struct KChoice: Sendable, Hashable {
    public var k: Int
    public var rationale: String
    public var externalCalls: [ExternalCall]
    public var guardrails: [GuardrailEvent]

    public init(k: Int, rationale: String, externalCalls: [ExternalCall] = [], guardrails: [GuardrailEvent] = []) {
        self.k = k
        self.rationale = rationale
        self.externalCalls = externalCalls
        self.guardrails = guardrails
    }
}

/// A selection brain's answer.
public struct Selection: Sendable, Hashable {
    /// Distinct candidate ids, most preferred first.
    public var clients: [Int]
    public var rationale: String
    public var work: [Int: PlannedWork]
    public var externalCalls: [ExternalCall]
    public var guardrails: [GuardrailEvent]

    public init(
        clients: [Int], rationale: String, work: [Int: PlannedWork] = [:], externalCalls: [ExternalCall] = [],
        guardrails: [GuardrailEvent] = []
    ) {
        self.clients = clients
        self.rationale = rationale
        self.work = work
        self.externalCalls = externalCalls
        self.guardrails = guardrails
    }
}
