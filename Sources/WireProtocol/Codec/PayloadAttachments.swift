import Foundation
import Synchronization

extension CodingUserInfoKey {
    /// Where ``Tensor`` finds the ``AttachmentWriter`` (encoding) or ``AttachmentReader`` (decoding)
    /// of the payload it belongs to.
    static let protocolAttachments = CodingUserInfoKey(rawValue: "agentfl.protocol.attachments")!
}

/// Collects the tensors of one payload while its JSON is encoded; each tensor leaves only its index
/// in the JSON.
///
/// A class, because `Encoder.userInfo` is the only path from `Tensor.encode(to:)` back to the codec;
/// the mutex makes it `Sendable` (userInfo values must be).
final class AttachmentWriter: Sendable {
    private let tensors = Mutex<[Tensor]>([])

    /// Stores `tensor` and returns its attachment index.
    func append(_ tensor: Tensor) -> Int {
        tensors.withLock { tensors in
            tensors.append(tensor)
            return tensors.count - 1
        }
    }

    var collected: [Tensor] { tensors.withLock { $0 } }
}

/// The attachments of one payload, read lazily by index while its JSON is decoded.
struct AttachmentReader: Sendable {
    let payload: [UInt8]
    let ranges: [Range<Int>]

    func tensor(at index: Int) throws(ProtocolError) -> Tensor {
        guard ranges.indices.contains(index) else {
            throw .corrupt(reason: "tensor refers to attachment \(index), the payload has \(ranges.count)")
        }
        return try TensorBinaryFormat.decode(payload[ranges[index]])
    }
}
