import Agents
import ArgumentParser
import Foundation

/// `agentfl keys`: the signing keys and keyring of a run whose roles are started by hand or by an
/// orchestrator (`compose/`); `agentfl run` makes its own.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Write one Ed25519 key per role process (mode 0600) and the run's keyring.",
        discussion: """
            Writes DIR/server.key, DIR/aggregator.key, DIR/auditor.key, DIR/guardian-A-B.key for every \
            guardian range, and DIR/keyring.json, which lists each guardian process's key under the \
            names of exactly the clients it hosts. Give every role --keyring DIR/keyring.json and \
            --key DIR/ITS.key. An existing keyring is kept (so a restarted orchestrator does not \
            change the keys under running roles) unless --force.
            """)

    @Option(help: "Folder for the keys and keyring.") var out: String
    @Option(help: "The guardian processes' client ranges, comma-separated, e.g. 0-9,10-19.") var guardians: String
    @Flag(help: "Replace an existing keyring and keys.") var force = false

    func run() throws {
        let ranges = try guardians.split(separator: ",").map { part -> ClosedRange<Int> in
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard bounds.count == 2, bounds[0] >= 0, bounds[0] <= bounds[1] else {
                throw ValidationError("--guardians must look like 0-9,10-19 (got '\(part)')")
            }
            return bounds[0]...bounds[1]
        }
        for (index, range) in ranges.enumerated() {
            if let other = ranges[..<index].first(where: { $0.overlaps(range) }) {
                throw ValidationError("--guardians: \(range.lowerBound)-\(range.upperBound) overlaps \(other.lowerBound)-\(other.upperBound); a client has one guardian")
            }
        }
        let directory = URL(fileURLWithPath: out)
        if !force, FileManager.default.fileExists(atPath: directory.appendingPathComponent("keyring.json").path) {
            print("keys: \(directory.path)/keyring.json exists; kept (use --force to replace)")
            return
        }
        let keys = try RunKeys.generate(in: directory, guardianRanges: ranges)
        print("keys: wrote \(keys.keyring.keys.count) sender keys for \(3 + ranges.count) processes and \(keys.keyringURL.path)")
    }
}
