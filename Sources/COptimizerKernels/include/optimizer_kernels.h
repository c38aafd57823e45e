#ifndef NTKSCOPE_OPTIMIZER_KERNELS_H
#define NTKSCOPE_OPTIMIZER_KERNELS_H

/// One Adam update (Kingma & Ba 2015, Algorithm 1) of n parameters, in explicit SIMD vectors (the square
/// root of a plain loop is not vectorised by Swift or, with errno semantics, by C):
///   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,  p <- p - (c1 m) / (sqrt(c2 v) + eps),
/// with c1 = lr / (1 - b1^t), c2 = 1 / (1 - b2^t), and 1 - b1, 1 - b2 passed in
/// (rounded from double by the caller, as the scalars of the reference). The four arrays must not overlap.
void ntk_adam_f32(float *p, const float *g, float *m, float *v, long n,
                  float b1, float b1c, float b2, float b2c, float c1, float c2, float eps);
void ntk_adam_f64(double *p, const double *g, double *m, double *v, long n,
                  double b1, double b1c, double b2, double b2c, double c1, double c2, double eps);

#endif
