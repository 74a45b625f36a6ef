@testable import Agents
import Audit
import Foundation
import TestSupport
import Testing
import WireProtocol

/// The posted-price negotiation over real processes: after the auction the server offers the
/// places it left to its losers as signed messages, the guardians answer by their clients' costs,
/// the answers settle the round; `run` equals `simulate` (which asks the same bidders directly),
/// the auditor logs every offer and answer, and the log replays.
extension ProcessTests {
@Suite(.serialized) struct NegotiationRunTests {
    @Test func offersAndAnswersSettleTheRoundAsInSimulateAndReplay() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-negotiation-\(UUID().uuidString)")
        // Margin bidders ask three times their cost and the budget binds, so the auction leaves
        // places; a posted price of 1 covers some losers' costs (about 0.85) and not others'.
        let run = try await runAgentFL([
            "run", "--out", out.path, "--guardian-processes", "2", "--clients", "10", "--k", "4", "--rounds", "3",
            "--data-dir", try FashionMNISTSlice.directory().path, "--seed", "11", "--bid-window", "4",
            "--bid-strategy", "margin:3", "--budget", "6", "--negotiation", "posted-price:1",
        ])
        try #require(run.status == 0, "the run failed:\n\(run.output)")
        let configuration = try ExperimentConfiguration.load(from: out.appendingPathComponent("config.json"))
        let simulated = try await InProcessExperiment(configuration: configuration, concurrentClients: 2).run().results
        let results = try JSONDecoder().decode(ResultsProbe.self, from: Data(contentsOf: out.appendingPathComponent("results.json")))
        #expect(results.rounds.count == 3)
        var negotiated = 0
        for (ran, expected) in zip(results.rounds, simulated.rounds) {
            #expect(ran.selected == expected.selected, "round \(ran.round)")
            #expect(ran.payments == expected.payments, "round \(ran.round)")
            #expect(ran.test_accuracy == expected.testAccuracy, "round \(ran.round)")
            negotiated += ran.payments.values.filter { $0 == 1 }.count
        }
        #expect(negotiated > 0, "no offer was taken: the test would not see the negotiation")

        let offers = try await runAgentFL(["audit", "show", out.appendingPathComponent("audit.log").path, "--type", "place-offer", "--json"])
        let answers = try await runAgentFL(["audit", "show", out.appendingPathComponent("audit.log").path, "--type", "offer-answer", "--json"])
        let offered = offers.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count
        #expect(offered > 0 && answers.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count == offered,
                "offers and answers in the log:\n\(offers.output)\n\(answers.output)")
        let replay = try await runAgentFL([
            "audit", "replay", out.appendingPathComponent("audit.log").path,
            "--keyring", out.appendingPathComponent("keys/keyring.json").path,
        ])
        #expect(replay.status == 0, "\(replay.output)")

        // An answer rewritten after the fact (an acceptance turned into a decline, re-signed with
        // its guardian's key): the round no longer settles as recorded.
        let entries = try AuditQuery().entries(in: out.appendingPathComponent("audit.log"))
        let answered = entries.filter { $0.type == "offer-answer" }
        print("NEGOTIATION-FIGURE \(offered) offers logged, \(answered.count) answered, \(negotiated) taken over 3 rounds")
        let accepted = try #require(answered.first { ($0.payloadJSON ?? "").contains(#""accepted":true"#) })
        let folder = out.appendingPathComponent("forged")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let forged = folder.appendingPathComponent("answer.log")
        try LogForger(run: out).forge(to: forged) { entry in
            entry.index == accepted.index ? entry.payloadJSON?.replacingOccurrences(of: #""accepted":true"#, with: #""accepted":false"#) : nil
        }
        let planted = try await runAgentFL([
            "audit", "replay", forged.path, "--config", out.appendingPathComponent("config.json").path,
            "--keyring", out.appendingPathComponent("keys/keyring.json").path,
        ])
        #expect(planted.status == 1, "\(planted.output)")
        let first = planted.output.split(separator: "\n").first { $0.hasPrefix("DOES NOT REPLAY") } ?? ""
        #expect(first.contains("): market: "), "\(planted.output)")
    }
}
}

/// The fields of `results.json` this test reads.
private struct ResultsProbe: Decodable {
    struct Round: Decodable {
        var round: Int
        var selected: [Int]
        var payments: [String: Double]
        var test_accuracy: Double
    }
    var rounds: [Round]
}
