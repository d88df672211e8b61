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

/* --------------------------------------------------------------------- GIL
 * The optional global interpreter lock of the current interpreter (its
 * own with PyInterpreterConfig_OWN_GIL, otherwise the main interpreter's).
 * Modes are PyConfig.enable_gil's: -1 auto (off until a module that has not
 * declared Py_MOD_GIL_NOT_USED is imported), 0 off, 1 on. */
PYMODRT_API int pymodrt_gil_enabled(void);
PYMODRT_API int pymodrt_gil_mode(void);

typedef struct {
    uint64_t acquisitions;      /* times a thread took the GIL */
    uint64_t contended;         /* of those, how many waited */
    uint64_t wait_ns;           /* total time spent waiting */
    uint64_t handoffs;          /* releases that passed it to a waiter */
    uint64_t stop_the_world;    /* stop-the-world events (switching it on) */
    uint64_t stop_the_world_ns; /* time spent stopping the world (both kinds) */
    uint64_t switches_on;       /* disabled -> enabled transitions */
    uint64_t threads;           /* thread states registered on it now */
    uint64_t collector_stops;   /* stop-the-world events of the module
                                 * collector (confirming orphans) */
    int enabled;
} pymodrt_gil_stats;
PYMODRT_API void pymodrt_gil_get_stats(pymodrt_gil_stats *out);

/* Which module switched which GIL on, and when (process-wide, oldest
 * first).  Fills up to 'max' records and returns how many exist. */
typedef struct {
    int64_t interpreter_id;
    char module[128];
    int64_t when_sec, when_nsec;   /* CLOCK_REALTIME */
} pymodrt_gil_switch;
PYMODRT_API int pymodrt_gil_switches(pymodrt_gil_switch *out, int max);

/* ---------------------------------------------------------- fault injection
 * (allocation failures: pymodrt_mem_fail_nth / pymodrt_mem_fail_rate) */

/* From now on each module exec (PyModule_Exec, PyModule_ExecDef, so every
 * multi-phase or export-hook import) fails with probability 'rate', before
 * the module's own exec code runs, by raising
 * RuntimeError("pymodrt: injected exec failure in module '<name>'").
 * 0.0 disarms.  Draws come from a per-thread generator seeded by 'seed'. */
PYMODRT_API void pymodrt_fault_exec_rate(double rate, uint64_t seed);
PYMODRT_API uint64_t pymodrt_fault_exec_injected(void);

/* ------------------------------------------------------------------ import */

/* Process-wide import statistics, summed over threads (each thread counts
 * in its own record, so counting writes no shared cache line). */
typedef struct {
    uint64_t imports;          /* PyImport_Import* calls */
    uint64_t hits;             /* of those, answered from the registry */
    uint64_t misses;           /* ... that had to take the module lock */
    uint64_t lock_waits;       /* times a thread blocked on another's module lock */
    uint64_t initializations;  /* PyInit / export hook calls */
    uint64_t execs;            /* module exec runs */
    uint64_t deadlocks;        /* _DeadlockError raised */
    uint64_t orphans_freed;    /* modules freed after leaving sys.modules */
} pymodrt_import_stats;
PYMODRT_API void pymodrt_get_import_stats(pymodrt_import_stats *out);

/* Frees the current interpreter's orphaned modules now: modules that left
 * sys.modules and that nothing outside their own functions and types
 * references (pymodrt has no cycle collector).  Suspects are confirmed
 * with the other threads of the GIL group stopped at a safe point, then
 * cleared (m_clear, m_free).  A registry miss does this by itself once
 * max(64, live modules / 2) modules were created since the last collection.
 * Returns the number of modules freed. */
PYMODRT_API Py_ssize_t pymodrt_collect_modules(void);

/* Imports the extension file 'path' as module 'name' in the current
 * interpreter (the "custom importer": several modules may live in one
 * library, each found by its own hook name).  The module is registered in
 * sys.modules under 'name'.  Returns a new reference or NULL with an
 * exception set. */
PYMODRT_API PyObject *pymodrt_import_file(const char *name, const char *path);

/* ----------------------------------------------------------------- inspect
 * What a module file declares, without importing it.  The exported hooks
 * come from the file's ELF dynamic symbol table (nothing is loaded or run).
 * For an export hook (PyModExport_x) the slots are read too: the library is
 * loaded (RTLD_LOCAL) and the hook called, which PEP 793 requires to do
 * nothing but return a static array; this needs an attached thread state
 * (a hook may use the C API), and leaves the caller's error indicator as it
 * was.  A PyInit_x module's slots are only known by running PyInit (an
 * import), so they are reported as unknown. */
enum { PYMODRT_HOOK_INIT = 1, PYMODRT_HOOK_EXPORT = 2 };

typedef struct {
    char module[256];          /* the module name the hook is for (punycode decoded) */
    char hook[258];            /* the exported symbol */
    int kind;                  /* PYMODRT_HOOK_INIT or PYMODRT_HOOK_EXPORT */
    int slots_known;           /* 1 when the fields below were read from slots */
    int gil_not_used;          /* 1 declares Py_MOD_GIL_NOT_USED, 0 uses the GIL */
    int multiple_interpreters; /* 0 not supported, 1 supported, 2 per-interpreter GIL */
    Py_ssize_t state_size;
    int has_create, has_exec, has_methods, has_abi;
    char doc[160];             /* Py_mod_doc, truncated */
    char slot_error[200];      /* a slot the runtime would refuse, if any */
} pymodrt_module_info;

/* Fills up to 'max' records for the hooks 'path' exports and returns how
 * many there are (0: a shared library with no hook), or -1 with a reason in
 * 'err' (missing file, not an ELF shared object, unreadable symbols). */
PYMODRT_API int pymodrt_inspect_file(const char *path, pymodrt_module_info *out, int max,
                                     char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* !PYMODRT_H */
