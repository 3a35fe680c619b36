#ifndef THAW_CZLIB_SHIM_H
#define THAW_CZLIB_SHIM_H
#include <zlib.h>
#endif
