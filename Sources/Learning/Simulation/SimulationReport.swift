import Foundation

/// Writes a run's `results.json` (`{"config": {...}, "rounds": [...]}`) and `results.csv`.
public enum SimulationReport {
    /// The configuration as recorded in results.json.
    public struct ConfigRecord: Codable, Sendable, Equatable {
        public let dataset: String
        public let partition: String
        public let alpha: Double?
        public let shardsPerClient: Int?
        public let clients: Int
        public let k: Int
        public let rounds: Int
        public let localEpochs: Int
        public let batch: Int
        public let lr: Double
        public let optimizer: String
        public let momentum: Double
        public let weightDecay: Double
        public let model: String
        /// Weight initialization scheme (`he` or `pytorch`).
        public let initialization: String
        public let batchShards: Int
        public let widths: [Double]
        public let aggregation: String
        public let mu: Double
        public let clipNorm: Double?
        public let seed: UInt64
        public let trainLimit: Int?
        public let testLimit: Int?
        public let parameterCount: Int

        enum CodingKeys: String, CodingKey {
            case dataset, partition, alpha, clients, k, rounds, batch, lr, optimizer, momentum, model, widths, aggregation, mu, seed
            case shardsPerClient = "shards_per_client"
            case localEpochs = "local_epochs"
            case weightDecay = "weight_decay"
            case initialization = "init"
            case batchShards = "batch_shards"
            case clipNorm = "clip_norm"
            case trainLimit = "train_limit"
            case testLimit = "test_limit"
            case parameterCount = "parameter_count"
        }

        public init(_ c: SimulationConfiguration, parameterCount: Int) {
            dataset = c.dataset.rawValue
            partition = c.partition.name
            switch c.partition {
            case .dirichlet(let a, _), .quantity(let a):
                alpha = a
                shardsPerClient = nil
            case .shards(let n):
                alpha = nil
                shardsPerClient = n
            case .iid:
                alpha = nil
                shardsPerClient = nil
            }
            clients = c.clients
            k = c.clientsPerRound
            rounds = c.rounds
            localEpochs = c.training.localEpochs
            batch = c.training.batchSize
            // Through the shortest decimal spelling, so 0.05 is recorded as 0.05.
            lr = Double("\(c.training.learningRate)") ?? Double(c.training.learningRate)
            optimizer = c.training.optimizer.name
            switch c.training.optimizer {
            case .sgd(let m, let wd):
                momentum = Double(m)
                weightDecay = Double(wd)
            case .adam(_, _, _, let wd):
                momentum = 0
                weightDecay = Double(wd)
            }
            model = c.architecture.rawValue
            initialization = c.initialization.rawValue
            batchShards = c.training.batchShards
            widths = c.clientWidths
            aggregation = c.isWidthMixed ? "heterofl" : c.aggregation.description
            mu = Double(c.training.proximalMu)
            clipNorm = c.training.clipping.map { Double($0.maxNorm) }
            seed = c.seed
            trainLimit = c.trainLimit
            testLimit = c.testLimit
            self.parameterCount = parameterCount
        }
    }

    public struct Document: Codable, Sendable {
        public let config: ConfigRecord
        public let rounds: [RoundResult]
        public let totalSeconds: Double

        enum CodingKeys: String, CodingKey {
            case config, rounds
            case totalSeconds = "total_seconds"
        }
    }

    public static func write(_ result: SimulationResult, configuration: SimulationConfiguration, to directory: URL) throws(SimulationError) {
        let document = Document(
            config: ConfigRecord(configuration, parameterCount: result.parameterCount), rounds: result.rounds, totalSeconds: result.seconds
        )
        let jsonURL = directory.appendingPathComponent("results.json")
        let csvURL = directory.appendingPathComponent("results.csv")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(document).write(to: jsonURL)
        } catch {
            throw .output(path: jsonURL.path, reason: "\(error)")
        }
        do {
            try csv(result.rounds).write(to: csvURL, atomically: true, encoding: .utf8)
        } catch {
            throw .output(path: csvURL.path, reason: "\(error)")
        }
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

    public static func csv(_ rounds: [RoundResult]) -> String {
        var lines = ["round,k,test_accuracy,test_loss,train_loss,bytes_up,bytes_down,seconds,selected"]
        for r in rounds {
            let selected = r.selected.map(String.init).joined(separator: " ")
            lines.append("\(r.round),\(r.k),\(r.testAccuracy),\(r.testLoss),\(r.trainLoss),\(r.bytesUp),\(r.bytesDown),\(r.seconds),\(selected)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
