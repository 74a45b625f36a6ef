@testable import Agents
import Audit
import Foundation
import TestSupport
import Testing
import WireProtocol

/// `agentfl audit replay` on the log of a real run (real processes, the real broker): every
/// decision replays; and each kind of wrong decision, planted into an otherwise valid log re-signed
/// with the run's own keys, is named at the entry that holds it.
extension ProcessTests {
@Suite(.serialized) struct DecisionReplayTests {
    /// One run whose log holds every kind of decision a replay checks: a tool brain with the
    /// adaptive K-Agent, margin bidders and a budget that binds, client-level DP with statements in
    /// bids and updates.
    static func runOnce() async throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-replay-\(UUID().uuidString)")
        let run = try await runAgentFL([
            "run", "--out", out.path, "--guardian-processes", "2", "--clients", "8", "--k", "4", "--rounds", "4",
            "--data-dir", try FashionMNISTSlice.directory().path, "--seed", "5",
            "--policy", "poc", "--k-agent", "tool", "--k-min", "2", "--k-max", "6",
            "--bid-strategy", "margin:1.5", "--budget", "20",
            // Bids go out at once and the server closes the window when the last arrives; a wide
            // window only leaves room for a delivery slowed by a loaded machine, which the replay
            // would otherwise count as an eligible bid left out (it allows 1 s before the deadline).
            "--bid-window", "4",
            "--dp", "client-dp", "--dp-noise", "3", "--dp-clip", "0.01", "--dp-epsilon", "12",
        ])
        guard run.status == 0 else { throw ForgeryError("the run failed:\n\(run.output)") }
        return out
    }

    /// Replays `log` against the run's configuration and keyring.
    static func replay(_ log: URL, run: URL) async throws -> (status: Int32, output: String) {
        try await runAgentFL([
            "audit", "replay", log.path, "--config", run.appendingPathComponent("config.json").path,
            "--keyring", run.appendingPathComponent("keys/keyring.json").path,
        ])
    }

    @Test func aRealRunReplaysAndEveryPlantedWrongDecisionIsNamedAtItsEntry() async throws {
        let run = try await Self.runOnce()
        let clean = try await Self.replay(run.appendingPathComponent("audit.log"), run: run)
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("decisions: 4 re-derived"), "\(clean.output)")
        #expect(clean.output.contains("REPLAYS"), "\(clean.output)")
        let statements = try #require(clean.output.firstMatch(of: /privacy: (\d+) statements/).map { Int($0.1) ?? 0 })
        #expect(statements > 0, "the run's updates carried no privacy statement:\n\(clean.output)")

        let entries = try AuditQuery().entries(in: run.appendingPathComponent("audit.log"))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        func assignment(_ entry: AuditEntry) -> Assignment? {
            guard entry.type == MessageType.assignment.rawValue, entry.signature != nil else { return nil }
            return try? decoder.decode(Assignment.self, from: Data((entry.payloadJSON ?? "").utf8))
        }
        // The round to tamper with: one whose decision used bids and picked at least one winner.
        let target = try #require(entries.compactMap { entry in assignment(entry).map { (entry, $0) } }.first {
            $0.1.round >= 2 && !$0.1.selected.isEmpty && $0.1.decision.bidMessageIDs.count > $0.1.decision.preferred.count
        }, "no round of the run has a winner and a bid it did not prefer")
        let (targetEntry, decided) = target
        let usedBids = decided.decision.bidMessageIDs.compactMap { id in
            entries.first { $0.messageID == id }.flatMap { entry in
                (try? decoder.decode(Bid.self, from: Data((entry.payloadJSON ?? "").utf8))).map { (id: id, bid: $0) }
            }
        }
        let unchosen = try #require(usedBids.first { !decided.decision.preferred.contains($0.bid.clientID) })

        let forger = LogForger(run: run)
        let folder = run.appendingPathComponent("forged")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func expectFinding(_ name: String, _ kind: ReplayFinding.Kind, _ change: (AuditEntry) throws -> String?) async throws {
            let forged = folder.appendingPathComponent("\(name).log")
            let index = try forger.forge(to: forged, change)
            let verify = try await runAgentFL(["audit", "verify", forged.path, "--keyring", run.appendingPathComponent("keys/keyring.json").path])
            #expect(verify.status == 4, "\(name): the forged log should verify as an intact, unanchored chain:\n\(verify.output)")
            let result = try await Self.replay(forged, run: run)
            #expect(result.status == 1, "\(name): \(result.output)")
            // The first finding, the one the command names, is the planted one, at its entry.
            let first = result.output.split(separator: "\n").first { $0.hasPrefix("DOES NOT REPLAY") } ?? ""
            print("REPLAY-FINDING \(name): \(first)")
            #expect(result.output.contains("DOES NOT REPLAY: entry \(index) (round "),
                    "\(name): expected the first finding at entry \(index):\n\(result.output)")
            #expect(first.contains("): \(kind.rawValue): "), "\(name): expected a \(kind.rawValue) finding first:\n\(result.output)")
        }

        // A selection that does not follow from the state: a client the strategy did not prefer wins.
        try await expectFinding("selection", .selection) { entry in
            guard entry.index == targetEntry.index else { return nil }
            return try LogForger.assignment(entry) { a in
                a.decision.preferred[a.decision.preferred.count - 1] = unchosen.bid.clientID
            }
        }
        // A payment above what the clearing rule gives.
        try await expectFinding("payment", .market) { entry in
            guard entry.index == targetEntry.index else { return nil }
            return try LogForger.assignment(entry) { a in a.payments[0].amount += 0.5 }
        }
        // An eligible bid, sent in time, left out of the decision.
        try await expectFinding("dropped-bid", .ignoredBid) { entry in
            guard entry.index == targetEntry.index else { return nil }
            return try LogForger.assignment(entry) { a in
                a.decision.bidMessageIDs.removeAll { $0 == unchosen.id }
            }
        }
        // A merged update the round did not assign.
        let unassigned = try #require((0..<8).first { !decided.selected.contains($0) })
        try await expectFinding("merged-unassigned", .mergedNotAssigned) { entry in
            guard entry.type == MessageType.roundMetrics.rawValue, entry.round == decided.round, entry.signature != nil else { return nil }
            return try LogForger.metrics(entry) { m in
                m.mergedClients.append(unassigned)
                m.mergedDigests.append(String(repeating: "0", count: 64))
            }
        }
        // A merged update weighted by more samples than it stated.
        try await expectFinding("merge-weight", .mergeWeight) { entry in
            guard entry.type == MessageType.roundMetrics.rawValue, entry.round == decided.round, entry.signature != nil else { return nil }
            return try LogForger.metrics(entry) { m in
                guard let merged = m.mergedClients.first, let index = m.outcomes.firstIndex(where: { $0.clientID == merged }) else { return }
                m.outcomes[index].sampleCount *= 10
            }
        }
        // An ε spend past the budget, stated in an update.
        try await expectFinding("epsilon", .privacy) { entry in
            guard entry.type == MessageType.clientUpdate.rawValue, entry.signature != nil, let json = entry.payloadJSON,
                  json.contains("\"epsilonAfter\"")
            else { return nil }
            return json.replacing(/"epsilonAfter":[0-9.eE+-]+/, with: "\"epsilonAfter\":99", maxReplacements: 1)
        }
    }

    /// Every tool brain, with a fixed and the adaptive K, replays from its log.
    @Test(arguments: [("random", "fixed"), ("oort", "tool"), ("coverage", "fixed")])
    func everyToolBrainReplays(policy: String, kAgent: String) async throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-replay-\(policy)-\(UUID().uuidString)")
        let result = try await runAgentFL([
            "run", "--out", run.path, "--guardian-processes", "2", "--clients", "8", "--k", "3", "--rounds", "3",
            "--data-dir", try FashionMNISTSlice.directory().path, "--seed", "7", "--bid-window", "4",
            "--policy", policy, "--k-agent", kAgent, "--k-min", "2", "--k-max", "5",
        ])
        try #require(result.status == 0, "the run failed:\n\(result.output)")
        let replay = try await Self.replay(run.appendingPathComponent("audit.log"), run: run)
        #expect(replay.status == 0, "\(policy)+\(kAgent): \(replay.output)")
        #expect(replay.output.contains("decisions: 3 re-derived"), "\(replay.output)")
    }

    /// A language model's decisions replay from the answers the log recorded: the replay feeds them
    /// back through the same guardrails (refusals and fallbacks included) and never calls the
    /// model; a decision whose recorded prompt is not the one its state gives is named.
    @Test func languageModelDecisionsReplayFromTheirRecordedAnswers() async throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-replay-llm-\(UUID().uuidString)")
        // The real local model (llama-server with SmolLM2-135M, started by the run), both LLM brains.
        let result = try await runAgentFL([
            "run", "--out", run.path, "--guardian-processes", "2", "--clients", "8", "--k", "3", "--rounds", "3",
            "--data-dir", try FashionMNISTSlice.directory().path, "--seed", "6", "--bid-window", "4",
            "--policy", "llm", "--k-agent", "llm", "--k-min", "2", "--k-max", "5",
        ])
        try #require(result.status == 0, "the run failed:\n\(result.output)")
        let clean = try await Self.replay(run.appendingPathComponent("audit.log"), run: run)
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("decisions: 3 re-derived") && clean.output.contains("3 of them a language model's"), "\(clean.output)")

        // In a folder of its own: the run's signed tree heads next to its log would (rightly) call it cut.
        let folder = run.appendingPathComponent("forged")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let forged = folder.appendingPathComponent("prompt.log")
        let index = try LogForger(run: run).forge(to: forged) { entry in
            guard entry.type == MessageType.assignment.rawValue, entry.round == 2, entry.signature != nil else { return nil }
            return try LogForger.assignment(entry) { a in a.decision.externalCalls[0].request += " " }
        }
        let planted = try await Self.replay(forged, run: run)
        #expect(planted.status == 1, "\(planted.output)")
        let first = planted.output.split(separator: "\n").first { $0.hasPrefix("DOES NOT REPLAY") } ?? ""
        #expect(first.contains("entry \(index) (round 2): model-calls: ") && first.contains("the prompt differs"), "\(planted.output)")
    }
}
}
