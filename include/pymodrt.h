/* pymodrt's own API: everything the runtime offers beyond CPython's C API.
 * Every name here starts with pymodrt_. */
#ifndef PYMODRT_H
#define PYMODRT_H

#include "Python.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PYMODRT_API Py_EXPORTED_SYMBOL

#define PYMODRT_VERSION "0.1.0"

/* ------------------------------------------------------------------ memory */

/* Bytes currently allocated through the runtime's memory layer (objects,
 * PyMem_*, and the runtime's own structures), summed over all threads. */
PYMODRT_API int64_t pymodrt_mem_allocated(void);
/* Number of allocations made through the memory layer since start-up. */
PYMODRT_API uint64_t pymodrt_mem_allocations(void);
/* Fault injection: the n-th allocation from now (n >= 1) fails, once; n == 0
 * disarms.  Applies to every thread. */
PYMODRT_API void pymodrt_mem_fail_nth(uint64_t n);
/* Fault injection: from now on every allocation fails with probability
 * 'rate' (0.0 disarms), drawn from a per-thread generator seeded by 'seed'. */
PYMODRT_API void pymodrt_mem_fail_rate(double rate, uint64_t seed);
/* Allocations failed by injection since start-up. */
PYMODRT_API uint64_t pymodrt_mem_failures_injected(void);
/* 1 if the memory layer allocates through jemalloc, 0 for the system allocator. */
PYMODRT_API int pymodrt_mem_uses_jemalloc(void);

/* ------------------------------------------------------------------ import */

/* Imports the extension file 'path' as module 'name' in the current
 * interpreter (the "custom importer": several modules may live in one
 * library, each found by its own hook name).  The module is registered in
 * sys.modules under 'name'.  Returns a new reference or NULL with an
 * exception set. */
PYMODRT_API PyObject *pymodrt_import_file(const char *name, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* !PYMODRT_H */
