import CZlib
import Foundation

/// Reads a file's bytes, inflating it first when it is gzip-compressed (by magic, not by name).
enum FileBytes {
    static func read(path: String) throws(DatasetError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let bytes = [UInt8](data)
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            return try gunzip(bytes, path: path)
        }
        return bytes
    }

    /// Inflates a gzip stream with zlib (window bits 15 + 16: gzip header and trailer checked).
    static func gunzip(_ compressed: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw .decompressionFailed(path: path, reason: "zlib init failed (\(initStatus))")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(compressed.count * 4)
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var status: Int32 = Z_OK
        var input = compressed
        status = input.withUnsafeMutableBufferPointer { inBuffer -> Int32 in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            var result: Int32 = Z_OK
            repeat {
                result = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    let produced = chunkSize - Int(stream.avail_out)
                    output.append(contentsOf: outBuffer[0..<produced])
                    return r
                }
                if result == Z_BUF_ERROR && stream.avail_in == 0 { break }
            } while result == Z_OK
            return result
        }
        guard status == Z_STREAM_END else {
            let reason = status == Z_BUF_ERROR ? "stream ends early (truncated .gz)" : "zlib error \(status)"
            throw .decompressionFailed(path: path, reason: reason)
        }
        return output
    }
}
