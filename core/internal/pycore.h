/* pycore.h: declarations internal to libpymodrt.
 *
 * Naming: CPython API keeps CPython's names; internal cross-file functions
 * take a subsystem prefix (mem_, rt_, type_, str_, dict_, err_, interp_,
 * ts_), the verb last.  Suffixes carry contracts: _ref returns a new
 * reference, _locked means the caller holds the named lock.
 *
 * Synchronization vocabulary used on every shared field: "immutable after
 * init", "atomic", "guarded by <lock>", "epoch-protected (readers) / <lock>
 * (writers)", "owner thread only". */
#ifndef PYMODRT_PYCORE_H
#define PYMODRT_PYCORE_H

#ifndef PYMODRT_BUILD_CORE
#  error "core/internal/pycore.h is internal to pymodrt"
#endif

/* Inside the runtime, Py_INCREF/Py_DECREF of a sharded object count inline
 * (defined below, with the sharded refcounts) instead of calling out.  A
 * file that included Python.h first (a test) keeps the calls. */
struct _object;
static inline void rt_shard_incref(struct _object *op);
static inline void rt_shard_decref(struct _object *op);
#ifndef Py_PYTHON_H
#  define _PYMODRT_SHARD_INCREF(op) rt_shard_incref(op)
#  define _PYMODRT_SHARD_DECREF(op) rt_shard_decref(op)
#endif

#include "Python.h"
#include "pymodrt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define RT_INTERNAL __attribute__((visibility("hidden")))
#define RT_CACHELINE 64
#define RTLD_NOW_VALUE 2   /* RTLD_NOW on Linux; sys.getdlopenflags() default */
#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------- memory layer */

RT_INTERNAL void *mem_alloc(size_t size);
RT_INTERNAL void *mem_calloc(size_t nelem, size_t elsize);
RT_INTERNAL void *mem_realloc(void *ptr, size_t size);
RT_INTERNAL void mem_free(void *ptr);
RT_INTERNAL char *mem_strdup(const char *s);

/* ------------------------------------------------------- per-OS-thread record
 *
 * Every OS thread that touches the runtime gets one rt_thread, created on
 * first use and retired when the thread exits.  It carries what must never
 * be shared between threads on a hot path: allocation counters, the epoch
 * record, the fault-injection generator.  Fields are "owner thread only"
 * unless marked; other threads read the counters with relaxed atomics. */
/* Event counters kept per thread (owner writes, readers sum). */
enum rt_counter {
    RT_C_IMPORTS, RT_C_HITS, RT_C_MISSES, RT_C_LOCK_WAITS, RT_C_INITS, RT_C_EXECS,
    RT_C_DEADLOCKS, RT_C_ORPHANS_FREED, RT_C_EXEC_FAULTS, RT_C_COUNT
};

/* One thread state's share of one sharded object (core/shard.c, R3): the
 * object it counts ("tag", NULL when unused) and the count. */
struct rt_shard_slot {
    PyObject *obj;
    Py_ssize_t n;
};

struct rt_thread {
    _Atomic int64_t mem_bytes;          /* owner writes; others read (sum) */
    _Atomic uint64_t counters[RT_C_COUNT]; /* owner writes; others read (sum) */
    uint64_t exec_rng;                  /* owner thread only: exec fault draws */
    _Atomic uint64_t mem_count;         /* owner writes; others read (sum) */
    uint64_t rng;                       /* owner thread only */
    struct ck_epoch_record *epoch;      /* owner thread only */
    int epoch_depth;                    /* owner thread only: nesting */
    PyThreadState *tstate;              /* owner thread only: current */
    struct rt_shard_slot *shard_slots;  /* owner thread only: the share array of
                                         * the attached thread state, NULL when
                                         * none is attached; kept in step by
                                         * PyThreadState_Swap and shard_grow
                                         * (one load less on the hot path) */
    uint32_t shard_cap;                 /* owner thread only: its length */
    PyThreadState *gilstate;            /* PyGILState's: the first main-interpreter
                                         * thread state made current here, or the
                                         * one Ensure created.  Written under
                                         * gilstate_lock (core/pystate.c), by the
                                         * owner binding or by whoever deletes that
                                         * thread state; the owner reads it
                                         * atomically without the lock */
    /* The module lock this thread blocks on, and the import state (one
     * interpreter's lock table) it belongs to: written only under that
     * table's mutex, read atomically by deadlock checks of any table
     * (loader/import.c). */
    void *_Atomic imp_waiting_on;
    void *_Atomic imp_waiting_in;
    struct rt_thread *next;             /* guarded by rt_threads_lock */
    unsigned long os_id;                /* immutable */
} __attribute__((aligned(RT_CACHELINE)));

/* The calling thread's record, NULL before its first use (core/mem.c).
 * Initial-exec TLS: one %fs-relative load instead of a __tls_get_addr call
 * per access, which profiling showed at a quarter of a registry hit.
 * libpymodrt is linked by the program that uses it; a dlopen of it draws
 * on glibc's surplus static TLS, which one pointer easily fits. */
extern RT_INTERNAL _Thread_local struct rt_thread *rt_self
    __attribute__((tls_model("initial-exec")));
RT_INTERNAL struct rt_thread *rt_thread_create(void);   /* first use */

static inline struct rt_thread *
rt_thread_get(void)
{
    struct rt_thread *t = rt_self;

    return RT_LIKELY(t != NULL) ? t : rt_thread_create();
}

static inline struct rt_thread *
rt_thread_peek(void)     /* NULL if none yet */
{
    return rt_self;
}
/* Unbinds the PyGILState thread state of an exiting thread (core/pystate.c). */
RT_INTERNAL void rt_gilstate_thread_exit(struct rt_thread *t);
/* Sum of one counter over live threads and threads that have exited. */
RT_INTERNAL uint64_t rt_counter_sum(enum rt_counter c);

static inline void
rt_count(enum rt_counter c)
{
    struct rt_thread *t = rt_thread_get();

    /* Owner-only writes: a relaxed load and store, no locked add. */
    atomic_store_explicit(&t->counters[c],
        atomic_load_explicit(&t->counters[c], memory_order_relaxed) + 1,
        memory_order_relaxed);
}

/* ------------------------------------------------------------- epoch (SMR)
 *
 * One ck_epoch domain for the whole runtime protects memory that lock-free
 * readers may still see: retired dict tables, and objects a dict writer
 * removed (their decref is deferred a grace period, so a reader inside a
 * section may incref anything it loaded from a dict).  Sections nest. */
RT_INTERNAL void rt_epoch_enter(void);
RT_INTERNAL void rt_epoch_exit(void);
/* Frees 'p' with mem_free after a grace period.  Never blocks. */
RT_INTERNAL void rt_epoch_defer_free(void *p);
/* Drops one reference to 'op' after a grace period.  Never blocks. */
RT_INTERNAL void rt_epoch_defer_decref(PyObject *op);
/* Runs the callbacks that are already safe (call after releasing locks). */
RT_INTERNAL void rt_epoch_poll(void);
/* Waits for a grace period and runs every pending callback of this thread. */
RT_INTERNAL void rt_epoch_barrier(void);

/* ------------------------------------------------------------- thread state */

/* Sharded reference counts (core/shard.c): each interpreter numbers the
 * objects it shards in its own table; a thread state keeps its share of
 * each in an array indexed by that number. */
#define RT_SHARD_CHUNK 256u
#define RT_SHARD_CHUNKS 256u            /* ids 1..65535; 0 is "no id" */
struct rt_shard_entry {
    PyObject *obj;                      /* atomic: written under shards.mu, read
                                         * lock-free by the hot path; NULL while
                                         * free or pending */
    PyObject *owner;                    /* guarded by shards.mu */
    PyObject *held;                     /* guarded by shards.mu: the object of a
                                         * pending entry */
    int64_t merged;                     /* guarded by shards.mu: shares of
                                         * deleted thread states */
    uint32_t chain;                     /* guarded by shards.mu: the next id of
                                         * the same owner, or (pending) of the
                                         * pending list; 0 at the end */
};
struct rt_shard_chunk {
    uint64_t used[RT_SHARD_CHUNK / 64]; /* guarded by shards.mu: ids in use */
    struct rt_shard_entry e[RT_SHARD_CHUNK];
};
struct rt_shards {
    pthread_mutex_t mu;                 /* a leaf lock; never held across a
                                         * safe point */
    int closed;                         /* guarded by mu: the interpreter is
                                         * ending, nothing more is sharded */
    uint32_t pending;                   /* guarded by mu: first pending id */
    PyThreadState *arrays;              /* guarded by mu: thread states with a
                                         * share array */
    struct rt_shard_chunk *chunks[RT_SHARD_CHUNKS];   /* each written once
                                         * under mu (release), read lock-free;
                                         * freed with the interpreter */
};

struct _ts {
    PyInterpreterState *interp;         /* immutable */
    struct rt_thread *rt;               /* owning OS thread; set at bind */
    PyObject *exc;                      /* owner thread only: raised exception */
    PyObject *handled;                  /* owner thread only */
    PyObject *dict;                     /* owner thread only */
    int recursion_depth;                /* owner thread only */
    int attached;                       /* owner thread only */
    /* Sharded reference counts (core/shard.c): this thread state's share
     * of each object its interpreter sharded, indexed by shard id.  Written
     * by the owner thread while attached (and under interp->shards.mu when
     * the array moves); read and reset by a fold, with the interpreter's
     * other threads stopped (or gone) and shards.mu held, and merged by
     * PyThreadState_Delete under shards.mu. */
    struct rt_shard_slot *shard_vals;
    uint32_t shard_cap;                 /* entries in shard_vals */
    struct rt_shard_chunk *const *shard_chunks;   /* immutable:
                                         * interp->shards.chunks */
    int gilstate_counter;               /* owner thread only */
    int gilstate_created;               /* immutable: made by PyGILState_Ensure */
    struct rt_thread *gilstate_of;      /* the thread whose PyGILState thread state
                                         * this is, or NULL; guarded by
                                         * gilstate_lock (core/pystate.c) */
    uint64_t id;                        /* immutable */
    void *gilt;                         /* struct gil_thread *: gil/rt_gil.c */
    PyCriticalSection *cs_top;          /* owner thread only: innermost critical section */
    const _Atomic int *stw_flag;        /* immutable: the GIL group's "stop the
                                         * world requested" word (gil/gil.c) */
    PyThreadState *prev, *next;         /* guarded by interp->threads_lock */
    PyThreadState *shard_next;          /* guarded by interp->shards.mu:
                                         * interp->shards.arrays */
};

struct _is {
    int64_t id;                         /* immutable */
    PyObject *modules;                  /* sys.modules; the dict is thread-safe */
    PyObject *sysdict;                  /* immutable after init */
    PyObject *dict;                     /* PyInterpreterState_GetDict */
    PyObject *modules_by_index;         /* list; its own lock guards it */
    void *state_table;                  /* atomic (acquire/release), written
                                         * under state_mu (core/modcreate.c):
                                         * PyState_FindModule's lock-free view
                                         * of modules_by_index */
    int dlopenflags;                    /* atomic */
    int check_multi_interp_extensions;  /* immutable after init */
    int own_gil;                        /* immutable after init */
    void *imp;                          /* loader state (module locks); loader/import.c */
    void *gil;                          /* struct gil *: own, or the main interpreter's */
    int gil_owned;                      /* immutable: 1 if 'gil' belongs to this interp */
    PyObject *live_modules;             /* every module object of this interpreter,
                                         * an intrusive list; guarded by the
                                         * process-wide live-modules lock
                                         * (core/moduleobject.c) */
    Py_ssize_t live_count;              /* length of live_modules; same lock */
    Py_ssize_t collect_budget;          /* atomic (relaxed): module creations
                                         * left before a registry miss runs
                                         * the orphan collector */
    pthread_mutex_t threads_lock;       /* guards threads */
    PyThreadState *threads;             /* guarded by threads_lock */
    PyInterpreterState *next;           /* guarded by runtime.interp_lock */
    struct rt_shards shards;            /* core/shard.c; last: 2 KiB */
};

struct rt_runtime {
    int initialized;                    /* guarded by lifecycle (single thread) */
    atomic_int finalizing_flag;         /* atomic */
    PyConfig config;                    /* immutable after init */
    int warnings_error;                 /* immutable after init */
    pthread_mutex_t interp_lock;        /* guards interpreters, next_interp_id */
    PyInterpreterState *interpreters;   /* guarded by interp_lock */
    PyInterpreterState *main_interp;    /* immutable after init */
    int64_t next_interp_id;             /* guarded by interp_lock */
    _Atomic uint64_t next_thread_id;    /* atomic */
};
RT_INTERNAL extern struct rt_runtime rt_runtime;

static inline PyThreadState *
ts_get(void)             /* current or NULL, no checks */
{
    struct rt_thread *t = rt_thread_peek();

    return t != NULL ? t->tstate : NULL;
}

/* The current thread state, which the caller's API requires (as
 * PyThreadState_Get, inline). */
static inline PyThreadState *
ts_get_required(void)
{
    PyThreadState *ts = ts_get();

    if (RT_UNLIKELY(ts == NULL))
        Py_FatalError("the function must be called with an attached thread state");
    return ts;
}

/* Takes a reference unless the object is already being destroyed (its count
 * reached zero): for lists that hold objects without a reference.  Returns
 * 1 with a new reference, or 0. */
static inline int
rt_try_incref(PyObject *op)
{
    int64_t word = __atomic_load_n(&op->ob_refcnt_full, __ATOMIC_RELAXED);

    for (;;) {
        if ((int32_t)(uint32_t)word < 0) {           /* immortal or sharded */
            if (word & _Py_SHARDED_WORD_BIT)
                rt_shard_incref(op);                 /* alive while sharded */
            return 1;
        }
        if ((uint32_t)word == 0)
            return 0;                                /* dying */
        if (__atomic_compare_exchange_n(&op->ob_refcnt_full, &word, word + 1, 1,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return 1;
    }
}

/* PyState's table (core/modcreate.c): empties it at interpreter end,
 * frees it at deletion. */
RT_INTERNAL void state_table_clear(PyInterpreterState *interp);
RT_INTERNAL void state_table_free(PyInterpreterState *interp);

/* ------------------------------------------ sharded refcounts (shard.c)
 * The registry's modules, their functions and their heap types count
 * references per thread state, so threads sharing them never write one
 * cache line.  See core/shard.c for the protocol. */

/* Shards 'm' and the functions and heap types that belong to it (their
 * __self__ or module is 'm').  'm' must be referenced by the caller and
 * published in its interpreter's registry.  Never fails: an object that
 * cannot be sharded (no id left, no memory) keeps plain counting. */
RT_INTERNAL void rt_shard_module(PyObject *m);
/* The hot path (core/shard.c has the argument, R3): a few loads and one
 * add to memory only this thread writes.  Everything else - a first count
 * in this slot, no array room yet, no thread state, not attached, another
 * interpreter - goes to rt_shard_add_slow. */
RT_INTERNAL void rt_shard_add_slow(PyObject *op, int d);

static inline uint32_t
rt_shard_id(PyObject *op)
{
    return (uint32_t)((uint64_t)__atomic_load_n(&op->ob_refcnt_full, __ATOMIC_ACQUIRE) >> 32) &
           0xFFFFu;
}

/* Does entry k of an interpreter's table ('chunks') hold 'op' (R3 of
 * core/shard.c)?  False for
 * k == 0 (never handed out), a free or pending entry, or an entry that was
 * reused - and so for an object of another interpreter.  The sharding CAS
 * released the entry and its chunk, and rt_shard_id loads the word with
 * acquire, so a current entry is seen. */
static inline int
rt_shard_entry_is(struct rt_shard_chunk *const *chunks, uint32_t k, PyObject *op)
{
    struct rt_shard_chunk *c = __atomic_load_n(&chunks[k / RT_SHARD_CHUNK], __ATOMIC_ACQUIRE);

    return RT_LIKELY(c != NULL) &&
           __atomic_load_n(&c->e[k % RT_SHARD_CHUNK].obj, __ATOMIC_RELAXED) == op;
}

/* A slot's tag names the object this thread state counts there; it is
 * set only after checking that entry k holds that object, and every fold
 * of k resets it, so a matching tag is the whole check (R3). */
static inline void
rt_shard_add(PyObject *op, int d)
{
    struct rt_thread *t = rt_thread_peek();
    uint32_t k = rt_shard_id(op);

    if (RT_LIKELY(t != NULL) && RT_LIKELY(k < t->shard_cap) &&
        RT_LIKELY(t->shard_slots[k].obj == op)) {
        t->shard_slots[k].n += d;
        return;
    }
    rt_shard_add_slow(op, d);
}

static inline void rt_shard_incref(PyObject *op) { rt_shard_add(op, 1); }
static inline void rt_shard_decref(PyObject *op) { rt_shard_add(op, -1); }

/* 1 if 'op' is counted per thread state right now. */
static inline int
rt_is_sharded(PyObject *op)
{
    return (__atomic_load_n(&op->ob_refcnt_full, __ATOMIC_RELAXED) & _Py_SHARDED_WORD_BIT) != 0;
}
/* With the world of 'interp's GIL group stopped (or no other thread of
 * 'interp' attached): turns 'owner' (an object of 'interp') and every
 * object sharded on its behalf back into plain counts.  Objects whose last
 * reference was the shard's own are kept for rt_shard_drop_pending. */
RT_INTERNAL void rt_shard_fold_owner_stopped(PyInterpreterState *interp, PyObject *owner);
/* Drops the references folds of 'interp' kept (the world running). */
RT_INTERNAL void rt_shard_drop_pending(PyInterpreterState *interp);
/* The interpreter ends: everything sharded for its modules is folded
 * (stopping the world of its GIL group itself unless the caller's thread
 * state is the interpreter's last).  Its thread state current. */
RT_INTERNAL void rt_shard_release_interp(PyInterpreterState *interp);
/* PyThreadState_Swap: thread 't' now has 'ts' attached (NULL: none). */
RT_INTERNAL void rt_shard_thread_switch(struct rt_thread *t, PyThreadState *ts);
/* PyThreadState_Delete: merges the thread state's shares into its
 * interpreter's entries and frees its array. */
RT_INTERNAL void rt_shard_ts_fini(PyThreadState *ts);
/* interp_new / interp_delete: the interpreter's table. */
RT_INTERNAL void rt_shard_interp_init(PyInterpreterState *interp);
RT_INTERNAL void rt_shard_interp_fini(PyInterpreterState *interp);

/* -------------------------------------------------- critical sections (lock.c)
 * A thread that detaches suspends its critical sections (releasing their
 * locks); attaching resumes the innermost one. */
RT_INTERNAL void cs_suspend_all(PyThreadState *ts);
RT_INTERNAL void cs_resume_top(PyThreadState *ts);

/* --------------------------------------------------------------- the GIL
 * Implemented by gil/rt_gil.c, the one file that knows both thread states
 * and the GIL layer (gil/gil.h).  Core holds only opaque pointers:
 * interp->gil (struct gil *) and ts->gilt (struct gil_thread *). */
RT_INTERNAL int rt_gil_interp_init(PyInterpreterState *interp, PyInterpreterState *share,
                                   int mode);
RT_INTERNAL void rt_gil_interp_fini(PyInterpreterState *interp);
RT_INTERNAL int rt_gil_ts_init(PyThreadState *ts);
RT_INTERNAL void rt_gil_ts_fini(PyThreadState *ts);
RT_INTERNAL void rt_gil_attach(PyThreadState *ts);
RT_INTERNAL void rt_gil_detach(PyThreadState *ts);
RT_INTERNAL void rt_gil_safepoint(PyThreadState *ts);
/* The C recursion limit of Py_EnterRecursiveCall and the call paths. */
#define RT_RECURSION_LIMIT 1000

/* The same, inline: one relaxed load when no stop is requested (the flag is
 * re-read under the GIL's mutex on the slow path). */
static inline void
rt_safepoint(PyThreadState *ts)
{
    if (RT_UNLIKELY(atomic_load_explicit(ts->stw_flag, memory_order_relaxed) != 0))
        rt_gil_safepoint(ts);
}
RT_INTERNAL int rt_gil_is_enabled(PyInterpreterState *interp);
/* Exclusive access among the threads sharing ts's GIL (gil_stop_world):
 * returns 1 if the world was stopped and rt_gil_start_world must follow,
 * 0 if the caller holds an enabled GIL. */
RT_INTERNAL int rt_gil_stop_world(PyThreadState *ts);
RT_INTERNAL void rt_gil_start_world(PyThreadState *ts);

/* The loader's request (SEMANTICS 7.3/7.4) on the current interpreter's
 * GIL: returns 1 when this call made the GIL permanent. */
RT_INTERNAL int rt_gil_enable_permanent(const char *module_name);
/* Makes the GIL permanent for a module that needs it and, if that switched
 * it on, issues CPython's RuntimeWarning.  -1 if the warning raised. */
RT_INTERNAL int rt_gil_require(const char *module_name);
RT_INTERNAL void rt_gil_switch_log_reset(void);

/* -------------------------------------------------------------- objects */

RT_INTERNAL int rt_types_init(void);          /* readies the static types */
RT_INTERNAL int exc_init_types(void);
RT_INTERNAL void exc_fini_types(void);
RT_INTERNAL int str_intern_init(void);
RT_INTERNAL void str_intern_fini(void);
RT_INTERNAL Py_hash_t rt_hash_bytes(const void *p, size_t n);
RT_INTERNAL PyObject *type_lookup(PyTypeObject *type, PyObject *name);   /* borrowed */
RT_INTERNAL PyObject *type_lookup_str(PyTypeObject *type, const char *name);
RT_INTERNAL const char *type_short_name(PyTypeObject *type);
RT_INTERNAL int type_add_methods(PyTypeObject *type);
RT_INTERNAL PyObject *rt_object_repr_default(PyObject *op);
RT_INTERNAL int rt_utf8_decode_check(const char *s, Py_ssize_t n, Py_ssize_t *ncodepoints);
RT_INTERNAL PyObject *str_from_utf8_trusted(const char *s, Py_ssize_t n, Py_ssize_t ncp);
RT_INTERNAL int rt_warn_format_v(PyObject *category, const char *fmt, va_list va);

/* ------------------------------------------ num: int, bool, float, tuple,
 * list, capsule (core/longobject.c, boolobject.c, floatobject.c,
 * tupleobject.c, listobject.c, capsule.c) */

__extension__ typedef __int128 num_i128;

/* The message of the OverflowError raised when an int result leaves
 * pymodrt's range -(2**64-1) .. 2**64-1 (CPython would grow the int). */
#define NUM_INT_OVERFLOW_MSG \
    "int too large: pymodrt ints are limited to -(2**64-1) .. 2**64-1"
/* Modulus of CPython's numeric hash (2**61 - 1). */
#define NUM_HASH_MODULUS ((uint64_t)0x1FFFFFFFFFFFFFFF)

RT_INTERNAL num_i128 num_long_value(PyObject *op);      /* op is an int */
RT_INTERNAL PyObject *num_long_from_i128(num_i128 v);   /* OverflowError out of range */
RT_INTERNAL PyObject *num_index(PyObject *item);         /* _PyNumber_Index */
RT_INTERNAL PyObject *num_long_add(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_sub(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_mul(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_floordiv(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_mod(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_and(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_or(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_xor(PyObject *, PyObject *);
RT_INTERNAL PyObject *num_long_neg(PyObject *);
RT_INTERNAL PyObject *num_long_pos(PyObject *);
RT_INTERNAL PyObject *num_long_abs(PyObject *);
RT_INTERNAL PyObject *num_long_int(PyObject *);
RT_INTERNAL PyObject *num_long_float(PyObject *);
RT_INTERNAL int num_long_bool(PyObject *);
RT_INTERNAL PyObject *num_long_richcompare(PyObject *, PyObject *, int);
RT_INTERNAL PyObject *num_long_repr(PyObject *);
RT_INTERNAL Py_hash_t num_long_hash(PyObject *);
/* CPython's hash of a double; 'obj' is hashed by identity for a NaN. */
RT_INTERNAL Py_hash_t num_hash_double(PyObject *obj, double v);
/* repr of a sequence snapshot: open + item reprs joined by ", " + close;
 * 'one_comma' adds the trailing comma of a 1-tuple. */
RT_INTERNAL PyObject *num_seq_repr(PyObject *const *items, Py_ssize_t n, const char *open,
                                   const char *close, int one_comma);
/* Lexicographic rich comparison of two item arrays (tuple/list). */
RT_INTERNAL PyObject *num_seq_richcompare(PyObject *const *a, Py_ssize_t na,
                                          PyObject *const *b, Py_ssize_t nb, int op);
/* A new tuple that takes over 'n' references from 'items' (NULL on error,
 * with the references dropped). */
RT_INTERNAL PyObject *num_tuple_steal_array(PyObject **items, Py_ssize_t n);

/* ------------------------------------------- errors and exceptions (helper-err)
 *
 * core/exceptions.c, core/errors.c, core/warnings.c. */

/* Raises 'exc' formatted like PyErr_Format with the pending exception as its
 * __cause__ (and __context__), like CPython's _PyErr_FormatFromCause.  Always
 * returns NULL. */
RT_INTERNAL PyObject *err_format_from_cause(PyObject *exc, const char *fmt, ...);
/* Writes the exception (its chain of causes/contexts, then "Type: message")
 * to stderr, as PyErr_DisplayException. */
RT_INTERNAL void err_display(PyObject *exc);
/* The statically allocated MemoryError that PyErr_NoMemory raises when even
 * a MemoryError cannot be allocated (immortal). */
RT_INTERNAL PyObject *exc_nomem_static(void);
/* Forgets the set of warnings already shown (called by exc_fini_types). */
RT_INTERNAL void warn_fini(void);

/* ------------------------------------------------------ dict (helper-dict)
 *
 * Lock-free lookups by UTF-8 bytes for hot paths (the module registry,
 * attribute lookups in module and type dicts).  'h' must be
 * rt_hash_bytes(s, n) (equal to the hash of the str with those bytes).
 * Only exact str keys match; neither function raises or allocates, and 'd'
 * must be a dict.  dict_lookup_utf8_borrowed's result stays valid while the
 * caller is inside an rt_epoch section it entered before the call (or, like
 * PyDict_GetItem's, while the dict keeps the value).  dict_lookup_utf8_ref
 * returns 1 and a new reference, or 0 and NULL.  dict_next_ref is
 * PyDict_Next with new references (no borrowed-reference hazard). */
RT_INTERNAL PyObject *dict_lookup_utf8_borrowed(PyObject *d, const char *s, size_t n, Py_hash_t h);
RT_INTERNAL int dict_lookup_utf8_ref(PyObject *d, const char *s, size_t n, Py_hash_t h,
                                     PyObject **result);
RT_INTERNAL int dict_next_ref(PyObject *d, Py_ssize_t *pos, PyObject **key, PyObject **value);

#endif /* !PYMODRT_PYCORE_H */
