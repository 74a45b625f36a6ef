import Foundation
import Learning

/// The experiment report's plots as Vega-Lite specs (`DIR/plots/NAME.vl.json`, usable by any
/// Vega-Lite viewer or a live page later), rendered to SVG and PNG offline by the PyPI wheel
/// `vl-convert-python` that `scripts/bootstrap.sh` installs into `.deps/python`.
struct ReportPlots {
    let report: ExperimentReport

    /// Name, title and spec of every plot.
    var specs: [(name: String, title: String, spec: [String: Any])] {
        [
            ("accuracy", "Test accuracy by round (mean over seeds, band: min–max)", band(field: "accuracy", title: "test accuracy") { $0.testAccuracy }),
            ("k", "K by round (mean over seeds)", line(field: "k", title: "K") { Double($0.k) }),
            ("bytes", "Cumulative parameter traffic, MB (mean over seeds)", cumulative(field: "megabytes", title: "MB, cumulative") { Double($0.bytesUp + $0.bytesDown) / 1e6 }),
            ("tokens", "Cumulative LLM tokens (mean over seeds)", cumulative(field: "tokens", title: "tokens, cumulative") { Double(($0.promptTokens ?? 0) + ($0.completionTokens ?? 0)) }),
            ("price", "Clearing price by round (mean over seeds)", line(field: "price", title: "clearing price") { $0.clearingPrice ?? 0 }),
            ("participation", "Participation per client (rounds selected, summed over seeds)", participation()),
        ]
    }

    private func base(_ values: [[String: Any]], mark: Any, encoding: [String: Any]) -> [String: Any] {
        [
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": 520, "height": 260,
            "data": ["values": values],
            "mark": mark,
            "encoding": encoding,
        ]
    }

    /// Per policy and round, the value's mean, min and max over seeds.
    private func series(_ value: (ResultsRound) -> Double, cumulative: Bool = false) -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for spec in report.grid.policies {
            let documents = report.cells.filter { $0.cell.spec == spec }.map(\.document)
            let rounds = documents.map(\.rounds.count).max() ?? 0
            var totals = [Double](repeating: 0, count: documents.count)
            for index in 0..<rounds {
                var values: [Double] = []
                for (d, document) in documents.enumerated() where index < document.rounds.count {
                    let v = value(document.rounds[index])
                    totals[d] += v
                    values.append(cumulative ? totals[d] : v)
                }
                guard !values.isEmpty else { continue }
                rows.append([
                    "policy": spec.label, "round": index + 1, "mean": values.reduce(0, +) / Double(values.count),
                    "low": values.min() ?? 0, "high": values.max() ?? 0,
                ])
            }
        }
        return rows
    }

    private func xRound() -> [String: Any] {
        ["field": "round", "type": "quantitative", "title": "round", "axis": ["tickMinStep": 1, "format": "d"]]
    }
    private func colour() -> [String: Any] { ["field": "policy", "type": "nominal"] }

    private func line(field: String, title: String, _ value: (ResultsRound) -> Double) -> [String: Any] {
        base(series(value), mark: ["type": "line", "point": true], encoding: [
            "x": xRound(), "y": ["field": "mean", "type": "quantitative", "title": title], "color": colour(),
        ])
    }

    private func cumulative(field: String, title: String, _ value: (ResultsRound) -> Double) -> [String: Any] {
        base(series(value, cumulative: true), mark: "line", encoding: [
            "x": xRound(), "y": ["field": "mean", "type": "quantitative", "title": title], "color": colour(),
        ])
    }

    private func band(field: String, title: String, _ value: (ResultsRound) -> Double) -> [String: Any] {
        var spec = base(series(value), mark: "line", encoding: [:])
        spec["encoding"] = nil
        spec["mark"] = nil
        spec["layer"] = [
            [
                "mark": ["type": "area", "opacity": 0.2],
                "encoding": ["x": xRound(), "y": ["field": "low", "type": "quantitative", "title": title, "scale": ["zero": false]], "y2": ["field": "high"], "color": colour()],
            ],
            [
                "mark": "line",
                "encoding": ["x": xRound(), "y": ["field": "mean", "type": "quantitative", "title": title], "color": colour()],
            ],
        ]
        return spec
    }

    private func participation() -> [String: Any] {
        var rows: [[String: Any]] = []
        for spec in report.grid.policies {
            var counts = [Int](repeating: 0, count: report.grid.base.clients)
            for cell in report.cells where cell.cell.spec == spec {
                for round in cell.document.rounds { for client in round.selected where counts.indices.contains(client) { counts[client] += 1 } }
            }
            for (client, count) in counts.enumerated() { rows.append(["policy": spec.label, "client": client, "rounds": count]) }
        }
        var spec = base(rows, mark: "rect", encoding: [
            "x": ["field": "client", "type": "ordinal", "title": "client"],
            "y": ["field": "policy", "type": "nominal"],
            "color": ["field": "rounds", "type": "quantitative", "title": "rounds selected"],
        ])
        spec["height"] = 30 * report.grid.policies.count
        return spec
    }

    /// Writes every spec, then renders them; returns the rendered names, or why none were.
    func write(to directory: URL) throws -> Result<[String], PlotError> {
        let folder = directory.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var names: [String] = []
        for (name, title, spec) in specs {
            var titled = spec
            titled["title"] = title
            let data = try JSONSerialization.data(withJSONObject: titled, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: folder.appendingPathComponent("\(name).vl.json"), options: .atomic)
            names.append(name)
        }
        return Self.render(names, in: folder).map { names }
    }

    struct PlotError: Error, CustomStringConvertible {
        var description: String
    }

    /// `.deps/python` with `vl_convert`, found from the working directory or the executable upwards.
    static func libraryPath() -> URL? {
        if let configured = ProcessInfo.processInfo.environment["AGENTFL_PLOT_PYTHONPATH"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() { starts.append(executable.deletingLastPathComponent()) }
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(".deps/python")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("vl_convert").path) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }

    static func render(_ names: [String], in folder: URL) -> Result<Void, PlotError> {
        guard let library = libraryPath() else {
            return .failure(PlotError(description: "vl-convert-python is not in .deps/python (run scripts/bootstrap.sh); the specs are in \(folder.path)"))
        }
        let script = """
            import sys, vl_convert as vlc
            folder = sys.argv[1]
            for name in sys.argv[2:]:
                spec = open(f"{folder}/{name}.vl.json").read()
                open(f"{folder}/{name}.svg", "w").write(vlc.vegalite_to_svg(spec))
                open(f"{folder}/{name}.png", "wb").write(vlc.vegalite_to_png(spec, scale=2))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder.path] + names
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = library.path + (environment["PYTHONPATH"].map { ":" + $0 } ?? "")
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .failure(PlotError(description: "could not start python3 to render the plots: \(error)"))
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(PlotError(description: "rendering the plots failed (python3 exit \(process.terminationStatus)): \(String(decoding: output.suffix(600), as: UTF8.self))"))
        }
        return .success(())
    }
}

typealias ResultsRound = ResultsDocument.Round
