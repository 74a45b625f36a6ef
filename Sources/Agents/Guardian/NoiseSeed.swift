import Audit
import Crypto
import Foundation

/// The guardian's private source of DP randomness (Poisson batch draws and Gaussian noise): 32
/// secret bytes, kept in a file only its owner can read, from which each client's noise for each
/// round is derived. Never derived from the run seed, which every role and the audit log see:
/// whoever could regenerate the noise could subtract it from the update.
///
/// A seed file makes a DP experiment reproducible (`agentfl simulate --dp-seed-file` with the
/// file `agentfl run` wrote gives the run's numbers); without one a guardian draws a fresh secret
/// from the system's generator and its noise cannot be repeated by anyone, itself included.
public struct NoiseSeed: Sendable {
    private let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A fresh secret from the system's cryptographic generator.
    public static func fresh() -> NoiseSeed {
        var generator = SystemRandomNumberGenerator()
        return NoiseSeed(secret: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Reads a seed file: 64 hex digits (whitespace around them is ignored).
    public static func load(from url: URL) throws -> NoiseSeed {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw AgentError.invalidFile(url.path, reason: "cannot read the DP noise seed file")
        }
        guard let bytes = Hex.bytes(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw AgentError.invalidFile(url.path, reason: "a DP noise seed file holds 64 hex digits (32 secret bytes)")
        }
        return NoiseSeed(secret: bytes)
    }

    /// Writes a fresh secret to `url`, readable by its owner only, and returns it.
    @discardableResult
    public static func generate(to url: URL) throws -> NoiseSeed {
        let seed = fresh()
        let hex = Hex.string(seed.secret) + "\n"
        try PrivateFile.write(Array(hex.utf8), to: url, what: "DP noise seed file")
        return seed
    }

    /// The seed of `client`'s private generator in `round`: SHA-256 over the secret, a label, the
    /// client and the round, so seeds of different clients and rounds are unrelated.
    public func seed(client: Int, round: Int) -> UInt64 {
        var hasher = SHA256()
        hasher.update(data: secret)
        hasher.update(data: Array("agentfl-dp-noise".utf8))
        withUnsafeBytes(of: Int64(client).littleEndian) { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: Int64(round).littleEndian) { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }
}
