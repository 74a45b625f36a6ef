import Foundation
import WireProtocol

/// The topics folder a command uses: the one given, else the catalog's own search
/// (`$AGENTFL_TOPICS`, then `topics/` upward from here and from the executable).
public enum TopicsLocation {
    public static func resolve(_ given: String?) throws -> URL {
        if let given { return URL(fileURLWithPath: given) }
        return try TopicCatalog.locate()
    }
}
