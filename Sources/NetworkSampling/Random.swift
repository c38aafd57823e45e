import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): used only to expand a 64-bit seed into generator states.
@usableFromInline
struct SplitMix64 {
    @usableFromInline var state: UInt64
    @inlinable init(_ seed: UInt64) { state = seed }
    @inlinable mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018), a 256-bit-state generator with period 2^256 − 1.
///
/// Every random object of a sampled network draws from its own stream, keyed by
/// `(seed, purpose, index)` (see `RandomStreams`), so results do not depend on the block size,
/// the number of threads or the order in which blocks are generated.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Seeds the four state words from SplitMix64 (the seeding the xoshiro authors recommend).
    @inlinable public init(seed: UInt64) {
        var sm = SplitMix64(seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    @inlinable @inline(__always) public mutating func next() -> UInt64 {
        let result = Xoshiro256StarStar.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256StarStar.rotl(s3, 45)
        return result
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inlinable @inline(__always) public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// One N(0, 1) value by the Ziggurat method (Marsaglia & Tsang 2000, 128 layers). The layer index
    /// (low 7 bits) and the signed 32-bit value (high 32 bits) come from disjoint bits of one 64-bit
    /// output, which avoids the index/value correlation of the original (Leong et al. 2005).
    @inlinable @inline(__always) public mutating func nextNormal() -> Double {
        let u = next()
        let hz = Int32(truncatingIfNeeded: u >> 32)
        let iz = Int(u & 127)
        if UInt32(hz.magnitude) < Ziggurat.kn[iz] { return Double(hz) * Ziggurat.wn[iz] }
        return normalSlowPath(hz: hz, iz: iz)
    }

    @usableFromInline mutating func normalSlowPath(hz: Int32, iz: Int) -> Double {
        var hz = hz, iz = iz
        let r = Ziggurat.r
        while true {
            let x = Double(hz) * Ziggurat.wn[iz]
            if iz == 0 {  // the tail beyond r (Marsaglia 1964)
                var xt = 0.0, y = 0.0
                repeat {
                    xt = -log(1 - nextUniform()) / r
                    y = -log(1 - nextUniform())
                } while y + y < xt * xt
                return hz > 0 ? r + xt : -r - xt
            }
            if Ziggurat.fn[iz] + nextUniform() * (Ziggurat.fn[iz - 1] - Ziggurat.fn[iz]) < exp(-0.5 * x * x) { return x }
            let u = next()
            hz = Int32(truncatingIfNeeded: u >> 32); iz = Int(u & 127)
            if UInt32(hz.magnitude) < Ziggurat.kn[iz] { return Double(hz) * Ziggurat.wn[iz] }
        }
    }

    /// Fills `buffer` with iid N(0, scale²) values (Ziggurat, see `nextNormal`).
    @inlinable public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>, scale: Double = 1) {
        fillNormal(count: buffer.count) { buffer[$0] = $1 * scale }
    }

    @inlinable @inline(__always)
    mutating func fillNormal(count: Int, _ store: (Int, Double) -> Void) {
        Ziggurat.kn.withUnsafeBufferPointer { kn in
            Ziggurat.wn.withUnsafeBufferPointer { wn in
                for i in 0..<count {
                    let u = next()
                    let hz = Int32(truncatingIfNeeded: u >> 32)
                    let iz = Int(u & 127)
                    store(i, UInt32(hz.magnitude) < kn[iz] ? Double(hz) * wn[iz] : normalSlowPath(hz: hz, iz: iz))
                }
            }
        }
    }

    /// The same numbers as `fillNormal(Double)` rounded to Float, so the float32 and float64
    /// paths sample the same network.
    @inlinable public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, scale: Double = 1) {
        fillNormal(count: buffer.count) { buffer[$0] = Float($1 * scale) }
    }
}

/// Tables of the 128-layer normal Ziggurat (Marsaglia & Tsang 2000, `zigset`).
public enum Ziggurat {
    public static let r = 3.442619855899
    static let tables: (kn: [UInt32], wn: [Double], fn: [Double]) = {
        let m1 = 2147483648.0, vn = 9.91256303526217e-3
        var dn = r, tn = r
        let q = vn / exp(-0.5 * dn * dn)
        var kn = [UInt32](repeating: 0, count: 128), wn = [Double](repeating: 0, count: 128), fn = [Double](repeating: 0, count: 128)
        kn[0] = UInt32((dn / q) * m1); kn[1] = 0
        wn[0] = q / m1; wn[127] = dn / m1
        fn[0] = 1; fn[127] = exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * log(vn / dn + exp(-0.5 * dn * dn))).squareRoot()
            kn[i + 1] = UInt32((dn / tn) * m1)
            tn = dn
            fn[i] = exp(-0.5 * dn * dn)
            wn[i] = dn / m1
        }
        return (kn, wn, fn)
    }()
    public static let kn = tables.kn
    public static let wn = tables.wn
    public static let fn = tables.fn
}

/// The named streams of one seeded run.
public enum RandomPurpose: UInt64, Sendable {
    case weightRow = 1      // index = (layer << 32) | row
    case outputWeights = 2  // index = 0
    case inputColumn = 3    // index = sample
    case inputRotation = 4  // index = column of the Gaussian matrix fed to QR
    // Training (module NetworkTraining):
    case testInputColumn = 5  // index = held-out sample
    case teacher = 6          // index = 0: the teacher direction v
    case shuffle = 7          // index = epoch: the order of the mini-batches
    case split = 8            // index = 0: the train/test split of a data file
}

public enum RandomStreams {
    /// A generator for `(seed, purpose, index)`: SplitMix64 hashing of the three keys.
    @inlinable public static func generator(seed: UInt64, purpose: RandomPurpose, index: UInt64) -> Xoshiro256StarStar {
        var h = SplitMix64(seed)
        let a = h.next()
        var h2 = SplitMix64(a ^ (purpose.rawValue &* 0xD1B5_4A32_D192_ED03))
        let b = h2.next()
        var h3 = SplitMix64(b ^ (index &* 0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D)
        return Xoshiro256StarStar(seed: h3.next())
    }
}
