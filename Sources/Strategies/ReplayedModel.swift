import Foundation
import LLMClient
import Synchronization
import WireProtocol

/// A model that answers with what a decision record says the model answered, call by call: a
/// replay feeds each recorded answer (or failure) back through the brain's own guardrails instead
/// of calling the model again, and notes every place where the brain asked something other than
/// what was recorded.
public final class ReplayedModel: ChatCompleting, Sendable {
    private struct State {
        var calls: [ExternalCall] = []
        var next = 0
        var mismatches: [String] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Takes one decision's recorded calls, in the order they were made (forgetting the last).
    public func load(_ calls: [ExternalCall]) {
        state.withLock { $0 = State(calls: calls) }
    }

    /// Where the replayed decision's calls differ from the recorded ones since the last ``load(_:)``:
    /// a call beyond the recorded ones, a prompt other than the recorded one, a recorded answer or
    /// failure that cannot be read back, recorded calls the replay never made.
    public var mismatches: [String] {
        state.withLock { state in
            state.mismatches + (state.next < state.calls.count
                ? ["\(state.calls.count - state.next) recorded call(s) from call \(state.next + 1) on were not made again"] : [])
        }
    }

    public func complete(_ request: ChatCompletionRequest) async throws(ChatCompletionError) -> ChatCompletion {
        let prompt = LLMCall.text(of: request.messages)
        let (number, recorded) = state.withLock { state -> (Int, ExternalCall?) in
            defer { state.next += 1 }
            guard state.next < state.calls.count else {
                state.mismatches.append("call \(state.next + 1) was made, \(state.calls.count) were recorded")
                return (state.next + 1, nil)
            }
            let call = state.calls[state.next]
            if call.request != prompt {
                state.mismatches.append("call \(state.next + 1) (\(call.purpose)): the prompt differs from the recorded one")
            }
            return (state.next + 1, call)
        }
        guard let recorded else {
            throw ChatCompletionError(.invalidRequest, url: "replay", detail: "no recorded answer for call \(number)")
        }
        let latency = Duration.seconds(recorded.latencySeconds)
        if let raw = recorded.rawAnswer {
            return try ChatCompletion.decoding(rawBody: raw, latency: latency, url: recorded.url)
        }
        if let failure = recorded.failure, let error = ChatCompletionError.reading(failure, latency: latency) {
            throw error
        }
        state.withLock { $0.mismatches.append("call \(number): its recorded failure cannot be read back: \(recorded.failure ?? "none")") }
        throw ChatCompletionError(.invalidRequest, url: recorded.url, detail: "the recorded failure cannot be read back")
    }
}
