import Foundation
import Learning

/// A simulated client's hardware, drawn once from the run seed: heterogeneous speed and memory,
/// and the widest model slice (HeteroFL-style width) that memory allows.
public struct ClientProfile: Sendable, Hashable, Codable {
    public var clientID: Int
    public var samplesPerSecond: Double
    public var memoryMiB: Int
    public var maxWidth: Double

    public static func draw(clientID: Int, runSeed: UInt64) -> ClientProfile {
        var generator = SeedDerivation.generator(run: runSeed, round: 0, client: clientID, purpose: .bidding)
        // Speeds spread log-uniformly over a decade, as phones to laptops do.
        let speed = 300 * pow(10, Double.random(in: 0..<1, using: &generator))
        let memory = [512, 1024, 2048, 4096].randomElement(using: &generator) ?? 1024
        let width = memory >= 2048 ? 1.0 : (memory >= 1024 ? 0.5 : 0.25)
        return ClientProfile(clientID: clientID, samplesPerSecond: speed.rounded(), memoryMiB: memory, maxWidth: width)
    }
}
