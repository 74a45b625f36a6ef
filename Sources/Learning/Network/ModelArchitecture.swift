/// The model families the engine builds.
public enum ModelArchitecture: String, Sendable, CaseIterable, Codable {
    /// 784-200-200-10 multilayer perceptron with ReLU (input size follows the data).
    case mlp
    /// McMahan et al. 2017's CNN: 5×5 conv 32, 2×2 max-pool, 5×5 conv 64, 2×2 max-pool, FC 512, FC classes.
    case cnn
    /// A small CIFAR-10 CNN: three 3×3 conv blocks (32, 64, 64) with 2×2 max-pool, FC 256, FC classes.
    case cifarCNN = "cifar-cnn"
}

/// A model that cannot be built as asked.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidInputShape([Int], reason: String)
    case invalidWidth(Double)
    case invalidClassCount(Int)

    public var description: String {
        switch self {
        case .invalidInputShape(let shape, let reason): "cannot build the model for input shape \(shape): \(reason)"
        case .invalidWidth(let width): "width multiplier must be in (0, 1], got \(width)"
        case .invalidClassCount(let count): "a classifier needs at least 2 classes, got \(count)"
        }
    }
}
