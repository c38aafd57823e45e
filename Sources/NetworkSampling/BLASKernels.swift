import CLinearAlgebra
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernels the process runs, and a better set where OpenBLAS fell back.
///
/// OpenBLAS picks its kernels by the CPU's model when it loads. A release older than the CPU
/// (Debian 12's 0.3.21 on a Sapphire Rapids Xeon) does not know the model. It then falls back to
/// its generic SSE3 kernels ("Prescott"), although the CPU has AVX2 and AVX-512. On such a host
/// the float32 products ran 2–4× slower and the eigenvalue stage 1.9× slower; NumPy's own, newer
/// OpenBLAS picked Haswell/SkylakeX kernels, so NumPy appeared faster. Kernels chosen by
/// `OPENBLAS_CORETYPE` must be set before the library loads, so the executables start again with
/// it set (`restartWithBetterKernelsIfNeeded`). Results change only at float32 rounding level: the
/// kernels add in a different order.
public enum BLASKernels {
    /// The kernel set in use (`openblas_get_corename()`, e.g. "Haswell", "SkylakeX", "Prescott").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Kernel sets that already use AVX2 or AVX-512 (OpenBLAS's names, compared case-insensitively).
    static let modern: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// The `OPENBLAS_CORETYPE` to ask for, or nil to keep `current`: SkylakeX on a CPU with
    /// AVX-512 F, CD, BW, DQ and VL; Haswell on one with AVX2 and FMA; nil when `current` is already
    /// one of those kernel sets or the CPU has neither.
    public static func betterCoreType(current: String, cpuFlags: Set<String>) -> String? {
        guard !modern.contains(current.lowercased()) else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// The flags of the first processor in `cpuinfo` (the text of /proc/cpuinfo); empty if none.
    public static func cpuFlags(cpuinfo: String) -> Set<String> {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// When OpenBLAS runs generic kernels on a CPU that has better ones, and the user has not set
    /// `OPENBLAS_CORETYPE`, starts this executable again (same arguments and environment, plus
    /// `OPENBLAS_CORETYPE`); call it first thing in `main`, before any thread or terminal set-up.
    /// Returns only when no restart is needed or `execv` failed (then the run goes on as it is).
    public static func restartWithBetterKernelsIfNeeded() {
        // /proc/cpuinfo is read only when OpenBLAS did fall back (not on every start elsewhere).
        let current = coreName
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, !modern.contains(current.lowercased()),
              let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let better = betterCoreType(current: current, cpuFlags: cpuFlags(cpuinfo: info)) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // execv returned: it failed; go on with the kernels we have.
        unsetenv("OPENBLAS_CORETYPE")
        for p in argv { free(p) }
    }
}
