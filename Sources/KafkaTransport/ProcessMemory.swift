import Foundation

/// Reads a process's memory figures from /proc (Linux).
public enum ProcessMemory {
    /// VmRSS of the process in bytes, or nil when /proc has no answer.
    public static func residentBytes(of pid: Int32) -> Int? {
        kilobytes("VmRSS:", in: "/proc/\(pid)/status").map { $0 * 1024 }
    }

    /// The process's proportional set size in bytes: its private pages plus its share of pages it
    /// shares with others (the executable, libraries), so summing it over processes counts a
    /// shared page once, where summing VmRSS counts it in every process. Nil when /proc has no answer.
    public static func proportionalBytes(of pid: Int32) -> Int? {
        kilobytes("Pss:", in: "/proc/\(pid)/smaps_rollup").map { $0 * 1024 }
    }

    private static func kilobytes(_ field: String, in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes
        }
        return nil
    }
}
