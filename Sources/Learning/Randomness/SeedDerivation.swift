/// What a random draw is for; part of every derived seed so that two purposes never share a stream.
public enum SeedPurpose: UInt64, Sendable, CaseIterable, Codable {
    case initialization = 1
    case partition = 2
    case selection = 3
    case localShuffle = 4
    case dropout = 5
    case privacyNoise = 6
    case bidding = 7
    case attack = 8
    case dataSubset = 9
    /// Whether a client of a device tier is online in a round.
    case availability = 10
}

/// Derives the seed of every random stream from (run seed, round, client, purpose).
///
/// The mixing is SplitMix64's finalizer applied to each component in turn, so nearby inputs
/// (round 3 vs round 4, client 7 vs client 8) give unrelated streams. `client: -1` stands for
/// "no particular client" (e.g. the server's selection draw), `round: -1` for "before any round".
public enum SeedDerivation {
    public static func seed(run: UInt64, round: Int, client: Int, purpose: SeedPurpose) -> UInt64 {
        var h = SplitMix64.mix(run ^ 0x6A09_E667_F3BC_C908)
        h = SplitMix64.mix(h ^ UInt64(bitPattern: Int64(round)) &+ 0x9E37_79B9_7F4A_7C15)
        h = SplitMix64.mix(h ^ UInt64(bitPattern: Int64(client)) &+ 0xBB67_AE85_84CA_A73B)
        h = SplitMix64.mix(h ^ purpose.rawValue &+ 0x3C6E_F372_FE94_F82B)
        return h
    }

    /// A generator for the derived seed.
    public static func generator(run: UInt64, round: Int, client: Int, purpose: SeedPurpose) -> SplitMix64 {
        SplitMix64(seed: seed(run: run, round: round, client: client, purpose: purpose))
    }
}
