/// Why a bidding strategy could not be built or named.
public enum BidStrategyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name before the first `:` is not a strategy of ``BidStrategyCatalog``.
    case unknownStrategy(name: String, input: String)
    /// The strategy was given the wrong number of `:`-separated parameters.
    case wrongParameterCount(strategy: String, got: Int, usage: String, input: String)
    /// A parameter is not a number.
    case notANumber(parameter: String, text: String, input: String)
    /// A range parameter is not of the form `MIN-MAX`.
    case malformedRange(parameter: String, text: String, input: String)
    /// A parameter is a number but out of its range; `input` is the text it was parsed from,
    /// if any.
    case outOfRange(parameter: String, value: Double, requirement: String, input: String?)

    public var description: String {
        switch self {
        case let .unknownStrategy(name, input):
            "unknown bidding strategy '\(name)' in '\(input)'; known: \(BidStrategyCatalog.usages.joined(separator: ", "))"
        case let .wrongParameterCount(strategy, got, usage, input):
            "bidding strategy \(strategy) got \(got) parameter(s) in '\(input)'; usage: \(usage)"
        case let .notANumber(parameter, text, input):
            "\(parameter) '\(text)' in '\(input)' is not a number"
        case let .malformedRange(parameter, text, input):
            "\(parameter) '\(text)' in '\(input)' is not a range MIN-MAX"
        case let .outOfRange(parameter, value, requirement, input):
            "\(parameter) must be \(requirement), got \(value)" + (input.map { " in '\($0)'" } ?? "")
        }
    }

    /// The same error, naming `input` as the text it came from.
    func naming(_ input: String) -> BidStrategyError {
        guard case let .outOfRange(parameter, value, requirement, nil) = self else { return self }
        return .outOfRange(parameter: parameter, value: value, requirement: requirement, input: input)
    }
}
