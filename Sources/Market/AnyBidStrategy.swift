/// One of the catalog's strategies, as the guardian stores it: a single Codable type whatever
/// the strategy, whose ``spec`` names it back (``BidStrategyCatalog/parse(_:)`` of `spec` gives
/// the same value, present margin included).
///
/// Encoded as `{"kind": "margin", "state": {"margin": 1.3}}`.
public enum AnyBidStrategy: BidStrategy, CustomStringConvertible {
    case truthful(TruthfulBidding)
    case margin(MarginBidding)
    case adaptive(AdaptiveMarginBidding)

    public func ask(cost: Double) -> Double {
        switch self {
        case .truthful(let s): s.ask(cost: cost)
        case .margin(let s): s.ask(cost: cost)
        case .adaptive(let s): s.ask(cost: cost)
        }
    }

    public func observing(_ feedback: BidFeedback) -> AnyBidStrategy {
        switch self {
        case .truthful(let s): .truthful(s.observing(feedback))
        case .margin(let s): .margin(s.observing(feedback))
        case .adaptive(let s): .adaptive(s.observing(feedback))
        }
    }

    public func accepts(_ offer: MarketOffer, cost: Double) -> Bool {
        switch self {
        case .truthful(let s): s.accepts(offer, cost: cost)
        case .margin(let s): s.accepts(offer, cost: cost)
        case .adaptive(let s): s.accepts(offer, cost: cost)
        }
    }

    /// The catalog name: `truthful`, `margin` or `adaptive`.
    public var kind: String {
        switch self {
        case .truthful: "truthful"
        case .margin: "margin"
        case .adaptive: "adaptive"
        }
    }

    /// The text that names this strategy in a population file or on the command line:
    /// `truthful`, `margin:1.3`, `adaptive:1.1-2.0:0.1`, with the present margin as a fourth
    /// parameter once an adaptive strategy has moved off its minimum.
    public var spec: String {
        switch self {
        case .truthful: return "truthful"
        case .margin(let s): return "margin:\(s.margin)"
        case .adaptive(let s):
            let range = "adaptive:\(s.minMargin)-\(s.maxMargin):\(s.step)"
            return s.margin == s.minMargin ? range : "\(range):\(s.margin)"
        }
    }

    public var description: String { spec }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey { case kind, state }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "truthful": self = .truthful(try c.decodeIfPresent(TruthfulBidding.self, forKey: .state) ?? TruthfulBidding())
        case "margin": self = .margin(try c.decode(MarginBidding.self, forKey: .state))
        case "adaptive": self = .adaptive(try c.decode(AdaptiveMarginBidding.self, forKey: .state))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown bidding strategy kind '\(kind)'; known: \(BidStrategyCatalog.names.joined(separator: ", "))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .truthful(let s): try c.encode(s, forKey: .state)
        case .margin(let s): try c.encode(s, forKey: .state)
        case .adaptive(let s): try c.encode(s, forKey: .state)
        }
    }
}
