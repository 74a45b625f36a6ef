import ArgumentParser
import Foundation
import Learning

/// `agentfl-bench learning`: one local epoch (600 samples, B=32, SGD) and a full 10,000-image
/// evaluation for the MLP and the CNN, in seconds and GFLOP/s, beside PyTorch CPU when it is
/// importable by `python3`.
struct LearningBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learning",
        abstract: "Time a local epoch (600 samples, B=32) and a 10,000-image evaluation for the MLP and the CNN."
    )

    @Option(help: "Runs per measurement; the median is reported.")
    var runs: Int = 5
    @Option(help: "Comma-separated models: mlp, cnn, cifar-cnn.")
    var models: String = "mlp,cnn"
    @Option(help: "Cores for one epoch or evaluation: batch shards run side by side on single-threaded OpenBLAS (default: all cores).")
    var threads: Int?
    @Option(help: "Instead of --threads: give OpenBLAS this many threads and run the batch shards one after another.")
    var blasThreads: Int?
    @Option(help: "Directory with Fashion-MNIST (default: Debian's location).")
    var dataDir: String?
    @Option(help: "Run only this phase: epoch or eval (default: both), e.g. to profile one.")
    var only: Phase?
    @Flag(help: "Skip the PyTorch comparison even when torch is installed.")
    var noPytorch = false

    enum Phase: String, ExpressibleByArgument {
        case epoch, eval
    }

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        let cores = threads ?? ProcessInfo.processInfo.activeProcessorCount
        // The machine's limit: sgemm on every core through OpenBLAS's own pool.
        BLASThreads.set(ProcessInfo.processInfo.activeProcessorCount)
        let peak = Self.sgemmPeak()
        BLASThreads.set(blasThreads ?? 1)
        let architectures = try models.split(separator: ",").map { name -> ModelArchitecture in
            guard let architecture = ModelArchitecture(rawValue: String(name)) else {
                throw ValidationError("unknown model '\(name)'")
            }
            return architecture
        }
        let fashion = try DatasetLoader.load(.fashionMNIST, directory: dataDir.map { URL(fileURLWithPath: $0) })
        let mode = blasThreads == nil ? "\(cores) threads over batch shards, OpenBLAS single-threaded" : "OpenBLAS \(BLASThreads.current) threads"
        print("learning benchmark: \(mode); sgemm 1024³ peak \(String(format: "%.1f", peak)) GFLOP/s on \(ProcessInfo.processInfo.activeProcessorCount) cores; median of \(runs)")
        let torch = noPytorch ? nil : PyTorchReference.measure(models: architectures.filter { $0 != .cifarCNN }, runs: runs)
        if !noPytorch && torch == nil { print("(PyTorch not importable by python3: no side-by-side figures)") }
        print("model       parameters  epoch(600,B=32) s  GFLOP/s  eval(10k) s  GFLOP/s  torch epoch s  torch eval s  speed-up epoch/eval")
        for architecture in architectures {
            let data: (train: Dataset, test: Dataset)
            if architecture == .cifarCNN {
                data = (try Self.synthetic(count: 600, shape: [3, 32, 32]), try Self.synthetic(count: 10_000, shape: [3, 32, 32]))
            } else {
                data = fashion
            }
            let model = try makeModel(architecture, inputShape: data.train.sampleShape, classes: 10)
            let parameters = model.initialParameters(seed: 1)
            let trainer = LocalTrainer(model: model, threads: blasThreads == nil ? cores : 1)
            let configuration = TrainingConfiguration(localEpochs: 1, batchSize: 32, learningRate: 0.05)
            let indices = Array(0..<600)
            let epoch = only == .eval ? .nan : try Self.median(runs) {
                _ = try trainer.train(global: parameters, data: data.train, indices: indices, configuration: configuration, seed: 1)
            }
            let test = data.test.prefix(10_000)
            let evaluator = Evaluator(model: model, threads: blasThreads == nil ? cores : 1)
            let evaluation = only == .epoch ? .nan : try Self.median(runs) { _ = try evaluator.evaluate(parameters: parameters, on: test) }
            // Forward is 2 FLOPs per multiply-add; a training step about 3× forward.
            let macs = Double(model.multiplyAddsPerSample)
            let epochGFLOPs = 600 * 6 * macs / epoch / 1e9
            let evalGFLOPs = Double(test.count) * 2 * macs / evaluation / 1e9
            let reference = torch?[architecture.rawValue]
            let torchEpoch = reference.map { String(format: "%13.4f", $0.epoch) } ?? String(repeating: " ", count: 12) + "-"
            let torchEval = reference.map { String(format: "%12.4f", $0.evaluation) } ?? String(repeating: " ", count: 11) + "-"
            let speedup = reference.map { String(format: "%.2f× / %.2f×", $0.epoch / epoch, $0.evaluation / evaluation) } ?? "-"
            print(String(
                format: "%@  %10d  %17.4f  %7.1f  %11.4f  %7.1f  %@  %@  %@",
                architecture.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0), model.parameterCount, epoch, epochGFLOPs, evaluation, evalGFLOPs, torchEpoch, torchEval, speedup
            ))
        }
    }

    static func median(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        try body() // warm-up
        var times = [Double]()
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try body()
            let elapsed = start.duration(to: .now)
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return times.sorted()[times.count / 2]
    }

    /// The machine's limit for this work: the best of 20 sgemm 1024³ on every core (the best,
    /// not the median: a peak is what the hardware reaches when nothing else interferes).
    static func sgemmPeak() -> Double {
        let n = 1024
        let a = [Float](repeating: 1, count: n * n)
        let b = [Float](repeating: 0.5, count: n * n)
        var best = Double.infinity
        for _ in 0..<21 {
            let start = ContinuousClock.now
            _ = MatrixMultiply.product(a, b, m: n, n: n, k: n)
            best = min(best, start.duration(to: .now) / .seconds(1))
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    static func synthetic(count: Int, shape: [Int]) throws -> Dataset {
        var rng = SplitMix64(seed: 1)
        let size = shape.reduce(1, *)
        let features = (0..<(count * size)).map { _ in Float(rng.nextNormal()) }
        let labels = (0..<count).map { Int32($0 % 10) }
        return try Dataset(sampleShape: shape, classCount: 10, features: features, labels: labels)
    }
}

/// Times the same workloads in PyTorch CPU through `python3`, if torch is installed.
enum PyTorchReference {
    struct Figures: Decodable {
        let epoch: Double
        let evaluation: Double
    }

    static func measure(models: [ModelArchitecture], runs: Int) -> [String: Figures]? {
        guard !models.isEmpty else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, models.map(\.rawValue).joined(separator: ","), String(runs)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return try? JSONDecoder().decode([String: Figures].self, from: data)
    }

    /// The same models (McMahan CNN with 'same' padding), SGD lr 0.05, B=32, 600 samples, and a
    /// 10,000-image evaluation in batches of 1,000 under no_grad; torch uses all cores.
    static let script = """
    import json, sys, time, torch, torch.nn as nn
    torch.manual_seed(1)
    models, runs = sys.argv[1].split(","), int(sys.argv[2])
    def make(name):
        if name == "mlp":
            return nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 200), nn.ReLU(), nn.Linear(200, 10))
        return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, 10))
    x, y = torch.randn(600, 1, 28, 28), torch.randint(0, 10, (600,))
    tx = torch.randn(10000, 1, 28, 28)
    def median(f):
        f(); t = []
        for _ in range(runs):
            s = time.perf_counter(); f(); t.append(time.perf_counter() - s)
        return sorted(t)[len(t) // 2]
    out = {}
    for name in models:
        model = make(name)
        def epoch():
            opt = torch.optim.SGD(model.parameters(), lr=0.05)
            perm = torch.randperm(600)
            for i in range(0, 600, 32):
                idx = perm[i:i + 32]
                opt.zero_grad(); loss = nn.functional.cross_entropy(model(x[idx]), y[idx]); loss.backward(); opt.step()
        def evaluate():
            with torch.no_grad():
                for i in range(0, 10000, 1000): model(tx[i:i + 1000]).argmax(1)
        out[name] = {"epoch": median(epoch), "evaluation": median(evaluate)}
    print(json.dumps(out))
    """
}
