// swift-tools-version: 6.1
import PackageDescription

/// Binaries built here look for librdkafka in the project-local `.deps/lib` first (see
/// `scripts/bootstrap.sh`): Debian's librdkafka 2.0.2 cannot talk to the embedded Tansu broker,
/// the 2.16 library from the `confluent-kafka` wheel can. `$ORIGIN` is `.build/<triple>/<config>`.
let localLibrdkafka: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../../../.deps/lib"]),
]

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "AgenticFL",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agentfl", targets: ["agentfl"]),
        .executable(name: "agentfl-bench", targets: ["agentfl-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries, through pkg-config.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Kafka client over librdkafka, and the embedded broker.
        .target(
            name: "KafkaTransport",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            linkerSettings: localLibrdkafka
        ),
        // Envelope, message types, codecs, chunking, de-duplication, topic catalog, signatures.
        .target(
            name: "WireProtocol",
            dependencies: [
                "KafkaTransport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Tensors, datasets, partitioners, models, local training, aggregation, simulation.
        .target(
            name: "Learning",
            dependencies: ["COpenBLAS", "CZlib"],
            swiftSettings: strict + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        // Bids, budget-constrained reverse-auction clearing, payments ledger.
        .target(name: "Market", dependencies: ["WireProtocol"], swiftSettings: strict),
        // Hash-chained log, Merkle roots, verification.
        .target(
            name: "Audit",
            dependencies: ["WireProtocol", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Selection brains behind one stateful strategy seam: K-Agents, tool brains (random, Oort,
        // Power-of-Choice, coverage), LLM brains with guardrails.
        .target(
            name: "Strategies",
            dependencies: [
                "WireProtocol", "Learning", "LLMClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Differential privacy: the RDP accountant (pure; no other module).
        .target(name: "Privacy", swiftSettings: strict),
        // The four roles and the launcher.
        .target(
            name: "Agents",
            dependencies: [
                "KafkaTransport", "WireProtocol", "Learning", "Market", "Audit", "Strategies", "LLMClient", "Privacy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // OpenAI-compatible chat-completions client over libcurl (a leaf: no Agents, no Kafka).
        .target(
            name: "LLMClient",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agentfl",
            dependencies: [
                "Agents", "KafkaTransport", "WireProtocol", "Learning", "Market", "Audit", "Strategies",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agentfl-bench",
            dependencies: [
                "KafkaTransport", "WireProtocol", "Learning", "Agents", "Strategies", "LLMClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Tests. TestSupport starts the real embedded broker for the tests that need Kafka.
        .target(name: "TestSupport", dependencies: ["KafkaTransport"], path: "Tests/TestSupport"),
        .testTarget(
            name: "KafkaTransportTests",
            dependencies: ["KafkaTransport", "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "WireProtocolTests", dependencies: ["WireProtocol", "TestSupport"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning"]),
        .testTarget(name: "MarketTests", dependencies: ["Market", "WireProtocol", "Learning"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "WireProtocol", "Learning"]),
        // LLMTestSupport: the real local model for a suite, and a scripted endpoint for failure paths.
        .target(name: "LLMTestSupport", dependencies: ["LLMClient"], path: "Tests/LLMTestSupport"),
        .testTarget(name: "PrivacyTests", dependencies: ["Privacy"]),
        .testTarget(name: "LLMClientTests", dependencies: ["LLMClient", "LLMTestSupport"]),
        .testTarget(name: "StrategiesTests", dependencies: ["Strategies", "WireProtocol", "Learning", "LLMClient", "LLMTestSupport"]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "TestSupport", "Learning", "Privacy", "WireProtocol", "KafkaTransport", "Audit", .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
