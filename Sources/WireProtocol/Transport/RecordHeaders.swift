/// Kafka record headers the publisher adds for tools that do not parse frames. Receivers rely on
/// the frames themselves, never on these.
enum RecordHeaders {
    static let type = "agentfl-type"
    static let id = "agentfl-id"
    static let sender = "agentfl-sender"
    static let chunk = "agentfl-chunk"
}
