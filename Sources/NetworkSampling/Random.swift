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

    /// Fills `buffer` with iid N(0, scale²) values by the Box–Muller transform:
    /// u1 ∈ (0, 1], u2 ∈ [0, 1), r = √(−2 ln u1), z = (r cos 2πu2, r sin 2πu2).
    @inlinable public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>, scale: Double = 1) {
        let n = buffer.count
        var i = 0
        while i < n {
            let u1 = Double((next() >> 11) &+ 1) * 0x1.0p-53
            let u2 = Double(next() >> 11) * 0x1.0p-53
            let r = (-2 * log(u1)).squareRoot() * scale
            let t = 2 * Double.pi * u2
            buffer[i] = r * cos(t)
            if i + 1 < n { buffer[i + 1] = r * sin(t) }
            i += 2
        }
    }

    /// The same numbers as `fillNormal(Double)` rounded to Float, so the float32 and float64
    /// paths sample the same network.
    @inlinable public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, scale: Double = 1) {
        let n = buffer.count
        var i = 0
        while i < n {
            let u1 = Double((next() >> 11) &+ 1) * 0x1.0p-53
            let u2 = Double(next() >> 11) * 0x1.0p-53
            let r = (-2 * log(u1)).squareRoot() * scale
            let t = 2 * Double.pi * u2
            buffer[i] = Float(r * cos(t))
            if i + 1 < n { buffer[i + 1] = Float(r * sin(t)) }
            i += 2
        }
    }
}

/// The named streams of one seeded run.
public enum RandomPurpose: UInt64, Sendable {
    case weightRow = 1      // index = (layer << 32) | row
    case outputWeights = 2  // index = 0
    case inputColumn = 3    // index = sample
    case inputRotation = 4  // index = column of the Gaussian matrix fed to QR
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
