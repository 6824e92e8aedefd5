#ifndef GUEST_ACCESS_BENCH_RAW_SQLITE_H
#define GUEST_ACCESS_BENCH_RAW_SQLITE_H

/// SQLite's C API, for the tracking reference's raw-statement variant.
#include <sqlite3.h>

#endif
