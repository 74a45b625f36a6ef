import Foundation
import LLMClient
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 for the client's failure paths: each connection reads one
/// request and answers as `script` says (a status and body, late, or never). It stands in for a
/// broken or slow server, never for a model's choices.
public final class ScriptedHTTPServer: Sendable {
    public enum Reply: Sendable {
        /// Answer with this status and body after `delay`.
        case respond(status: Int, body: String, delay: Duration = .zero)
        /// Read the request and never answer (until the client gives up or the server stops).
        case hang
    }

    public struct RecordedRequest: Sendable {
        public var requestLine: String
        public var headers: [(name: String, value: String)]
        public var body: Data

        public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    public let port: Int
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let listener: Int32
    private let script: @Sendable (RecordedRequest) -> Reply
    private let stopped = Atomic<Bool>(false)
    private let recorded = Mutex<[RecordedRequest]>([])
    private let closings = Mutex<[ContinuousClock.Instant]>([])
    private let liveThreads = Atomic<Int>(0)

    public init(_ script: @escaping @Sendable (RecordedRequest) -> Reply) throws {
        self.script = script
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw ServerError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        spawn { [self] in acceptLoop() }
    }

    /// A server answering every request with the same reply.
    public convenience init(always reply: Reply) throws { try self.init { _ in reply } }

    public var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// When a client closed a connection the server was still holding (a hanging or delayed
    /// reply), seen from the server's own thread: an aborted transfer shows here, whatever the
    /// client's task scheduling does afterwards.
    public var peerClosings: [ContinuousClock.Instant] { closings.withLock { $0 } }

    /// Stops accepting, ends hanging connections, and waits until every server thread has finished.
    public func stop() async {
        stopped.store(true, ordering: .releasing)
        while liveThreads.load(ordering: .acquiring) > 0 { try? await Task.sleep(for: .milliseconds(10)) }
        close(listener)
    }

    private var isStopped: Bool { stopped.load(ordering: .acquiring) }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        liveThreads.add(1, ordering: .acquiringAndReleasing)
        let thread = Thread { [self] in
            body()
            liveThreads.subtract(1, ordering: .acquiringAndReleasing)
        }
        thread.start()
    }

    private func acceptLoop() {
        while !isStopped {
            guard wait(for: listener, events: Int16(POLLIN), milliseconds: 50) else { continue }
            let connection = accept(listener, nil, nil)
            if connection >= 0 { spawn { [self] in serve(connection) } }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        recorded.withLock { $0.append(request) }
        switch script(request) {
        case .hang:
            waitUntilPeerClosesOrStop(connection, deadline: ContinuousClock.now + .seconds(3600))
        case .respond(let status, let body, let delay):
            if delay > .zero {
                let deadline = ContinuousClock.now + delay
                if waitUntilPeerClosesOrStop(connection, deadline: deadline) { return }
            }
            let bytes = Array(body.utf8)
            let head = "HTTP/1.1 \(status) \(reason(status))\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
            writeAll(connection, Array(head.utf8) + bytes)
        }
    }

    /// Waits until the deadline; true if the peer closed or the server stopped first.
    @discardableResult
    private func waitUntilPeerClosesOrStop(_ connection: Int32, deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline {
            if isStopped { return true }
            if wait(for: connection, events: Int16(POLLIN), milliseconds: 20) {
                var byte: UInt8 = 0
                if recv(connection, &byte, 1, Int32(MSG_PEEK)) <= 0 {
                    let now = ContinuousClock.now
                    closings.withLock { $0.append(now) }
                    return true
                }
            }
        }
        return false
    }

    private func readRequest(_ connection: Int32) -> RecordedRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var contentLength = 0
        while !isStopped {
            if let end = headerEnd, buffer.count >= end + contentLength { break }
            guard wait(for: connection, events: Int16(POLLIN), milliseconds: 50) else { continue }
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
            if headerEnd == nil, let range = buffer.firstRange(of: separator) {
                headerEnd = range.upperBound
                let head = String(decoding: buffer[0..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        guard let headerEnd else { return nil }
        let lines = String(decoding: buffer[0..<(headerEnd - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return RecordedRequest(requestLine: lines.first ?? "", headers: headers, body: Data(buffer[headerEnd..<(headerEnd + contentLength)]))
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    private func wait(for descriptor: Int32, events: Int16, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    private func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A loopback port nothing listens on (bound, read, released).
public func unusedLoopbackPort() throws -> Int {
    try LocalModelServer.freeLoopbackPort()
}

/// A loopback listener that never accepts, with its accept queue filled by parked connections, so
/// the kernel drops further SYNs and a new connect hangs: a connect timeout without a remote host.
public final class FullBacklogListener {
    public let port: Int
    private let listener: Int32
    private var parked: [Int32] = []

    public init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let fd = listener
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 0) == 0 else { throw ServerError("bind/listen: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the queue: with backlog 0 Linux queues one completed connection; park a few to be sure.
        for _ in 0..<4 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            parked.append(client)
        }
        usleep(100_000)
    }

    deinit {
        parked.forEach { close($0) }
        close(listener)
    }
}
