@testable import Agents
import Foundation
import Testing

@Suite struct LauncherTests {
    @Test func clientRangesCoverEveryClientOnce() {
        for clients in [1, 2, 7, 10, 100] {
            for processes in [1, 2, 3, 16] {
                let ranges = ExperimentLauncher.split(clients: clients, into: processes)
                #expect(ranges.flatMap { Array($0) } == Array(0..<clients))
                #expect(ranges.count == min(processes, clients))
            }
        }
    }

    @Test func configurationValidationNamesTheBadValue() {
        var configuration = ExperimentConfiguration()
        configuration.k = 50
        configuration.clients = 10
        #expect(throws: ConfigurationError(issues: [ConfigurationIssue(key: .k, message: "--k must be between 1 and --clients = 10 (got 50)")])) {
            try configuration.validate()
        }
    }
}

@Suite struct ConfigurationFileTests {
    @Test func aPartialFileKeepsTheDefaultsForWhatItLeavesOut() throws {
        let json = #"{"clients": 40, "k": 8, "model": "cnn"}"#
        let configuration = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(json.utf8))
        var expected = ExperimentConfiguration()
        expected.clients = 40
        expected.k = 8
        expected.model = "cnn"
        #expect(configuration == expected)
    }

    @Test func theComposeConfigurationIsValid() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("compose/agentfl.json")
        let configuration = try ExperimentConfiguration.load(from: url)
        try configuration.validate()
        #expect(configuration.clients == 20)
    }
}
