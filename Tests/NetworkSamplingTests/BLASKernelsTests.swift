import Testing
import NetworkSampling

/// Which OpenBLAS kernel set to ask for when OpenBLAS fell back to generic kernels.
@Suite struct BLASKernelsTests {
    static let sapphireRapids = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu sse sse2 ssse3 fma avx avx2 avx512f avx512dq avx512cd avx512bw avx512vl amx_tile\n\nprocessor\t: 1\nflags\t\t: fpu\n"

    @Test func flagsComeFromTheFirstProcessor() {
        let flags = BLASKernels.cpuFlags(cpuinfo: Self.sapphireRapids)
        #expect(flags.contains("avx512bw") && flags.contains("amx_tile") && flags.contains("fpu"))
        #expect(flags.count == 13)
        #expect(BLASKernels.cpuFlags(cpuinfo: "model name : x\n").isEmpty)
    }

    @Test func genericKernelsOnAModernCPUAreReplaced() {
        let avx512 = BLASKernels.cpuFlags(cpuinfo: Self.sapphireRapids)
        #expect(BLASKernels.betterCoreType(current: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASKernels.betterCoreType(current: "Core2", cpuFlags: ["avx2", "fma", "avx512f"]) == "Haswell")
        // kernels that already use AVX2 or AVX-512 stay, whatever the case of the name
        for name in ["Haswell", "SKYLAKEX", "Zen", "cooperlake", "SapphireRapids"] {
            #expect(BLASKernels.betterCoreType(current: name, cpuFlags: avx512) == nil, "\(name)")
        }
        // a CPU without AVX2 and FMA keeps what OpenBLAS chose
        #expect(BLASKernels.betterCoreType(current: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
        #expect(BLASKernels.betterCoreType(current: "Prescott", cpuFlags: []) == nil)
    }
}
