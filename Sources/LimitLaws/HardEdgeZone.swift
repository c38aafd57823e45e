import RealModule

/// Values at increasing abscissae (at least 4).
enum SortedSamples {
    /// The cubic through the 4 samples around t (Lagrange form; the first or last 4 near the ends).
    static func cubic(_ xs: [Double], _ ys: [Double], at t: Double) -> Double {
        var lo = 0, hi = xs.count - 1
        while hi - lo > 1 { let mid = (lo + hi) / 2; if xs[mid] <= t { lo = mid } else { hi = mid } }
        let first = min(max(lo - 1, 0), xs.count - 4)
        var value = 0.0
        for i in first..<(first + 4) {
            var w = 1.0
            for j in first..<(first + 4) where j != i { w *= (t - xs[j]) / (xs[i] - xs[j]) }
            value += w * ys[i]
        }
        return value
    }
}

/// The density next to a hard edge of an interval integrated by adaptive Simpson: a density that
/// diverges like (x − a)^{−β}, 0 < β < 1 (the Fuss–Catalan laws of deep linear networks with γ = 1
/// at 0: β = s/(s + 1) for s layers), where the interpolant of the Simpson samples in θ does not
/// represent it (h(θ) ~ θ^{1−2β} is unbounded or not smooth at the end).
///
/// In s, the distance in θ from the edge (θ at the lower edge, π − θ at the upper one;
/// x = a + (b − a) sin²(s/2) there, exactly), h = ρ(x)·(b − a)/2·sin θ is sampled geometrically
/// towards the edge (`LawSolver.hardEdgeZone`: where the descent stops), the Simpson samples
/// of the end panel included: log h is smooth in log s (a power law with slowly varying corrections,
/// powers of (x − a)^{1/(s+1)} for Fuss–Catalan), so the 4-point Lagrange interpolant of log h in
/// log s gives the density, and Gauss–Legendre on it the integral. Below the last sample s₀ the
/// density is the power law h₀((s − floor)/(s₀ − floor))^p that carries the rest of the zone's mass (floor: a
/// distance found outside the support, else 0), which is known
/// exactly (the contour integral about the edge, `LawSolver.edgeMoments`, or the Simpson tail fit):
/// so the zone's CDF ends at the right value and the total mass is the law's.
struct HardEdgeZone: Sendable, Hashable {
    /// 0: the lower edge (θ = 0); 1: the upper edge (θ = π).
    let side: Int
    /// The zone is 0 < s ≤ width.
    let width: Double
    /// log s and log h at the samples, s increasing (the last at s = width).
    let logS: [Double], logH: [Double]
    /// ∫_0^{s_k} h ds at each sample.
    let cumulative: [Double]
    /// h = h₀ ((s − floor)/(s₀ − floor))^tailExponent below s₀ = the first sample.
    let tailExponent: Double
    /// Below this distance the density is 0 (a point there was outside the support); 0: none. The
    /// power law below the first sample s₀ is then in s − floor.
    let floor: Double
    /// |(the zone's mass − the model above s₀) − the power law's mass below s₀|: what the model
    /// and the known mass disagree by (a check: small when the samples reach the power law).
    let massMismatch: Double

    /// `s`, `h`: samples in increasing s (all h > 0 and finite; the zone ends at the last);
    /// `massBelow`: ∫_0^{s_M} h ds for s_M one of the samples. nil when there are fewer than 4
    /// samples or they leave no positive mass below the first.
    /// `outsideBelow`: a distance found outside the support (0: none), below the first sample: the
    /// density is 0 there, and the mass below the first sample lies between the two.
    init?(side: Int, s: [Double], h: [Double], massBelow: (s: Double, mass: Double), outsideBelow: Double = 0) {
        guard s.count >= 4, s.count == h.count, h.allSatisfy({ $0 > 0 && $0.isFinite }),
              massBelow.mass > 0, massBelow.mass.isFinite,
              let m = s.firstIndex(where: { abs($0 - massBelow.s) <= 1e-12 * massBelow.s }) else { return nil }
        self.side = side
        width = s[s.count - 1]
        logS = s.map { Double.log($0) }
        logH = h.map { Double.log($0) }
        var cumulative = [0.0]
        for k in 1..<s.count { cumulative.append(cumulative[k - 1] + Self.segment(logS, logH, from: logS[k - 1], to: logS[k])) }
        // The mass below s₀: what the zone's known mass leaves (so that the CDF meets it), or, where
        // that is not a positive mass of a power law (integration error against a vanishing tail),
        // the power law of the two smallest samples.
        let floor = outsideBelow > 0 && outsideBelow < s[0] ? outsideBelow : 0
        self.floor = floor
        let span = s[0] - floor
        let local = (logH[1] - logH[0]) / (logS[1] - logS[0])
        let powerLaw = local > -1 ? h[0] * span / (local + 1) : Double.infinity
        let remainder = massBelow.mass - cumulative[m]
        let tail: Double
        if remainder > 0 { tail = remainder } else if powerLaw.isFinite { tail = powerLaw } else { return nil }
        tailExponent = h[0] * span / tail - 1
        massMismatch = powerLaw.isFinite ? abs(remainder - powerLaw) : abs(remainder)
        self.cumulative = cumulative.map { $0 + tail }
    }

    /// ∫ h ds from log s = u0 to u1 within one segment, h the cubic in log s through the samples:
    /// 8-point Gauss–Legendre in log s.
    private static func segment(_ logS: [Double], _ logH: [Double], from u0: Double, to u1: Double) -> Double {
        let c = (u0 + u1) / 2, r = (u1 - u0) / 2
        var sum = 0.0
        for (t, w) in zip(GaussianQuadrature.legendre8.nodes, GaussianQuadrature.legendre8.weights) {
            let u = c + r * t
            sum += w * Double.exp(SortedSamples.cubic(logS, logH, at: u) + u)
        }
        return sum * r
    }

    /// h at distance s from the edge (0 < s ≤ width).
    func h(atDistance s: Double) -> Double {
        guard s > 0 else { return .infinity }
        let u = Double.log(min(s, width))
        if u < logS[0] {
            guard s > floor else { return 0 }
            let s0 = Double.exp(logS[0])
            return Double.exp(logH[0] + tailExponent * Double.log((s - floor) / (s0 - floor)))
        }
        return Double.exp(SortedSamples.cubic(logS, logH, at: u))
    }

    /// ∫_0^s h ds' (0 ≤ s ≤ width).
    func integral(upTo s: Double) -> Double {
        guard s > 0 else { return 0 }
        let u = Double.log(min(s, width))
        if u <= logS[0] {
            guard s > floor else { return 0 }
            let s0 = Double.exp(logS[0])
            return cumulative[0] * Double.pow((s - floor) / (s0 - floor), tailExponent + 1)
        }
        var k = 0
        while k + 1 < logS.count - 1 && logS[k + 1] <= u { k += 1 }
        return cumulative[k] + Self.segment(logS, logH, from: logS[k], to: u)
    }

    /// ∫_0^{s₀} h ds: the mass the power law below the first sample carries.
    var tailMass: Double { cumulative[0] }

    /// The zone's mass, ∫_0^width h ds.
    var mass: Double { cumulative[cumulative.count - 1] }
}
