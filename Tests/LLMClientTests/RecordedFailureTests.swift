import Foundation
import LLMClient
import Testing

/// A decision record keeps a failed call as its error's text; a replay reads it back into the
/// same error, so the brain takes the same guardrail path.
@Suite struct RecordedFailureTests {
    static let kinds: [ChatCompletionError.Kind] = [
        .connectionRefused, .unreachable, .connectTimeout, .timeout, .httpStatus(code: 500, message: "slot (0) busy"),
        .httpStatus(code: 404, message: nil), .httpStatus(code: 429, message: "rate: limited"), .malformedResponse,
        .missingChoices, .responseTooLarge, .cancelled, .invalidRequest, .transport(curlCode: 56),
    ]

    @Test(arguments: kinds)
    func everyKindReadsBackFromItsDescription(kind: ChatCompletionError.Kind) throws {
        // Details as the client writes them: an HTTP status's is the body it quotes.
        let detail = if case .httpStatus = kind { #"body: {"error": "(busy)"}"# } else { "Connection refused (after 0 ms) (twice)" }
        let error = ChatCompletionError(kind, url: "http://127.0.0.1:8080/v1/chat/completions", detail: detail, latency: .milliseconds(12))
        let read = try #require(ChatCompletionError.reading(error.description, latency: .milliseconds(12)), "\(error.description)")
        #expect(read == error)
        #expect(read.description == error.description)
    }

    @Test func otherTextIsNotAnError() {
        #expect(ChatCompletionError.reading("timeout") == nil)
        #expect(ChatCompletionError.reading("chat completion at x failed: exploded (boom)") == nil)
    }

    @Test func aRecordedAnswerDecodesAsWhenItCame() throws {
        let body = #"{"choices":[{"message":{"role":"assistant","content":"{\"k\":3}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#
        let answer = try ChatCompletion.decoding(rawBody: body, latency: .seconds(1), url: "u")
        #expect(answer.content == #"{"k":3}"#)
        #expect(answer.usage?.promptTokens == 9)
        #expect(answer.rawBody == body)
        #expect(throws: ChatCompletionError.self) { try ChatCompletion.decoding(rawBody: "{", latency: .zero, url: "u") }
    }
}
