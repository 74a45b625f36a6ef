import Market

extension ExperimentConfiguration {
    /// The guardians' bidding strategy, parsed from ``bidStrategy``.
    ///
    /// - Throws: ``ConfigurationError`` naming `--bid-strategy` and what is wrong with it.
    public func bidStrategyValue() throws(ConfigurationError) -> AnyBidStrategy {
        do {
            return try BidStrategyCatalog.parse(bidStrategy)
        } catch {
            throw ConfigurationError(issues: [ConfigurationIssue(key: .bidStrategy, message: "\(Key.bidStrategy.flag): \(error)")])
        }
    }

    /// The guardians' cost model, from the `price…`, `powerWatts` and `fixedCost` fields.
    ///
    /// - Throws: ``ConfigurationError`` naming the flag of a negative or non-finite price.
    public func costModel() throws(ConfigurationError) -> CostModel {
        do {
            return try CostModel(
                pricePerSecond: pricePerSecond, powerWatts: powerWatts, pricePerJoule: pricePerJoule,
                pricePerByte: pricePerByte, pricePerEpsilon: pricePerEpsilon, fixedCost: fixedCost)
        } catch {
            let bad = costModelFields.first { !($0.value.isFinite && $0.value >= 0) } ?? costModelFields[0]
            throw ConfigurationError(issues: [ConfigurationIssue(key: bad.key, message: "\(bad.key.flag) must be a finite number ≥ 0 (got \(bad.value))")])
        }
    }

    /// The cost model's fields with their keys, in ``Market/CostModel``'s order.
    var costModelFields: [(key: Key, value: Double)] {
        [
            (.pricePerSecond, pricePerSecond), (.powerWatts, powerWatts), (.pricePerJoule, pricePerJoule),
            (.pricePerByte, pricePerByte), (.pricePerEpsilon, pricePerEpsilon), (.fixedCost, fixedCost),
        ]
    }

    /// The negotiation after the auction, parsed from ``negotiation``: nil for `none`.
    ///
    /// - Throws: ``ConfigurationError`` naming `--negotiation` and what is wrong with it.
    public func negotiationMechanism() throws(ConfigurationError) -> PostedPriceNegotiation? {
        func bad(_ why: String) -> ConfigurationError {
            ConfigurationError(issues: [ConfigurationIssue(key: .negotiation, message: "\(Key.negotiation.flag) \(negotiation.debugDescription): \(why)")])
        }
        if negotiation == "none" { return nil }
        if negotiation == "posted-price" { return try? PostedPriceNegotiation() }
        guard negotiation.hasPrefix("posted-price:"), let price = Double(negotiation.dropFirst("posted-price:".count)) else {
            throw bad("must be none, posted-price or posted-price:PRICE")
        }
        do {
            return try PostedPriceNegotiation(price: .fixed(price))
        } catch {
            throw bad("\(error)")
        }
    }
}
