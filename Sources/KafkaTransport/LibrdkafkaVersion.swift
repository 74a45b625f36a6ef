import CRdKafka

/// The librdkafka library this process loaded at run time (not the headers it was built with).
public enum LibrdkafkaVersion {
    /// Human-readable version, e.g. "2.16.1".
    public static var string: String { String(cString: rd_kafka_version_str()) }

    /// Hex-encoded version as librdkafka reports it: 0xMMmmrrxx.
    public static var number: Int32 { rd_kafka_version() }

    /// librdkafka before 2.1 cannot parse the ApiVersions reply of the embedded Tansu broker.
    public static var speaksToEmbeddedBroker: Bool { number >= 0x0201_0000 }
}
