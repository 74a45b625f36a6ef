@testable import Agents
import Foundation
import KafkaTransport
import Synchronization
import TestSupport
import Testing
import WireProtocol

/// The restart policy's arithmetic, without processes.
@Suite struct RestartPolicyTests {
    @Test func backsOffAndGivesUpWithinTheWindow() {
        let policy = RestartPolicy(maxRestarts: 3, window: .seconds(60), initialBackoff: .milliseconds(250), maxBackoff: .seconds(1))
        let t0 = ContinuousClock.now
        #expect(policy.decide(restarts: [], now: t0) == .restart(after: .milliseconds(250)))
        #expect(policy.decide(restarts: [t0], now: t0 + .seconds(1)) == .restart(after: .milliseconds(500)))
        #expect(policy.decide(restarts: [t0, t0 + .seconds(1)], now: t0 + .seconds(2)) == .restart(after: .seconds(1)))
        #expect(policy.decide(restarts: [t0, t0 + .seconds(1), t0 + .seconds(2)], now: t0 + .seconds(3)) == .giveUp)
        // Restarts older than the window no longer count: at 61.5 s only the one at 2 s does.
        #expect(policy.decide(restarts: [t0, t0 + .seconds(1), t0 + .seconds(2)], now: t0 + .seconds(61.5)) == .restart(after: .milliseconds(500)))
        #expect(RestartPolicy.never.decide(restarts: [], now: t0) == .giveUp)
    }
}

extension ProcessTests {
/// `agentfl run` as a user runs it, with its roles killed under it: the launcher restarts them,
/// the run completes as if nothing happened, and nothing outlives the launcher.
@Suite(.serialized) struct SupervisionTests {
    /// 10 clients, K=4, 4 rounds, 2 guardian processes; bid window and round timeout long enough
    /// that a restarted role catches up before a deadline (an undisturbed run never waits them out:
    /// the server closes the bids once every client bid, the aggregator the round once every update
    /// is in), so the disturbed run must select and merge exactly what the undisturbed one did.
    static func arguments(out: URL, runID: String) throws -> [String] {
        [
            "run", "--out", out.path, "--guardian-processes", "2", "--run-id", runID,
            "--clients", "10", "--k", "4", "--rounds", "4", "--data-dir", try FashionMNISTSlice.directory().path,
            "--train-limit", "2000", "--test-limit", "500", "--seed", "5", "--model", "mlp", "--partition", "iid",
            "--bid-window", "10", "--round-timeout", "30", "--quorum", "0.5",
        ]
    }

    @Test(arguments: ["server", "aggregator", "auditor", "guardian-0-4"])
    func aKilledRoleIsRestartedAndTheRunIsTheUndisturbedOne(role: String) async throws {
        let baseline = try await Baseline.shared.rounds()
        let run = try LaunchedRun(name: "kill-\(role)")
        let bootstrap = try await run.bootstrap()
        let watcher = try TopicWatcher(bootstrap: bootstrap, runID: run.runID)
        defer { watcher.stop() }

        // Kill the role as soon as round 2 is assigned: updates are being trained and merged.
        let assigned = await watcher.wait(timeout: .seconds(120)) { $0.contains { $0.type == .assignment && $0.round == 2 } }
        try #require(assigned, "round 2 was never assigned\n\(run.output())")
        let victim = try #require(run.rolePID(role), "no process for \(role)\n\(ProcTable.scan().map(\.description).joined(separator: "\n"))")
        let killedAt = ContinuousClock.now
        kill(victim, SIGKILL)

        let restartLine = await run.waitForLine(containing: "role \(role) restarted as pid", timeout: .seconds(30))
        let restartSeen = ContinuousClock.now
        try #require(restartLine != nil, "the launcher did not restart \(role)\n\(run.output())")
        let senders: Set<String> = role.hasPrefix("guardian") ? Set((0...4).map { "guardian-\($0)" }) : [role]
        let sender: @Sendable (String) -> Bool = { senders.contains($0) }
        let back = await watcher.wait(timeout: .seconds(60)) { $0.contains { $0.at > restartSeen && sender($0.sender) } }
        let firstMessage = await watcher.first { $0.at > restartSeen && sender($0.sender) }
        // The role's own work again: the server's next call or assignment, the aggregator's next
        // metrics, the auditor's next seal, the guardian's next bid or update.
        let work: Set<MessageType> = switch role {
        case "server": [.roundAnnouncement, .assignment]
        case "aggregator": [.roundMetrics, .globalModel]
        case "auditor": [.auditRoot]
        default: [.bid, .clientUpdate]
        }
        let working = await watcher.wait(timeout: .seconds(60)) { $0.contains { $0.at > restartSeen && sender($0.sender) && work.contains($0.type) } }
        let firstWork = await watcher.first { $0.at > restartSeen && sender($0.sender) && work.contains($0.type) }
        let nextRound = await watcher.wait(timeout: .seconds(90)) { $0.contains { $0.type == .roundMetrics && $0.at > killedAt } }
        let nextMetrics = await watcher.first { $0.type == .roundMetrics && $0.at > killedAt }

        let status = await run.child.waitForExit()
        #expect(status == 0, "agentfl run failed after \(role) was killed:\n\(run.output())")
        #expect(back, "\(role) sent nothing after its restart")
        #expect(working, "\(role) did no work after its restart")
        #expect(nextRound)
        if let firstMessage, let nextMetrics {
            let restarted = restartLine.flatMap { Self.seconds(after: "restarted as pid", in: $0) }
            let figure = String(
                format: "RESTART-FIGURE %@: kill→restart %.2f s (launcher: ended→restarted %@ s), kill→first message of the new process %.2f s (%@), kill→its first work message %@, kill→next round done %.2f s",
                role, (restartSeen - killedAt).inSeconds, restarted.map { String(format: "%.2f", $0) } ?? "?",
                (firstMessage.at - killedAt).inSeconds, firstMessage.type.rawValue,
                firstWork.map { String(format: "%.2f s (%@ round %d)", ($0.at - killedAt).inSeconds, $0.type.rawValue, $0.round ?? 0) } ?? "none",
                (nextMetrics.at - killedAt).inSeconds)
            print(figure)
        }
        let rounds = try RunSummary.load(run.out.appendingPathComponent("results.json"))
        #expect(rounds.map(\.round) == [1, 2, 3, 4], "every round once in results")
        #expect(rounds == baseline, "the disturbed run differs from the undisturbed one")
        for round in rounds {
            #expect(round.merged.sorted() == round.selected.sorted(), "round \(round.round): nothing lost")
            #expect(Set(round.merged).count == round.merged.count, "round \(round.round): nothing counted twice")
        }
        let verify = try await runAgentFL(["audit", "verify", run.out.appendingPathComponent("audit.log").path])
        #expect(verify.status == 0, "audit verify failed:\n\(verify.output)")
    }

    @Test func aRoleThatKeepsCrashingEndsTheRunNamingIt() async throws {
        let run = try LaunchedRun(name: "budget")
        _ = try await run.bootstrap()
        // The default budget: 3 restarts within 120 s; the fourth crash ends the run.
        for attempt in 1...4 {
            let pid = try #require(await run.waitForRole("aggregator", notPID: nil, timeout: .seconds(30)), "attempt \(attempt)\n\(run.output())")
            kill(pid, SIGKILL)
            if attempt < 4 {
                let restarted = await run.waitForLine(containing: "restart \(attempt) (", timeout: .seconds(20))
                try #require(restarted != nil, "no restart \(attempt)\n\(run.output())")
                _ = await run.waitForLine(containing: "role aggregator restarted as pid", occurrence: attempt, timeout: .seconds(20))
            }
        }
        let killedLast = ContinuousClock.now
        let status = await run.waitForExit(timeout: .seconds(20))
        let output = run.output()
        #expect(status != nil && status != 0, "the run did not end non-zero after the budget was spent:\n\(output)")
        #expect((ContinuousClock.now - killedLast) < .seconds(20))
        #expect(output.contains("role aggregator failed again (signal 9"), "\(output)")
        #expect(output.contains(run.out.appendingPathComponent("logs/aggregator.log").path))
        #expect(run.remaining().isEmpty, "left running: \(run.remaining())")
    }

    @Test func killingTheLauncherLeavesNothingRunning() async throws {
        let run = try LaunchedRun(name: "sigkill")
        _ = try await run.bootstrap()
        let first = await run.waitForLine(containing: "round   1/", timeout: .seconds(120))
        try #require(first != nil, "no round finished\n\(run.output())")
        let family = ProcTable.descendants(of: run.child.processIdentifier)
        // broker + auditor + aggregator + 2 guardian processes + server (which may have finished).
        #expect(family.count >= 5, "\(family)")
        #expect(family.contains { $0.arguments.first?.hasSuffix("tansu") == true }, "the broker is one of them: \(family)")
        kill(run.child.processIdentifier, SIGKILL)
        let killedAt = ContinuousClock.now
        var alive = family
        while !alive.isEmpty, ContinuousClock.now - killedAt < .seconds(5) {
            try await Task.sleep(for: .milliseconds(100))
            alive = family.filter { ProcTable.isAlive($0) }
        }
        #expect(alive.isEmpty, "still running \(String(format: "%.1f", (ContinuousClock.now - killedAt).inSeconds)) s after the launcher was killed: \(alive)")
        print(String(format: "PDEATH-FIGURE: %d children gone %.2f s after SIGKILL of the launcher", family.count, (ContinuousClock.now - killedAt).inSeconds))
        #expect(run.remaining().isEmpty, "left running: \(run.remaining())")
        for entry in alive { kill(entry.pid, SIGKILL) }
    }

    @Test func aDeadBrokerIsNamedAndTheRunEndsInBoundedTime() async throws {
        let run = try LaunchedRun(name: "broker")
        let bootstrap = try await run.bootstrap()
        let first = await run.waitForLine(containing: "round   1/", timeout: .seconds(120))
        try #require(first != nil, "no round finished\n\(run.output())")
        let broker = try #require(ProcTable.descendants(of: run.child.processIdentifier).first { $0.arguments.first?.hasSuffix("tansu") == true })
        kill(broker.pid, SIGKILL)
        let killedAt = ContinuousClock.now
        let status = await run.waitForExit(timeout: .seconds(15))
        let took = ContinuousClock.now - killedAt
        let output = run.output()
        #expect(status != nil && status != 0, "the run did not end non-zero within 15 s of the broker's death:\n\(output)")
        #expect(output.contains("the embedded broker at \(bootstrap) ended (signal 9"), "\(output)")
        #expect(!output.contains("role "), "a role was blamed for the broker's death:\n\(output)")
        let lines = output.split(separator: "\n").count
        print("BROKER-OUTPUT:\n\(output)")
        print(String(format: "BROKER-FIGURE: run ended %.2f s after the broker was killed, %d lines of output in all", took.inSeconds, lines))
        #expect(lines < 40, "\(output)")
        #expect(run.remaining().isEmpty, "left running: \(run.remaining())")
    }

    @Test func progressLinesReachAPipeAsTheyHappen() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-pipe-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = AgentFLExecutable.url
        process.arguments = try Self.arguments(out: out, runID: "pipe-\(UInt32.random(in: 0...UInt32.max))")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let text = Mutex("")
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
            pipe.fileHandleForReading.readabilityHandler = nil
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while !text.withLock({ $0.contains("round   1/") }), process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(text.withLock { $0.contains("broker ") && $0.contains("round   1/") }, "read so far: \(text.withLock { $0 })")
        #expect(process.isRunning, "the progress line arrived only when the run ended")
    }

    static func seconds(after marker: String, in line: String) -> Double? {
        guard let range = line.range(of: ", ", range: (line.range(of: marker)?.upperBound ?? line.startIndex)..<line.endIndex) else { return nil }
        return Double(line[range.upperBound...].split(separator: " ").first ?? "")
    }
}
}

/// The undisturbed run the disturbed ones must reproduce, run once.
actor Baseline {
    static let shared = Baseline()
    private var cached: [RunSummary]?

    func rounds() async throws -> [RunSummary] {
        if let cached { return cached }
        let run = try LaunchedRun(name: "baseline")
        let status = await run.child.waitForExit()
        try #require(status == 0, "the undisturbed run failed:\n\(run.output())")
        let rounds = try RunSummary.load(run.out.appendingPathComponent("results.json"))
        cached = rounds
        return rounds
    }
}

/// What a disturbed run must share with the undisturbed one, per round.
struct RunSummary: Equatable, CustomStringConvertible {
    var round: Int
    var selected: [Int]
    var merged: [Int]
    var accuracy: Double

    var description: String { "round \(round) selected \(selected) merged \(merged) acc \(accuracy)" }

    static func load(_ url: URL) throws -> [RunSummary] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return (object?["rounds"] as? [[String: Any]] ?? []).map {
            RunSummary(
                round: $0["round"] as? Int ?? -1, selected: ($0["selected"] as? [Int] ?? []).sorted(),
                merged: ($0["merged"] as? [Int] ?? []).sorted(), accuracy: $0["test_accuracy"] as? Double ?? -1)
        }
    }
}

/// One `agentfl run` started as a child of the test, its combined output in a file.
final class LaunchedRun: Sendable {
    let out: URL
    let runID: String
    let child: ChildProcess
    let log: URL

    init(name: String) throws {
        out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-sup-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        runID = "sup-\(name)-\(UInt32.random(in: 0...UInt32.max))"
        log = out.appendingPathComponent("launcher.out")
        child = try ChildProcess(
            name: "agentfl-run", executable: AgentFLExecutable.url,
            arguments: try ProcessTests.SupervisionTests.arguments(out: out, runID: runID), logFile: log)
    }

    deinit {
        // Whatever a failed expectation left behind.
        if child.isRunning { kill(child.processIdentifier, SIGKILL) }
    }

    func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// The embedded broker's address, from the launcher's "broker ADDRESS and roles started" line.
    func bootstrap() async throws -> String {
        let line = try #require(await waitForLine(containing: "and roles started", timeout: .seconds(60)), "the run did not start:\n\(output())")
        return try #require(line.split(separator: " ").dropFirst().first.map(String.init))
    }

    /// The `occurrence`-th line containing `text`, once it is there.
    func waitForLine(containing text: String, occurrence: Int = 1, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let lines = output().split(separator: "\n").filter { $0.contains(text) }
            if lines.count >= occurrence { return String(lines[occurrence - 1]) }
            try? await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return nil
    }

    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while child.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return child.isRunning ? nil : await child.waitForExit()
    }

    /// The pid of the role's process (a launcher child whose command line is that role's).
    func rolePID(_ role: String) -> Int32? {
        ProcTable.descendants(of: child.processIdentifier).first { $0.isRole(role) }?.pid
    }

    func waitForRole(_ role: String, notPID: Int32?, timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if let pid = rolePID(role), pid != notPID { return pid }
            try? await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        return nil
    }

    /// Live processes whose command line names this run's out folder (roles), or that are the broker.
    func remaining() -> [ProcTable.Entry] {
        ProcTable.scan().filter { entry in entry.arguments.contains { $0.contains(out.path) } && entry.pid != getpid() }
    }
}

/// The processes in /proc.
enum ProcTable {
    struct Entry: Sendable, CustomStringConvertible {
        var pid: Int32
        var ppid: Int32
        var state: Character
        var arguments: [String]
        var description: String { "\(pid) (ppid \(ppid), \(state)): \(arguments.joined(separator: " "))" }

        func isRole(_ role: String) -> Bool {
            guard arguments.count > 1 else { return false }
            if role.hasPrefix("guardian-") {
                return arguments[1] == "guardian" && arguments.contains(String(role.dropFirst("guardian-".count)))
            }
            return arguments[1] == role
        }
    }

    static func scan() -> [Entry] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.compactMap(entry)
    }

    static func entry(_ pid: Int32) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let ppid = Int32(fields[1]) else { return nil }
        let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return Entry(pid: pid, ppid: ppid, state: state, arguments: arguments)
    }

    /// Every live process below `pid`.
    static func descendants(of pid: Int32) -> [Entry] {
        let all = scan().filter { $0.state != "Z" }
        var found: [Entry] = []
        var frontier: Set<Int32> = [pid]
        while !frontier.isEmpty {
            let children = all.filter { frontier.contains($0.ppid) }
            found += children
            frontier = Set(children.map(\.pid))
        }
        return found
    }

    /// Whether the process still runs (a zombie waiting for its reaper does not).
    static func isAlive(_ entry: Entry) -> Bool {
        guard let now = Self.entry(entry.pid) else { return false }
        return now.state != "Z" && now.arguments == entry.arguments
    }
}

/// Every envelope of a run, with when it arrived.
final class TopicWatcher: Sendable {
    struct Seen: Sendable {
        var type: MessageType
        var sender: String
        var round: Int?
        var at: ContinuousClock.Instant
    }
    private let board = ConditionBoard<[Seen]>([])
    private let subscriber: ProtocolSubscriber
    private let task: Task<Void, any Error>

    init(bootstrap: String, runID: String) throws {
        let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(nil))
        // An observer only: it acts on nothing, so it need not verify.
        let bus = RoleBus(
            brokers: [bootstrap], catalog: catalog, runID: runID, sender: "test", signer: nil, trust: .insecure,
            logger: testLogger("watcher"))
        let subscriber = try bus.subscriber(for: MessageType.allCases, group: nil, from: .beginning)
        let board = self.board
        self.subscriber = subscriber
        task = Task {
            try await subscriber.run { received in
                let e = received.envelope
                await board.update { $0.append(Seen(type: e.type, sender: e.sender, round: e.round, at: .now)) }
            }
        }
    }

    func wait(timeout: Duration, until condition: @escaping @Sendable ([Seen]) -> Bool) async -> Bool {
        await board.wait(until: condition, deadline: .now + timeout)
    }

    func first(_ predicate: @escaping @Sendable (Seen) -> Bool) async -> Seen? {
        await board.read { $0.first(where: predicate) }
    }

    func stop() {
        task.cancel()
        let subscriber = self.subscriber
        Task { await subscriber.close() }
    }
}
