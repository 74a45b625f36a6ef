import Foundation

/// Writes an in-process run's `results.json` and `results.csv` (the schema ``ResultsDocument``
/// documents, shared with `agentfl run`) and, on request, its `partition.json`.
public enum SimulationReport {
    /// The configuration as recorded in results.json.
    public typealias ConfigRecord = ResultsDocument.ConfigRecord

    /// The document `write` stores for this simulation.
    public static func document(_ result: SimulationResult, configuration: SimulationConfiguration) -> ResultsDocument {
        ResultsDocument(
            command: "simulate", config: ConfigRecord(configuration, parameterCount: result.parameterCount),
            rounds: result.rounds.map(ResultsDocument.Round.init), startupSeconds: nil, readySeconds: nil, totalSeconds: result.seconds)
    }

    public static func write(_ result: SimulationResult, configuration: SimulationConfiguration, to directory: URL) throws(SimulationError) {
        try document(result, configuration: configuration).write(to: directory)
    }

    /// Writes `partition.json`, `{"clients": [[sample index, …], …]}`: each client's training
    /// samples, so another framework can replay exactly this split (with `results.json`'s
    /// per-round `selected` clients).
    public static func writePartition(_ partition: [[Int]], to directory: URL) throws(SimulationError) {
        let url = directory.appendingPathComponent("partition.json")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try JSONEncoder().encode(["clients": partition]).write(to: url)
        } catch {
            throw .output(path: url.path, reason: "\(error)")
        }
    }
}
