/// The binary form of a ``Tensor``:
///
/// ```
/// "AFLT" | version u8 = 1 | dtype u8 (1 = float32) | rank u8 | reserved u8
/// | rank × dimension u64 | SHA-256 of the data (32 bytes) | data: count × float32, little-endian
/// ```
/// Values move with one `memcpy` on little-endian hosts; there is no per-float loop.
public enum TensorBinaryFormat {
    static let magic: [UInt8] = Array("AFLT".utf8)
    static let version: UInt8 = 1
    static let float32: UInt8 = 1
    static let maximumRank = 255

    /// Bytes of the binary form of `tensor`.
    public static func encodedSize(of tensor: Tensor) -> Int {
        8 + tensor.shape.count * 8 + 32 + tensor.values.count * 4
    }

    /// The binary form of `tensor`; throws if the shape does not match the values.
    public static func encode(_ tensor: Tensor) throws(ProtocolError) -> [UInt8] {
        var out: [UInt8] = []
        try append(tensor, to: &out)
        return out
    }

    /// Appends the binary form of `tensor` to `out`.
    public static func append(_ tensor: Tensor, to out: inout [UInt8]) throws(ProtocolError) {
        guard tensor.shape.count <= maximumRank else {
            throw .payload(type: "tensor", reason: "rank \(tensor.shape.count) exceeds \(maximumRank)")
        }
        guard tensor.isConsistent else {
            throw .payload(type: "tensor", reason: "shape \(tensor.shape) does not hold \(tensor.values.count) values")
        }
        out.reserveCapacity(out.count + encodedSize(of: tensor))
        out.append(contentsOf: magic)
        out.append(version)
        out.append(float32)
        out.append(UInt8(tensor.shape.count))
        out.append(0)
        for dimension in tensor.shape {
            withUnsafeBytes(of: UInt64(dimension).littleEndian) { out.append(contentsOf: $0) }
        }
        let checksumAt = out.count
        out.append(contentsOf: repeatElement(0, count: 32))
        let dataAt = out.count
        appendLittleEndian(tensor.values, to: &out)
        let checksum = out.withUnsafeBytes { SHA256Digest.bytes(of: UnsafeRawBufferPointer(rebasing: $0[dataAt...])) }
        out.replaceSubrange(checksumAt..<(checksumAt + 32), with: checksum)
    }

    /// Reads one tensor that fills `bytes` exactly, verifying its checksum.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(ProtocolError) -> Tensor {
        var reader = ByteReader(bytes)
        guard try Array(reader.readBytes(4, "tensor magic")) == magic else {
            throw .corrupt(reason: "tensor attachment does not start with AFLT")
        }
        let version = try reader.read(UInt8.self, "tensor version")
        guard version == Self.version else { throw .corrupt(reason: "tensor format version \(version) is not 1") }
        let dtype = try reader.read(UInt8.self, "tensor dtype")
        guard dtype == float32 else { throw .corrupt(reason: "tensor dtype \(dtype) is not float32 (1)") }
        let rank = Int(try reader.read(UInt8.self, "tensor rank"))
        _ = try reader.read(UInt8.self, "tensor header")
        var shape: [Int] = []
        shape.reserveCapacity(rank)
        for _ in 0..<rank {
            let dimension = try reader.read(UInt64.self, "tensor shape")
            guard dimension <= UInt64(Int32.max) else { throw .corrupt(reason: "tensor dimension \(dimension) is too large") }
            shape.append(Int(dimension))
        }
        guard let count = Tensor.elementCount(of: shape), count <= Int.max / 4 else {
            throw .corrupt(reason: "tensor shape \(shape) is too large")
        }
        let checksum = try reader.readBytes(32, "tensor checksum")
        let data = try reader.readBytes(count * 4, "tensor data (\(count) float32 values)")
        guard reader.isAtEnd else {
            throw .corrupt(reason: "\(reader.remaining) bytes after tensor data of shape \(shape)")
        }
        let actual = data.withUnsafeBytes { SHA256Digest.bytes(of: $0) }
        guard actual.elementsEqual(checksum) else { throw .checksumMismatch(what: "tensor of shape \(shape)") }
        return Tensor(shape: shape, values: floats(fromLittleEndian: data, count: count))
    }

    static func appendLittleEndian(_ values: [Float], to out: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        #endif
    }

    static func floats(fromLittleEndian data: ArraySlice<UInt8>, count: Int) -> [Float] {
        data.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                #if _endian(little)
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * 4)]))
                #else
                for index in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                    buffer[index] = Float(bitPattern: UInt32(littleEndian: bits))
                }
                #endif
                initialized = count
            }
        }
    }
}
