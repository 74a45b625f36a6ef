import Foundation

/// Finds the Tansu binary: env AGENTFL_TANSU, else `.deps/bin/tansu` in the current directory or
/// any parent, else the same search from the running executable's directory (or `executable`'s,
/// when given: the `agentfl` a launcher runs its children as).
public enum TansuLocator {
    public static let relativePath = ".deps/bin/tansu"

    public static func locate(
        from executable: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EmbeddedBrokerError) -> URL {
        var searched: [String] = []
        if let explicit = environment["AGENTFL_TANSU"], !explicit.isEmpty {
            if FileManager.default.isExecutableFile(atPath: explicit) { return URL(fileURLWithPath: explicit) }
            searched.append("AGENTFL_TANSU=\(explicit)")
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = executable ?? Bundle.main.executableURL {
            starts.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(relativePath)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
            searched.append("\(relativePath) above \(start.path)")
        }
        throw .executableNotFound(searched: searched)
    }
}
