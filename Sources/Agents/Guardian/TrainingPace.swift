/// How long a client's training takes in the field: its device's time for the work (nil: as
/// long as it took here) and the delayed-client scenario's factor.
struct TrainingPace: Sendable, Hashable {
    var deviceSeconds: Double?
    var slowdown: Double = 1

    func reportedSeconds(actual: Double) -> Double {
        max(actual, deviceSeconds ?? 0) * slowdown
    }
}
