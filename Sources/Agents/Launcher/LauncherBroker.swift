import Foundation
import KafkaTransport
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The broker of one `agentfl run`: the embedded Tansu process the launcher starts and watches,
/// or the addresses of an existing cluster.
///
/// The embedded broker is started through `agentfl launcher-exec TANSU ARGS…`, a child that arms
/// its parent-death signal (see ``ParentDeath``) and then becomes Tansu with `execve`, so Tansu,
/// a foreign binary that cannot call `prctl` itself, still dies with the launcher. It is not
/// restarted when it ends: it keeps every topic in memory, so a new one would be an empty broker
/// on another run's port. Its output goes to `logs/broker.log`.
///
/// (`KafkaTransport.EmbeddedBroker` starts Tansu directly and from whatever thread calls it, so
/// its child cannot be tied to the launcher's life; it would need an `environment` and a
/// `launcher` (argv prefix) parameter, and to be started from ``SpawnThread``, to replace this.)
public struct LauncherBroker: Sendable {
    public let addresses: [String]
    /// The embedded broker's process; nil for an external cluster.
    public let process: ChildProcess?
    /// librdkafka properties the probe needs to reach a secured cluster (TLS, SASL).
    public var clientProperties: [String: String] = [:]

    public var description: String { process == nil ? addresses.joined(separator: ",") : "embedded broker at \(addresses[0])" }

    /// An existing cluster.
    public static func external(_ addresses: [String], clientProperties: [String: String] = [:]) -> LauncherBroker {
        LauncherBroker(addresses: addresses, process: nil, clientProperties: clientProperties)
    }

    /// Starts Tansu on a free loopback port through `executable launcher-exec` and waits until it
    /// answers a metadata request (or ends, or `readiness` passes).
    public static func startEmbedded(
        executable: URL, logFile: URL, readiness: Duration = .seconds(15), logger: Logger
    ) async throws(SupervisionError) -> LauncherBroker {
        guard LibrdkafkaVersion.speaksToEmbeddedBroker else {
            throw .brokerNotStarted(reason: "the loaded librdkafka \(LibrdkafkaVersion.string) is too old for Tansu; run scripts/bootstrap.sh")
        }
        let tansu: URL
        let port: Int
        let child: ChildProcess
        do {
            tansu = try TansuLocator.locate(from: executable)
            port = try FreePort.find()
            child = try ChildProcess(
                name: "broker", executable: executable,
                arguments: [LauncherExec.subcommand, tansu.path, "broker",
                            "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"],
                logFile: logFile)
        } catch let error as SupervisionError {
            throw error
        } catch {
            throw .brokerNotStarted(reason: "\(error)")
        }
        let address = "127.0.0.1:\(port)"
        let ready = await withTaskGroup(of: Result<Void, SupervisionError>?.self) { group in
            group.addTask {
                do {
                    try await KafkaAdmin(bootstrapServers: [address], logger: logger).waitUntilReachable(timeout: readiness)
                    return .success(())
                } catch {
                    return .failure(.brokerNotStarted(reason: "\(address) did not answer within \(Int(readiness.inSeconds)) s: \(error)"))
                }
            }
            group.addTask {
                guard let termination = await child.waitForTerminationOrCancellation() else { return nil }
                return .failure(.brokerExited(address: address, termination: termination, logFile: logFile.path))
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(.brokerNotStarted(reason: "cancelled"))
        }
        if case let .failure(error) = ready {
            await child.stop(grace: .seconds(1))
            throw error
        }
        return LauncherBroker(addresses: [address], process: child)
    }

    /// SIGTERM, SIGKILL after 1 s (Tansu drains connections slowly and keeps nothing on disk).
    public func stop() async {
        await process?.stop(grace: .seconds(1))
    }

    /// Whether the broker answers a metadata request within `timeout`.
    public func answers(within timeout: Duration, logger: Logger) async -> Bool {
        if let process, !process.isRunning { return false }
        do {
            try await KafkaAdmin(bootstrapServers: addresses, additionalProperties: clientProperties, logger: logger)
                .waitUntilReachable(timeout: timeout)
            return true
        } catch {
            return false
        }
    }
}

/// `agentfl launcher-exec PROGRAM ARGS…`: the launcher's way to start a foreign binary that dies
/// with it. The `agentfl` entry point arms the parent-death signal first (``ParentDeath``), then
/// ``run(_:)`` replaces the process with PROGRAM.
public enum LauncherExec {
    public static let subcommand = "launcher-exec"

    /// `arguments` = [PROGRAM, ARGS…]. Returns only if `execv` failed, with a reason.
    public static func run(_ arguments: [String]) -> String {
        guard let program = arguments.first else { return "launcher-exec needs a program to run" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(program, argv)
        return "could not execute \(program): \(String(cString: strerror(errno)))"
    }
}
