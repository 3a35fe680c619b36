#ifndef THAW_CBLAS_SHIM_H
#define THAW_CBLAS_SHIM_H
#include <cblas.h>
// OpenBLAS extensions: thread control, so each worker can pin its own BLAS thread count.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
