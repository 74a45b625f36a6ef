import Foundation
import Testing
import WireProtocol
@testable import Audit

@Suite struct CanonicalJSONTests {
    @Test func keysAreSortedAndThereIsNoWhitespace() throws {
        let value: JSONValue = ["b": 1, "a": [true, nil, "x"], "ä": 0.5, "B": ["z": 1, "y": 2]]
        #expect(try CanonicalJSON.string(value) == #"{"B":{"y":2,"z":1},"a":[true,null,"x"],"b":1,"ä":0.5}"#)
    }

    @Test func numbersHaveOneSpelling() throws {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (3, "3"), (-12, "-12"), (0.1, "0.1"), (1.5e-7, "1.5e-07"),
            (1e20, "1e+20"), (9_007_199_254_740_992, "9007199254740992"), (-9.2e18, "-9200000000000000000"), (123_456.789, "123456.789"),
        ]
        for (number, spelling) in cases {
            #expect(try CanonicalJSON.string(.number(number)) == spelling)
        }
    }

    @Test func stringsEscapeOnlyWhatJSONRequires() throws {
        let text = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é 🐝"
        #expect(try CanonicalJSON.string(.string(text))
            == #""quote \" backslash \\ slash / newline \n tab \t bell \u0007 é 🐝""#)
    }

    @Test func nonFiniteNumbersAreRefused() {
        #expect(throws: CanonicalJSONError.nonFiniteNumber(path: "$.x[1]")) {
            try CanonicalJSON.encode(["x": [1, .number(.nan)]])
        }
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.encode(.number(.infinity)) }
    }

    /// The verifier re-reads lines with `JSONDecoder`: that reading, encoded again, must give
    /// the same bytes, or intact logs would look modified.
    @Test func readingBackAndEncodingAgainIsStable() throws {
        let value: JSONValue = [
            "zero": 0, "one": 1, "flag": true, "off": false, "big": 1e300, "small": -2.5e-300,
            "int": 1_234_567_890_123, "huge": 1e19, "text": "line\nbreak \u{01}", "nested": [[], [:], [nil]],
        ]
        let first = try CanonicalJSON.encode(value)
        let reread = try JSONDecoder().decode(JSONValue.self, from: Data(first))
        #expect(try CanonicalJSON.encode(reread) == first)
        #expect(reread == value)
    }

    /// Seeds are UInt64, offsets and timestamps Int64: the log keeps them digit for digit.
    @Test func integersAreExact() throws {
        let text = #"{"max":18446744073709551615,"min":-9223372036854775808,"offset":9223372036854775807,"seed":9007199254740993}"#
        let parsed = try CanonicalJSON.parse(Array(text.utf8))
        #expect(try CanonicalJSON.string(parsed) == text)
        #expect(parsed == ["max": .unsigned(UInt64.max), "min": .integer(Int64.min), "offset": .integer(Int64.max), "seed": .integer(9_007_199_254_740_993)])
        // A double cannot hold 2^64 - 1 or 2^53 + 1: they are not equal to their nearest double.
        #expect(JSONValue.unsigned(UInt64.max) != .number(Double(UInt64.max)))
        #expect(JSONValue.integer(9_007_199_254_740_993) != .number(9_007_199_254_740_993))
        #expect(JSONValue.integer(3) == .number(3))
    }

    @Test func theExactParserRefusesWhatJSONRefuses() throws {
        for bad in ["{\"a\":1,\"a\":2}", "[1,]", "01", "NaN", "{\"a\":1} x", "\"\\x\"", "1e999"] {
            #expect(throws: ExactJSONParser.Failure.self, "\(bad)") { try ExactJSONParser.parse(bad) }
        }
        let escaped = try ExactJSONParser.parse(#""\u00e9\ud83d\udc1d""#)
        #expect(escaped == .string("é🐝"))
    }

    /// A seed of 2^64 - 1 survives log → parse → verify.
    @Test func aMaximalSeedSurvivesTheLog() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        try log.append(type: "audit-event", round: 1, sender: "server", timestamp: 1, payload: ["seed": .exact(UInt64.max)])
        log.close()
        _ = try AuditVerifier.verify(url)
        let entry = try #require(try AuditQuery().entries(in: url).first)
        guard case .object(let payload) = entry.payload, case .unsigned(let seed)? = payload["seed"] else {
            Issue.record("seed is not an exact unsigned integer: \(entry.payload)")
            return
        }
        #expect(seed == UInt64.max)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains(#""seed":18446744073709551615"#))
    }
}
