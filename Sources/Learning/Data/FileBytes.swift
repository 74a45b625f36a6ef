import CZlib
import Foundation

/// Reads a file's bytes, inflating it first when it is gzip-compressed (by magic, not by name).
///
/// ``forEachChunk(path:chunkSize:_:)`` streams the (inflated) bytes a chunk at a time, so a
/// process that wants a few rows of a large file never holds the whole of it: a guardian reads
/// its clients' images out of the 47 MB Fashion-MNIST training file with ~2 MB of buffers.
enum FileBytes {
    static func read(path: String) throws(DatasetError) -> [UInt8] {
        var bytes = [UInt8]()
        try forEachChunk(path: path) { chunk throws(DatasetError) in bytes.append(contentsOf: chunk) }
        return bytes
    }

    /// Hands `body` the file's bytes in order, a chunk at a time (inflated when the file starts
    /// with gzip's magic); the buffer is only valid during the call.
    static func forEachChunk(
        path: String, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws(DatasetError) -> Void
    ) throws(DatasetError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        defer { try? handle.close() }
        func next() throws(DatasetError) -> Data {
            do {
                return try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw .unreadable(path: path, reason: "\(error)")
            }
        }
        let first = try next()
        if first.count >= 2, first[first.startIndex] == 0x1F, first[first.startIndex + 1] == 0x8B {
            try Inflater(path: path, chunkSize: chunkSize).inflate(first: first, next: next, body)
            return
        }
        var chunk = first
        while !chunk.isEmpty {
            try withBytes(of: chunk, body)
            chunk = try next()
        }
    }

    private static func withBytes(of data: Data, _ body: (UnsafeRawBufferPointer) throws(DatasetError) -> Void) throws(DatasetError) {
        let result: Result<Void, DatasetError> = data.withUnsafeBytes { buffer in
            do throws(DatasetError) {
                try body(buffer)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// A gzip stream inflated input chunk by input chunk with zlib (window bits 15 + 16: gzip
    /// header and trailer checked).
    private struct Inflater {
        let path: String
        let chunkSize: Int

        func inflate(
            first: Data, next: () throws(DatasetError) -> Data, _ body: (UnsafeRawBufferPointer) throws(DatasetError) -> Void
        ) throws(DatasetError) {
            var stream = z_stream()
            let initStatus = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard initStatus == Z_OK else {
                throw .decompressionFailed(path: path, reason: "zlib init failed (\(initStatus))")
            }
            defer { inflateEnd(&stream) }
            let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { output.deallocate() }
            var input = first
            var status = Z_OK
            while status != Z_STREAM_END {
                guard !input.isEmpty else { throw .decompressionFailed(path: path, reason: "stream ends early (truncated .gz)") }
                // One input chunk: inflate until zlib has taken all of it (or the stream ended).
                let step: Result<Int32, DatasetError> = input.withUnsafeMutableBytes { inBuffer in
                    stream.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = uInt(inBuffer.count)
                    var result = Z_OK
                    repeat {
                        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        stream.avail_out = uInt(chunkSize)
                        result = CZlib.inflate(&stream, Z_NO_FLUSH)
                        guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                            return .failure(.decompressionFailed(path: path, reason: "zlib error \(result)"))
                        }
                        let produced = chunkSize - Int(stream.avail_out)
                        if produced > 0 {
                            do throws(DatasetError) {
                                try body(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
                            } catch {
                                return .failure(error)
                            }
                        }
                    } while result != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
                    return .success(result)
                }
                status = try step.get()
                if status != Z_STREAM_END { input = try next() }
            }
        }
    }
}
