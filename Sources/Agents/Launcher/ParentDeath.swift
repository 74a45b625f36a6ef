import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Children of `agentfl run` die with it, also when it is killed with SIGKILL and cannot clean up.
///
/// The launcher starts every child (each role, and the broker through `agentfl launcher-exec`)
/// with ``environmentKey`` naming its own pid. The child's entry point calls
/// ``armFromEnvironment()`` before anything else: it asks the kernel for SIGKILL when its parent
/// dies (`prctl(PR_SET_PDEATHSIG)`, Linux only; it survives `execve`, so it also covers the
/// broker binary that `launcher-exec` becomes), then compares `getppid()` with the named pid and
/// exits at once if they differ: the launcher died before the request took effect, which closes
/// the race between spawn and `prctl`. The variable is removed, so whatever the child starts in
/// turn does not inherit a parent that is not its own.
///
/// SIGKILL rather than SIGTERM: with the launcher gone nobody would restart or wait for a role,
/// every role resumes from its state after a kill anyway, and a draining role could hang on a
/// broker that died at the same moment.
public enum ParentDeath {
    public static let environmentKey = "AGENTFL_PARENT_PID"

    /// Exit status of a child whose parent was already gone when it started.
    public static let orphanExitStatus: Int32 = 70

    /// The environment for a child that must die with this process.
    public static func childEnvironment(_ base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = base
        environment[environmentKey] = String(getpid())
        return environment
    }

    /// Arms the parent-death signal if the environment names the expected parent; exits with
    /// ``orphanExitStatus`` if that parent is already gone. Call first thing in `main`, while the
    /// process has one thread (it changes the environment).
    public static func armFromEnvironment() {
        guard let value = getenv(environmentKey), let expected = Int32(String(cString: value)) else { return }
        unsetenv(environmentKey)
        #if os(Linux)
        if let prctl = Self.prctl {
            _ = prctl(1 /* PR_SET_PDEATHSIG */, CUnsignedLong(SIGKILL), 0, 0, 0)
        }
        #endif
        if getppid() != expected {
            FileHandle.standardError.write(Data("agentfl: parent process \(expected) is gone; exiting\n".utf8))
            exit(orphanExitStatus)
        }
    }

    #if os(Linux)
    /// `prctl` is variadic in C, which Swift cannot call; on the Linux ABIs (x86-64, AArch64) a call
    /// through a pointer typed with its five integer arguments is the same call.
    private typealias Prctl = @convention(c) (CInt, CUnsignedLong, CUnsignedLong, CUnsignedLong, CUnsignedLong) -> CInt
    private static var prctl: Prctl? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return nil }
        return unsafeBitCast(symbol, to: Prctl.self)
    }
    #endif
}
