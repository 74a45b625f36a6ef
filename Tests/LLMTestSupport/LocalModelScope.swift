import Foundation
import LLMClient
import Testing

/// Gives a suite the real model (`@Suite(.localModel)`). Every such suite in the test process
/// shares one server, started for the first and stopped after the last: the suites run side by
/// side, and two llama-servers on 2 cores would slow each other's answers past their timeouts.
/// The server has one slot, so the suites' requests take turns.
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

/// The one local model server of the test process, counted by the suites that use it.
actor SharedLocalModel {
    static let shared = SharedLocalModel()

    private var server: LocalModelServer?
    private var starting: Task<LocalModelServer, any Error>?
    private var users = 0

    func acquire() async throws -> LocalModelServer {
        users += 1
        if let server { return server }
        let start = starting ?? Task { try await LocalModelServer.start() }
        starting = start
        do {
            let started = try await start.value
            server = started
            return started
        } catch {
            users -= 1
            starting = nil
            throw error
        }
    }

    func release() async {
        users -= 1
        guard users == 0, let running = server else { return }
        server = nil
        starting = nil
        await running.stop()
    }
}

extension Trait where Self == LocalModelScope {
    public static var localModel: Self { LocalModelScope() }
}
