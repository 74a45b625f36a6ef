import Foundation

/// librdkafka client properties from a file (`--kafka-config FILE`): what a cluster needs that
/// AgenticFL does not decide, such as `security.protocol`, `ssl.*` and `sasl.*`.
///
/// The format is the one librdkafka's and Kafka's Java tools read: one `key=value` per line
/// (`key: value` also works), `#` or `!` starting a comment line, blank lines ignored, whitespace
/// around keys and values trimmed. No escapes and no line continuation: a value is the rest of
/// the line. A key given twice is an error (which one wins would be a silent guess).
///
/// Keys that would break the project's guarantees are refused (`refusedKeys`): the transport
/// sets them itself and the roles rely on their values. Every other key is handed to librdkafka,
/// which rejects unknown names and bad values with an error naming them.
///
/// Apply the result with `additionalProperties` on `KafkaProducerConfiguration`,
/// `KafkaConsumerConfiguration` and `KafkaAdmin` (applied last). librdkafka warns about
/// consumer-only keys given to a producer and the reverse, but accepts them, so one file serves
/// every client of a role.
public struct KafkaClientProperties: Sendable, Hashable {
    /// The properties, in file order.
    public private(set) var entries: [(key: String, value: String)]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    /// The keys a properties file may not set, each with why.
    public static let refusedKeys: [String: String] = [
        "bootstrap.servers": "the brokers come from --brokers, so that every client of a run talks to the same cluster",
        "metadata.broker.list": "the brokers come from --brokers, so that every client of a run talks to the same cluster",
        "group.id": "each role derives its consumer groups from the run id; a shared group would split records between roles",
        "group.instance.id": "one static member id shared by the clients of a role would fence them off one another",
        "enable.auto.commit": "only offsets stored after a record was handled are committed (at-least-once); the consumer sets it from its group",
        "enable.auto.offset.store": "offsets are stored only after a record was handled (at-least-once); storing on receipt loses records on a crash",
        "auto.commit.interval.ms": "the commit interval bounds what a crash redelivers; it is the consumer configuration's commitIntervalMilliseconds",
        "auto.offset.reset": "where a role starts without a committed offset is part of the protocol (it must read the whole run)",
        "enable.partition.eof": "the consumer's polling loop relies on it being off",
        "enable.idempotence": "producers are idempotent so that a retried send is never stored twice or out of order",
        "acks": "records are acknowledged by all in-sync replicas (idempotence needs acks=all)",
        "request.required.acks": "records are acknowledged by all in-sync replicas (idempotence needs acks=all)",
        "retries": "a failed send is retried until delivery.timeout.ms; no retries would lose records",
        "message.send.max.retries": "a failed send is retried until delivery.timeout.ms; no retries would lose records",
        "max.in.flight.requests.per.connection": "idempotent, ordered delivery bounds in-flight requests itself",
        "max.in.flight": "idempotent, ordered delivery bounds in-flight requests itself",
        "transactional.id": "the roles do not use transactions; offsets of transactional topics have holes the gap check would report",
        "isolation.level": "the roles read non-transactional topics; read_committed would only hide records",
        "enable.gapless.guarantee": "only meaningful without idempotence, which the producers always use",
    ]

    public init(entries: [(key: String, value: String)] = []) {
        self.entries = entries
    }

    /// Reads and parses `url`; errors name the file and, for a bad line, its number.
    public static func load(from url: URL) throws(KafkaError) -> KafkaClientProperties {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .clientProperties(file: url.path, line: nil, reason: "cannot read it: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .clientProperties(file: url.path, line: nil, reason: "not UTF-8 text")
        }
        return try parse(text, file: url.path)
    }

    /// Parses the text of a properties file; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(KafkaError) -> KafkaClientProperties {
        var entries: [(key: String, value: String)] = []
        var lineOfKey: [String: Int] = [:]
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw .clientProperties(file: file, line: number, reason: "expected key=value, found '\(line)'")
            }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                throw .clientProperties(file: file, line: number, reason: "a property without a key ('\(line)')")
            }
            guard !key.contains(where: \.isWhitespace) else {
                throw .clientProperties(file: file, line: number, reason: "the key '\(key)' contains whitespace")
            }
            if let reason = refusedKeys[key.lowercased()] {
                throw .clientProperties(file: file, line: number, reason: "'\(key)' may not be set here: \(reason)")
            }
            if let earlier = lineOfKey[key] {
                throw .clientProperties(file: file, line: number, reason: "'\(key)' is already set on line \(earlier)")
            }
            lineOfKey[key] = number
            entries.append((key, value))
        }
        return KafkaClientProperties(entries: entries)
    }

    /// The properties as `additionalProperties` take them.
    public var dictionary: [String: String] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`, if set.
    public subscript(key: String) -> String? {
        entries.last { $0.key == key }?.value
    }
}
