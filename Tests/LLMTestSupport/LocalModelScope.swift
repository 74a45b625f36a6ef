import Foundation
import LLMClient
import Testing

/// Gives a suite the real model (`@Suite(.localModel)`). Every such suite in the test process
/// shares one server, and the suites hold it one at a time: the server has one slot, so a suite
/// running beside another would wait behind the other's requests, and a test that times its
/// calls (or gives them a deadline) would measure the queue. Two llama-servers on 2 cores would
/// slow each other's answers past their timeouts. The server stops after the last suite.
public struct LocalModelScope: SuiteTrait, TestScoping {
    @TaskLocal public static var server: LocalModelServer?

    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await SharedLocalModel.shared.acquire()
        do {
            try await Self.$server.withValue(server) { try await function() }
        } catch {
            await SharedLocalModel.shared.release()
            throw error
        }
        await SharedLocalModel.shared.release()
    }

    /// The running server inside a `.localModel` suite.
    public static func current() throws -> LocalModelServer {
        try #require(server, "the suite needs the .localModel trait")
    }
}

/// The one local model server of the test process, held by one suite at a time.
actor SharedLocalModel {
    static let shared = SharedLocalModel()

    private var server: LocalModelServer?
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async throws -> LocalModelServer {
        if held {
            // Woken by `release`, which hands the model over without letting it go.
            await withCheckedContinuation { waiting.append($0) }
        }
        held = true
        if let server { return server }
        do {
            let started = try await LocalModelServer.start()
            server = started
            return started
        } catch {
            await release()
            throw error
        }
    }

    func release() async {
        if !waiting.isEmpty {
            waiting.removeFirst().resume()
            return
        }
        held = false
        guard let running = server else { return }
        server = nil
        await running.stop()
    }
}

extension Trait where Self == LocalModelScope {
    public static var localModel: Self { LocalModelScope() }
}
