import Market
import Privacy

extension ExperimentConfiguration {
    /// Every client's setting from ``population`` (index = client id); all defaults without one.
    /// A population that does not resolve gives defaults here: ``validate(sources:execution:)``
    /// reports it before anything starts.
    public var clientSettings: [ClientSetting] {
        guard let population, let settings = try? population.resolve(clients: clients) else {
            return Array(repeating: ClientSetting(), count: max(clients, 0))
        }
        return settings
    }

    /// The clients the population gives `kind` of useless data.
    func populationClients(with kind: ClientSetting.ClientData) -> [Int] {
        clientSettings.enumerated().filter { $0.element.data == kind }.map(\.offset)
    }

    /// `client`'s differential-privacy budget: its population group's ε (δ the run's), else the
    /// run's; nil with DP off.
    public func privacyBudget(ofClient client: Int) -> PrivacyBudget? {
        privacyBudgets(of: [client])[client]
    }

    /// Each of `clients`' budget (the population resolved once); empty with DP off.
    public func privacyBudgets(of clients: [Int]) -> [Int: PrivacyBudget] {
        guard let budget = privacyBudget else { return [:] }
        let settings = clientSettings
        return Dictionary(clients.map { client in
            guard settings.indices.contains(client), let epsilon = settings[client].dpEpsilon else { return (client, budget) }
            return (client, PrivacyBudget(epsilon: epsilon, delta: budget.delta))
        }, uniquingKeysWith: { a, _ in a })
    }

    /// What the aggregator requires of each client's privacy statements; empty with DP off.
    public func privacyRequirements() -> [Int: PrivacyRequirement] {
        guard let privacy else { return [:] }
        return privacyBudgets(of: Array(0..<clients)).mapValues {
            PrivacyRequirement(mechanism: privacy, epsilon: $0.epsilon, delta: $0.delta)
        }
    }

    /// Each of `clients`' bidding strategy: its population group's, else the run's.
    ///
    /// - Throws: ``ConfigurationError`` naming the strategy that does not parse.
    public func bidStrategies(of clients: [Int]) throws(ConfigurationError) -> [Int: AnyBidStrategy] {
        let standard = try bidStrategyValue()
        let settings = clientSettings
        var strategies: [Int: AnyBidStrategy] = [:]
        for client in clients {
            guard settings.indices.contains(client), let text = settings[client].bidStrategy else {
                strategies[client] = standard
                continue
            }
            do {
                strategies[client] = try BidStrategyCatalog.parse(text)
            } catch {
                throw ConfigurationError(issues: [ConfigurationIssue(key: .population, message: "\(Key.population.flag): client \(client)'s bidStrategy \(text.debugDescription): \(error)")])
            }
        }
        return strategies
    }
}
