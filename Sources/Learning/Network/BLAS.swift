import COpenBLAS

/// Thin, row-major wrappers around the OpenBLAS routines the layers use.
enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major.
    @inline(__always)
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc)
        )
    }

    /// y += alpha · x
    @inline(__always)
    static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(count), alpha, x, 1, y, 1)
    }

    @inline(__always)
    static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(blasint(count), x, 1, y, 1)
    }
}

/// The OpenBLAS thread pool size. OpenBLAS keeps it process-wide: set it once at start-up, and
/// never above 1 while training or evaluation runs shards side by side (``ShardRunner``).
public enum BLASThreads {
    public static var current: Int { Int(openblas_get_num_threads()) }

    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}

/// A plain single-precision matrix product on OpenBLAS (benchmarks use it to measure the peak).
public enum MatrixMultiply {
    /// Row-major `A[m×k] · B[k×n]`; nil when the sizes do not match the arrays.
    public static func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float]? {
        guard m > 0, n > 0, k > 0, a.count == m * k, b.count == k * n else { return nil }
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        transposeA: false, transposeB: false, m: m, n: n, k: k,
                        a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n
                    )
                }
            }
        }
        return c
    }
}
