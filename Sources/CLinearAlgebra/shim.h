#ifndef NTKSCOPE_CLINEARALGEBRA_SHIM_H
#define NTKSCOPE_CLINEARALGEBRA_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
