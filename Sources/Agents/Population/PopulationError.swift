/// What is wrong with a population file, naming the file.
public struct PopulationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public var description: String { "population file \(path): \(problem)" }
}
