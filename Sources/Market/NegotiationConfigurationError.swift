/// Why a negotiation mechanism could not be set up.
public enum NegotiationConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidFixedPrice(Double)

    public var description: String {
        switch self {
        case .invalidFixedPrice(let price): "a fixed posted price must be a finite number > 0, got \(price)"
        }
    }
}
