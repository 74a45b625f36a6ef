import Foundation

/// The first N images of the real Fashion-MNIST (Debian's copy), written as uncompressed IDX files
/// to a temporary folder: real data, small enough that every role process loads it in an instant
/// even in a debug build.
enum FashionMNISTSlice {
    static let source = "/usr/share/datasets/fashion-mnist"

    static func directory(train: Int = 3000, test: Int = 1000) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-slice-\(train)-\(test)-\(getpid())")
        if FileManager.default.fileExists(atPath: folder.path) { return folder }
        // Written aside and renamed into place: tests running side by side ask for the same
        // slice, and none may read a file another is still writing.
        let staging = folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        for (stem, count) in [("train", train), ("t10k", test)] {
            try slice("\(stem)-images-idx3-ubyte", headerBytes: 16, recordBytes: 784, count: count, into: staging)
            try slice("\(stem)-labels-idx1-ubyte", headerBytes: 8, recordBytes: 1, count: count, into: staging)
        }
        // rename(2) of a directory onto an existing non-empty one fails: the first one in wins.
        if rename(staging.path, folder.path) != 0 { try? FileManager.default.removeItem(at: staging) }
        return folder
    }

    /// Copies the header (with its count rewritten) and the first `count` records.
    private static func slice(_ name: String, headerBytes: Int, recordBytes: Int, count: Int, into folder: URL) throws {
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", "\(source)/\(name).gz"]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        var bytes = [UInt8](data.prefix(headerBytes + count * recordBytes))
        for i in 0..<4 { bytes[4 + i] = UInt8(truncatingIfNeeded: count >> (8 * (3 - i))) }
        try Data(bytes).write(to: folder.appendingPathComponent(name))
    }
}
