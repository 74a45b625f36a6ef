import KafkaTransport
import Testing

@Test func loadsLibrdkafkaThatSpeaksToTheEmbeddedBroker() {
    #expect(LibrdkafkaVersion.speaksToEmbeddedBroker, "loaded librdkafka \(LibrdkafkaVersion.string); run scripts/bootstrap.sh")
}
