#include "optimizer_kernels.h"
#include <math.h>
#include <string.h>

typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef double f64x4 __attribute__((ext_vector_type(4)));

#define ADAM_KERNEL(NAME, T, V, W, SQRT)                                                              \
void NAME(T *restrict p, const T *restrict g, T *restrict m, T *restrict v, long n,                  \
          T b1, T b1c, T b2, T b2c, T c1, T c2, T eps) {                                                   \
    long k = 0;                                                                                       \
    for (; k + W <= n; k += W) {                                                                      \
        V gk, mk, vk, pk;                                                                             \
        memcpy(&gk, g + k, sizeof gk); memcpy(&mk, m + k, sizeof mk);                                 \
        memcpy(&vk, v + k, sizeof vk); memcpy(&pk, p + k, sizeof pk);                                 \
        mk = b1 * mk + b1c * gk;                                                                      \
        vk = b2 * vk + b2c * gk * gk;                                                                 \
        pk -= (c1 * mk) / (__builtin_elementwise_sqrt(c2 * vk) + eps);                                \
        memcpy(m + k, &mk, sizeof mk); memcpy(v + k, &vk, sizeof vk); memcpy(p + k, &pk, sizeof pk);  \
    }                                                                                                 \
    for (; k < n; k++) {                                                                              \
        T mk = b1 * m[k] + b1c * g[k];                                                                \
        T vk = b2 * v[k] + b2c * g[k] * g[k];                                                         \
        m[k] = mk; v[k] = vk;                                                                         \
        p[k] -= (c1 * mk) / (SQRT(c2 * vk) + eps);                                                    \
    }                                                                                                 \
}

ADAM_KERNEL(ntk_adam_f32, float, f32x8, 8, sqrtf)
ADAM_KERNEL(ntk_adam_f64, double, f64x4, 4, sqrt)
