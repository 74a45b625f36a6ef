import CCurl
import Foundation
import Synchronization

/// What came back from one HTTP exchange.
struct HTTPResponse: Sendable {
    var status: Int
    var body: Data
    var latency: Duration
}

/// One HTTP request, as libcurl will send it.
struct HTTPRequest: Sendable {
    enum Method: Sendable { case get, post(body: Data) }
    var url: URL
    var method: Method
    var headers: [(name: String, value: String)]
    var connectTimeout: Duration
    var totalTimeout: Duration
    var maximumResponseBytes: Int
}

/// Runs HTTP requests with libcurl's blocking easy interface, each on its own OS thread so the
/// cooperative pool never waits on the network. A cancelled task aborts its transfer from curl's
/// progress callback, which libcurl calls at least once a second while a transfer waits.
enum CurlTransfer {
    /// `curl_global_init` is not thread-safe and must run once per process before any handle is made;
    /// a static `let` is initialised exactly once, under a lock, on first use.
    private static let globalInitialisation: CURLcode = agentfl_curl_global_init_default()

    static func perform(_ request: HTTPRequest) async throws(ChatCompletionError) -> HTTPResponse {
        let url = request.url.redactedForDisplay
        let flag = CancellationFlag()
        let result: Result<HTTPResponse, ChatCompletionError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: .failure(ChatCompletionError(.cancelled, url: url, detail: "cancelled before sending")))
                    return
                }
                let thread = Thread {
                    continuation.resume(returning: Result { () throws(ChatCompletionError) in try performBlocking(request, cancellation: flag) })
                }
                thread.name = "agentfl-llm-http"
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
        return try result.get()
    }

    /// The blocking part; runs on a dedicated thread.
    private static func performBlocking(_ request: HTTPRequest, cancellation: CancellationFlag) throws(ChatCompletionError) -> HTTPResponse {
        let url = request.url.redactedForDisplay
        guard globalInitialisation == CURLE_OK else {
            throw ChatCompletionError(.transport(curlCode: Int(globalInitialisation.rawValue)), url: url, detail: "curl_global_init failed")
        }
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw ChatCompletionError(.invalidRequest, url: url, detail: "only http and https URLs are supported")
        }
        // Everything the handle points at (error buffer, sink, header list) is made before it and
        // released after `curl_easy_cleanup`: defers run in reverse order.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let sink = ResponseSink(limit: request.maximumResponseBytes, cancellation: cancellation)
        let sinkPointer = Unmanaged.passRetained(sink).toOpaque()
        defer { Unmanaged<ResponseSink>.fromOpaque(sinkPointer).release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        guard let handle = curl_easy_init() else {
            throw ChatCompletionError(.transport(curlCode: -1), url: url, detail: "curl_easy_init returned NULL")
        }
        defer { curl_easy_cleanup(handle) }

        for header in request.headers {
            let line = "\(header.name): \(header.value)"
            guard !line.contains(where: { $0 == "\r" || $0 == "\n" }), !header.name.isEmpty else {
                throw ChatCompletionError(.invalidRequest, url: url, detail: "header \(header.name.debugDescription) has an empty name or a line break")
            }
            headerList = curl_slist_append(headerList, line)
        }

        var setupCode = CURLE_OK
        func set(_ code: CURLcode) { if setupCode == CURLE_OK { setupCode = code } }
        set(agentfl_curl_setopt_pointer(handle, CURLOPT_URL, request.url.absoluteString))
        set(agentfl_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // no SIGALRM for timeouts: threads
        set(agentfl_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds))
        set(agentfl_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.totalTimeout.curlMilliseconds))
        set(agentfl_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList))
        set(agentfl_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(agentfl_curl_setopt_write_callback(handle, writeCallback))
        set(agentfl_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
        set(agentfl_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        set(agentfl_curl_setopt_xferinfo_callback(handle, progressCallback))
        set(agentfl_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, sinkPointer))
        switch request.method {
        case .get:
            set(agentfl_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case .post(let body):
            set(agentfl_curl_setopt_long(handle, CURLOPT_POST, 1))
            set(agentfl_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies `POSTFIELDSIZE` bytes, so the Data need not outlive this call.
                set(agentfl_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)))
            }
        }
        guard setupCode == CURLE_OK else {
            throw ChatCompletionError(.transport(curlCode: Int(setupCode.rawValue)), url: url, detail: "curl_easy_setopt: \(String(cString: curl_easy_strerror(setupCode)))")
        }

        let clock = ContinuousClock()
        let start = clock.now
        let code = curl_easy_perform(handle)
        let latency = clock.now - start

        guard code == CURLE_OK else {
            let message = String(cString: errorBuffer).isEmpty ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
            var connectTime: curl_off_t = 0
            _ = agentfl_curl_getinfo_off(handle, CURLINFO_CONNECT_TIME_T, &connectTime)
            var osError = 0
            _ = agentfl_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osError)
            throw error(for: code, message: message, connected: connectTime > 0, osError: Int32(osError), sink: sink, url: url, latency: latency)
        }
        var status = 0
        _ = agentfl_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, body: sink.data, latency: latency)
    }

    private static func error(
        for code: CURLcode, message: String, connected: Bool, osError: Int32, sink: ResponseSink, url: String, latency: Duration
    ) -> ChatCompletionError {
        let detail = "\(message)" + (osError != 0 ? " (\(String(cString: strerror(osError))))" : "") + ", after \(latency.formattedMilliseconds)"
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where sink.cancellation.isCancelled:
            return ChatCompletionError(.cancelled, url: url, detail: "task cancelled; transfer aborted after \(latency.formattedMilliseconds)", latency: latency)
        case CURLE_WRITE_ERROR where sink.overflowed:
            return ChatCompletionError(.responseTooLarge, url: url, detail: "answer exceeds \(sink.limit) bytes", latency: latency)
        case CURLE_OPERATION_TIMEDOUT:
            return ChatCompletionError(connected ? .timeout : .connectTimeout, url: url, detail: detail, latency: latency)
        case CURLE_COULDNT_CONNECT:
            return ChatCompletionError(osError == ECONNREFUSED ? .connectionRefused : .unreachable, url: url, detail: detail, latency: latency)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_GOT_NOTHING:
            return ChatCompletionError(.unreachable, url: url, detail: detail, latency: latency)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return ChatCompletionError(.invalidRequest, url: url, detail: detail, latency: latency)
        default:
            return ChatCompletionError(.transport(curlCode: Int(code.rawValue)), url: url, detail: detail, latency: latency)
        }
    }
}

/// Set from the cancellation handler (any thread), read by curl's progress callback (the transfer's thread).
final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)
    func cancel() { state.store(true, ordering: .releasing) }
    var isCancelled: Bool { state.load(ordering: .acquiring) }
}

/// Collects the body on the transfer's thread; only that thread touches `data`.
private final class ResponseSink {
    var data = Data()
    let limit: Int
    var overflowed = false
    let cancellation: CancellationFlag

    init(limit: Int, cancellation: CancellationFlag) {
        self.limit = limit
        self.cancellation = cancellation
    }
}

/// Appends a chunk; returning less than was offered makes libcurl stop with CURLE_WRITE_ERROR.
private let writeCallback: agentfl_curl_write_callback = { data, size, count, user in
    guard let user else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard sink.data.count + length <= sink.limit else {
        sink.overflowed = true
        return 0
    }
    if let data, length > 0 { sink.data.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
    return length
}

/// A non-zero return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
private let progressCallback: agentfl_curl_xferinfo_callback = { user, _, _, _, _ in
    guard let user else { return 0 }
    return Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
}

extension Duration {
    /// Milliseconds for a curl timeout; at least 1, because 0 means "no timeout" to libcurl.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    var formattedMilliseconds: String {
        let (seconds, attoseconds) = components
        return "\(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)) ms"
    }
}
