/// The bidding strategies a population file or a command-line flag can name, and their parser.
///
/// | text | strategy |
/// |---|---|
/// | `truthful` | ask = cost |
/// | `margin:M` | ask = cost × M, M ≥ 1 |
/// | `adaptive:MIN-MAX:STEP` | ``AdaptiveMarginBidding`` from MIN, within [MIN, MAX], steps × (1 + STEP) |
/// | `adaptive:MIN-MAX:STEP:START` | the same, starting (or resumed) at margin START |
///
/// Surrounding white space is ignored; names are lower case.
public enum BidStrategyCatalog {
    /// The strategy names, in the order of the table.
    public static let names = ["truthful", "margin", "adaptive"]

    /// One usage line per strategy, for help texts and error messages.
    public static let usages = ["truthful", "margin:M", "adaptive:MIN-MAX:STEP[:START]"]

    /// The strategy `text` names.
    ///
    /// - Throws: ``BidStrategyError`` naming the bad part of `text`: an unknown name, the wrong
    ///   number of parameters, a parameter that is not a number or a range, or one out of range.
    public static func parse(_ text: String) throws(BidStrategyError) -> AnyBidStrategy {
        let input = text.trimmingWhitespace()
        let parts = input.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        let parameters = Array(parts.dropFirst())
        do throws(BidStrategyError) {
            switch name {
            case "truthful":
                try expect(parameters, count: 0...0, strategy: name, usage: usages[0], input: input)
                return .truthful(TruthfulBidding())
            case "margin":
                try expect(parameters, count: 1...1, strategy: name, usage: usages[1], input: input)
                return .margin(try MarginBidding(margin: number(parameters[0], "margin", input)))
            case "adaptive":
                try expect(parameters, count: 2...3, strategy: name, usage: usages[2], input: input)
                let (low, high) = try range(parameters[0], "margin range", input)
                let step = try number(parameters[1], "step", input)
                let start = parameters.count == 3 ? try number(parameters[2], "start margin", input) : nil
                return .adaptive(try AdaptiveMarginBidding(minMargin: low, maxMargin: high, step: step, margin: start))
            default:
                throw .unknownStrategy(name: name, input: input)
            }
        } catch {
            throw error.naming(input)
        }
    }

    private static func expect(
        _ parameters: [String], count: ClosedRange<Int>, strategy: String, usage: String, input: String
    ) throws(BidStrategyError) {
        guard count.contains(parameters.count) else {
            throw .wrongParameterCount(strategy: strategy, got: parameters.count, usage: usage, input: input)
        }
    }

    private static func number(_ text: String, _ parameter: String, _ input: String) throws(BidStrategyError) -> Double {
        guard let value = Double(text.trimmingWhitespace()) else {
            throw .notANumber(parameter: parameter, text: text, input: input)
        }
        return value
    }

    /// `MIN-MAX`. The separator is the first `-` that does not belong to an exponent (`1e-3`).
    private static func range(_ text: String, _ parameter: String, _ input: String) throws(BidStrategyError) -> (Double, Double) {
        let characters = Array(text)
        guard let dash = characters.indices.first(where: { i in
            characters[i] == "-" && i > 0 && !"eE".contains(characters[i - 1])
        }) else {
            throw .malformedRange(parameter: parameter, text: text, input: input)
        }
        let low = String(characters[..<dash])
        let high = String(characters[(dash + 1)...])
        return (try number(low, "minimum margin", input), try number(high, "maximum margin", input))
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
