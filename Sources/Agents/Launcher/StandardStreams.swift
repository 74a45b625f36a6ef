#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The process's standard streams as a command-line tool needs them.
public enum StandardStreams {
    /// Standard output line-buffered (a pipe or file is otherwise block-buffered, and progress
    /// lines would appear only when the buffer fills or the process ends), standard error
    /// unbuffered. Call at the start of `main`, before anything is written.
    public static func lineBuffered() {
        setvbuf(stdout, nil, _IOLBF, 0)
        setvbuf(stderr, nil, _IONBF, 0)
    }
}
