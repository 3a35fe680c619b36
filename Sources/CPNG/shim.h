#ifndef THAW_CPNG_SHIM_H
#define THAW_CPNG_SHIM_H
#include <png.h>
#endif
