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
}
