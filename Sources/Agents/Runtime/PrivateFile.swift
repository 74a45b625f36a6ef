import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files only their owner may read: private signing keys and DP noise seeds.
public enum PrivateFile {
    /// Writes `bytes` so that no other user can read them at any moment: they go to a fresh
    /// temporary file created with mode 0600 (never wider, whatever the umask), which is then
    /// renamed over `url`. Writing a file and chmod-ing it afterwards would leave it readable in
    /// between. `what` names the file in errors.
    public static func write(_ bytes: [UInt8], to url: URL, what: String) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AgentError.invalidFile(temporary.path, reason: "cannot create the \(what): \(String(cString: strerror(errno)))")
        }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += result
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        guard failure == 0, rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(failure != 0 ? failure : errno))
            unlink(temporary.path)
            throw AgentError.invalidFile(url.path, reason: "cannot write the \(what): \(reason)")
        }
    }
}
