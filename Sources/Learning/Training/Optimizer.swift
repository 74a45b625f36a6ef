import Foundation

/// The local optimizer and its hyper-parameters (learning rate aside).
public enum Optimizer: Sendable, Hashable, Codable, CustomStringConvertible {
    /// SGD; `momentum` 0 is plain SGD. Weight decay is L2 added to the gradient (PyTorch's SGD).
    case sgd(momentum: Float = 0, weightDecay: Float = 0)
    /// Adam (Kingma and Ba) with bias correction; weight decay is L2 added to the gradient.
    case adam(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0)

    public static let plainSGD = Optimizer.sgd(momentum: 0, weightDecay: 0)
    public static let defaultAdam = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)

    /// Copies of the parameter vector the optimizer keeps beyond the parameters and gradient.
    public var stateSlots: Int {
        switch self {
        case .sgd(let momentum, _): momentum == 0 ? 0 : 1
        case .adam: 2
        }
    }

    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam: "adam"
        }
    }

    public var description: String {
        switch self {
        case .sgd(let momentum, let weightDecay): "sgd(momentum \(momentum), weight decay \(weightDecay))"
        case .adam(let beta1, let beta2, let epsilon, let weightDecay):
            "adam(β1 \(beta1), β2 \(beta2), ε \(epsilon), weight decay \(weightDecay))"
        }
    }
}

/// The running state of an ``Optimizer`` over one parameter vector.
struct OptimizerState {
    let optimizer: Optimizer
    private var first: [Float]
    private var second: [Float]
    private var steps = 0

    init(optimizer: Optimizer, parameterCount: Int) {
        self.optimizer = optimizer
        switch optimizer {
        case .sgd(let momentum, _):
            first = momentum != 0 ? [Float](repeating: 0, count: parameterCount) : []
            second = []
        case .adam:
            first = [Float](repeating: 0, count: parameterCount)
            second = [Float](repeating: 0, count: parameterCount)
        }
    }

    /// One update. `gradient` is consumed (weight decay is added into it).
    mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, learningRate: Float) {
        steps += 1
        let n = parameters.count
        switch optimizer {
        case .sgd(let momentum, let weightDecay):
            if momentum == 0 {
                if weightDecay == 0 {
                    for i in 0..<n { parameters[i] -= learningRate * gradient[i] }
                } else {
                    for i in 0..<n { parameters[i] -= learningRate * (gradient[i] + weightDecay * parameters[i]) }
                }
                return
            }
            first.withUnsafeMutableBufferPointer { velocity in
                for i in 0..<n {
                    let g = gradient[i] + weightDecay * parameters[i]
                    velocity[i] = momentum * velocity[i] + g
                    parameters[i] -= learningRate * velocity[i]
                }
            }
        case .adam(let beta1, let beta2, let epsilon, let weightDecay):
            let correction1 = 1 - pow(beta1, Float(steps))
            let correction2 = 1 - pow(beta2, Float(steps))
            let stepSize = learningRate / correction1
            let rootCorrection2 = correction2.squareRoot()
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    for i in 0..<n {
                        let g = gradient[i] + weightDecay * parameters[i]
                        m[i] = beta1 * m[i] + (1 - beta1) * g
                        v[i] = beta2 * v[i] + (1 - beta2) * g * g
                        parameters[i] -= stepSize * m[i] / (v[i].squareRoot() / rootCorrection2 + epsilon)
                    }
                }
            }
        }
    }
}
