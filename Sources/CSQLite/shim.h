#ifndef THAW_CSQLITE_SHIM_H
#define THAW_CSQLITE_SHIM_H
#include <sqlite3.h>
// SQLITE_TRANSIENT is a macro over a function-pointer cast that Swift cannot import.
static inline void (*thaw_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }
#endif
