#ifndef THAW_CLIBPQ_SHIM_H
#define THAW_CLIBPQ_SHIM_H
// Debian's libpq-dev puts the header under /usr/include/postgresql (pkg-config libpq adds the -I).
#include <libpq-fe.h>
#endif
