/// The model families the engine builds.
public enum ModelArchitecture: String, Sendable, CaseIterable, Codable {
    /// 784-200-200-10 multilayer perceptron with ReLU (input size follows the data).
    case mlp
    /// McMahan et al. 2017's CNN: 5×5 conv 32, 2×2 max-pool, 5×5 conv 64, 2×2 max-pool, FC 512, FC classes.
    case cnn
    /// A small CIFAR-10 CNN: three 3×3 conv blocks (32, 64, 64) with 2×2 max-pool, FC 256, FC classes.
    case cifarCNN = "cifar-cnn"
    /// The source paper's MNIST CNN (rafaeloj/k-agent, `tasks/models/cnnmnist.py`): 3×3 conv 32
    /// (padding 1), 2×2 max-pool, 3×3 conv 64 (padding 1), 2×2 max-pool, FC 128, FC classes;
    /// 421,642 parameters on 28×28 images. Its two dropout layers (0.25) are left out: the
    /// engine has no dropout.
    case paperCNN = "paper-cnn"
    /// LeNet-5 for CIFAR-10 as the source paper uses it: 5×5 conv 6, 2×2 max-pool, 5×5 conv 16,
    /// 2×2 max-pool, FC 120, FC 84, FC classes (no padding); 62,006 parameters on 3×32×32 images.
    case lenet
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
