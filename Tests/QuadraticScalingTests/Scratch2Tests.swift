import Testing
import Foundation
@testable import QuadraticScaling
import LimitLaws

@Test func scratchRho() throws {
    let act = try DerivativeActivation.named("relu")
    let x = 0.017902758608451756
    let tau = [0.25 / (act.a2 * 0.25 - x), 2.25 / (act.a2 * 2.25 - x)]
    let r = SignedMarcenkoPastur(tau: tau, weight: [0.5, 0.5], gamma: 0.5)
    print("rho", r == nil ? "nil" : "\(r!.intervals.map(\.interval)) \(r!.continuousMass) \(r!.atom) \(r!.intervals.map(\.tailRatio))")
}
