/// The shape of one sample's activation, channels last (height × width × channels).
///
/// Convolutions keep activations in NHWC order so that im2col copies runs of channels and the
/// convolution is a single batch-level sgemm; dense activations are `1 × 1 × n`.
public struct ActivationShape: Sendable, Hashable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public init(features: Int) {
        self.init(height: 1, width: 1, channels: features)
    }

    public var size: Int { height * width * channels }

    public var description: String { "\(height)×\(width)×\(channels)" }
}
