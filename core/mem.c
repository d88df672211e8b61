/* mem.c: the memory layer and the per-OS-thread record.
 *
 * Every allocation of the runtime and of objects comes here.  Normal builds
 * call jemalloc's own API (mallocx/rallocx/dallocx) explicitly: Debian's
 * jemalloc is unprefixed and only replaces malloc when the executable links
 * it, so calling malloc would silently get glibc's (DEPS.md section 2).
 * Sanitizer builds use the system allocator, which the sanitizers intercept.
 *
 * Accounting: each block's usable size (sallocx / malloc_usable_size) is
 * added to the allocating thread's counter and subtracted from the freeing
 * thread's.  Counters are per thread so that allocation never writes a
 * shared cache line; pymodrt_mem_allocated() sums the live threads' counters
 * plus what exited threads left behind.  A block may be freed by a thread
 * other than the one that allocated it: per-thread counters can go negative,
 * only the sum is meaningful.
 *
 * Fault injection: pymodrt_mem_fail_nth(n) arms a shared countdown, so the
 * n-th allocation from now, in any thread, fails.  The check on the hot path
 * is one relaxed load of a word that is written only when a test arms it.
 *
 * The file is organized as: per-thread records, allocator, fault injection,
 * public accounting API. */
#include "internal/pycore.h"

#include <malloc.h>
#include <ck_epoch.h>
#ifdef PYMODRT_WITH_JEMALLOC
#  include <jemalloc/jemalloc.h>
#endif

/* --------------------------------------------------------- per-thread records */

static pthread_mutex_t rt_threads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_thread *rt_threads;             /* guarded by rt_threads_lock */
static int64_t rt_exited_bytes;                  /* guarded by rt_threads_lock */
static uint64_t rt_exited_count;                 /* guarded by rt_threads_lock */
static uint64_t rt_exited_counters[RT_C_COUNT];  /* guarded by rt_threads_lock */
static pthread_key_t rt_thread_key;
static pthread_once_t rt_thread_key_once = PTHREAD_ONCE_INIT;
_Thread_local struct rt_thread *rt_self;  /* owner thread only; pycore.h */

RT_INTERNAL void rt_epoch_thread_exit(struct rt_thread *t);

static void
rt_thread_destroy(void *arg)
{
    struct rt_thread *t = arg, **pp;

    rt_epoch_thread_exit(t);
    rt_gilstate_thread_exit(t);
    pthread_mutex_lock(&rt_threads_lock);
    for (pp = &rt_threads; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    rt_exited_bytes += atomic_load_explicit(&t->mem_bytes, memory_order_relaxed);
    rt_exited_count += atomic_load_explicit(&t->mem_count, memory_order_relaxed);
    for (int c = 0; c < RT_C_COUNT; c++)
        rt_exited_counters[c] += atomic_load_explicit(&t->counters[c], memory_order_relaxed);
    pthread_mutex_unlock(&rt_threads_lock);
    rt_self = NULL;
    /* The record itself is not counted: it is allocated from the system. */
    free(t);
}

static void
rt_thread_key_create(void)
{
    if (pthread_key_create(&rt_thread_key, rt_thread_destroy) != 0)
        abort();
}

struct rt_thread *
rt_thread_create(void)
{
    struct rt_thread *t;

    pthread_once(&rt_thread_key_once, rt_thread_key_create);
    /* The record lives outside the accounted heap: it must exist before the
     * first accounted allocation, and it outlives the thread's last one. */
    if (posix_memalign((void **)&t, RT_CACHELINE, sizeof(*t)) != 0)
        Py_FatalError("cannot allocate a thread record");
    memset(t, 0, sizeof(*t));
    t->os_id = (unsigned long)pthread_self();
    rt_self = t;
    pthread_setspecific(rt_thread_key, t);
    pthread_mutex_lock(&rt_threads_lock);
    t->next = rt_threads;
    rt_threads = t;
    pthread_mutex_unlock(&rt_threads_lock);
    return t;
}

/* ---------------------------------------------------------------- allocator */

static _Atomic uint64_t fail_countdown;   /* atomic: 0 = disarmed */
static _Atomic uint64_t fail_rate_bits;   /* atomic: threshold out of 2^32; 0 = off */
static _Atomic uint64_t fail_seed;        /* atomic */
static _Atomic uint64_t fail_injected;    /* atomic: statistics */

static bool
mem_should_fail(struct rt_thread *t)
{
    uint64_t n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

    while (RT_UNLIKELY(n != 0)) {
        if (atomic_compare_exchange_weak_explicit(&fail_countdown, &n, n - 1,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed)) {
            if (n == 1) {
                atomic_fetch_add_explicit(&fail_injected, 1, memory_order_relaxed);
                return true;
            }
            break;
        }
    }
    uint64_t rate = atomic_load_explicit(&fail_rate_bits, memory_order_relaxed);
    if (RT_UNLIKELY(rate != 0)) {
        /* xorshift64*, per thread; a thread seeds it from the shared seed
         * and its own identity the first time a rate is armed. */
        if (t->rng == 0)
            t->rng = (atomic_load_explicit(&fail_seed, memory_order_relaxed) ^
                      ((uint64_t)t->os_id * 0x9E3779B97F4A7C15ull)) | 1;
        t->rng ^= t->rng >> 12;
        t->rng ^= t->rng << 25;
        t->rng ^= t->rng >> 27;
        if (((t->rng * 0x2545F4914F6CDD1Dull) >> 32) < rate) {
            atomic_fetch_add_explicit(&fail_injected, 1, memory_order_relaxed);
            return true;
        }
    }
    return false;
}

static inline size_t
mem_usable(void *p)
{
#ifdef PYMODRT_WITH_JEMALLOC
    return sallocx(p, 0);
#else
    return malloc_usable_size(p);
#endif
}

static inline void
mem_account(struct rt_thread *t, int64_t delta, int count)
{
    /* Owner-only writes: a relaxed load+store pair is enough, and cheaper
     * than a locked add.  Other threads only read. */
    atomic_store_explicit(&t->mem_bytes,
        atomic_load_explicit(&t->mem_bytes, memory_order_relaxed) + delta,
        memory_order_relaxed);
    if (count)
        atomic_store_explicit(&t->mem_count,
            atomic_load_explicit(&t->mem_count, memory_order_relaxed) + 1,
            memory_order_relaxed);
}

void *
mem_alloc(size_t size)
{
    struct rt_thread *t = rt_thread_get();
    void *p;

    if (mem_should_fail(t))
        return NULL;
    if (size == 0)
        size = 1;
#ifdef PYMODRT_WITH_JEMALLOC
    p = mallocx(size, 0);
#else
    p = malloc(size);
#endif
    if (p != NULL)
        mem_account(t, (int64_t)mem_usable(p), 1);
    return p;
}

void *
mem_calloc(size_t nelem, size_t elsize)
{
    struct rt_thread *t = rt_thread_get();
    size_t size;
    void *p;

    if (elsize != 0 && nelem > SIZE_MAX / elsize)
        return NULL;
    if (mem_should_fail(t))
        return NULL;
    size = nelem * elsize;
    if (size == 0)
        size = 1;
#ifdef PYMODRT_WITH_JEMALLOC
    p = mallocx(size, MALLOCX_ZERO);
#else
    p = calloc(1, size);
#endif
    if (p != NULL)
        mem_account(t, (int64_t)mem_usable(p), 1);
    return p;
}

void *
mem_realloc(void *ptr, size_t size)
{
    struct rt_thread *t;
    size_t old;
    void *p;

    if (ptr == NULL)
        return mem_alloc(size);
    t = rt_thread_get();
    if (mem_should_fail(t))
        return NULL;
    if (size == 0)
        size = 1;
    old = mem_usable(ptr);
#ifdef PYMODRT_WITH_JEMALLOC
    p = rallocx(ptr, size, 0);
#else
    p = realloc(ptr, size);
#endif
    if (p != NULL)
        mem_account(t, (int64_t)mem_usable(p) - (int64_t)old, 1);
    return p;
}

void
mem_free(void *ptr)
{
    if (ptr == NULL)
        return;
    mem_account(rt_thread_get(), -(int64_t)mem_usable(ptr), 0);
#ifdef PYMODRT_WITH_JEMALLOC
    dallocx(ptr, 0);
#else
    free(ptr);
#endif
}

char *
mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------ CPython API */

static inline int
mem_size_ok(size_t size)
{
    return size <= (size_t)PY_SSIZE_T_MAX;
}

void *PyMem_RawMalloc(size_t size) { return mem_size_ok(size) ? mem_alloc(size) : NULL; }
void *PyMem_RawCalloc(size_t n, size_t s) { return mem_calloc(n, s); }
void *PyMem_RawRealloc(void *p, size_t size) { return mem_size_ok(size) ? mem_realloc(p, size) : NULL; }
void PyMem_RawFree(void *p) { mem_free(p); }
void *PyMem_Malloc(size_t size) { return mem_size_ok(size) ? mem_alloc(size) : NULL; }
void *PyMem_Calloc(size_t n, size_t s) { return mem_calloc(n, s); }
void *PyMem_Realloc(void *p, size_t size) { return mem_size_ok(size) ? mem_realloc(p, size) : NULL; }
void PyMem_Free(void *p) { mem_free(p); }
void *PyObject_Malloc(size_t size) { return mem_size_ok(size) ? mem_alloc(size) : NULL; }
void *PyObject_Calloc(size_t n, size_t s) { return mem_calloc(n, s); }
void *PyObject_Realloc(void *p, size_t size) { return mem_size_ok(size) ? mem_realloc(p, size) : NULL; }
void PyObject_Free(void *p) { mem_free(p); }

/* ------------------------------------------------------------ pymodrt API */

int64_t
pymodrt_mem_allocated(void)
{
    int64_t sum;
    struct rt_thread *t;

    pthread_mutex_lock(&rt_threads_lock);
    sum = rt_exited_bytes;
    for (t = rt_threads; t != NULL; t = t->next)
        sum += atomic_load_explicit(&t->mem_bytes, memory_order_relaxed);
    pthread_mutex_unlock(&rt_threads_lock);
    return sum;
}

uint64_t
rt_counter_sum(enum rt_counter c)
{
    uint64_t sum;
    struct rt_thread *t;

    pthread_mutex_lock(&rt_threads_lock);
    sum = rt_exited_counters[c];
    for (t = rt_threads; t != NULL; t = t->next)
        sum += atomic_load_explicit(&t->counters[c], memory_order_relaxed);
    pthread_mutex_unlock(&rt_threads_lock);
    return sum;
}

uint64_t
pymodrt_mem_allocations(void)
{
    uint64_t sum;
    struct rt_thread *t;

    pthread_mutex_lock(&rt_threads_lock);
    sum = rt_exited_count;
    for (t = rt_threads; t != NULL; t = t->next)
        sum += atomic_load_explicit(&t->mem_count, memory_order_relaxed);
    pthread_mutex_unlock(&rt_threads_lock);
    return sum;
}

void
pymodrt_mem_fail_nth(uint64_t n)
{
    atomic_store_explicit(&fail_countdown, n, memory_order_relaxed);
}

void
pymodrt_mem_fail_rate(double rate, uint64_t seed)
{
    uint64_t bits = 0;

    if (rate > 0.0)
        bits = rate >= 1.0 ? (1ull << 32) : (uint64_t)(rate * 4294967296.0);
    if (bits == 0 && rate > 0.0)
        bits = 1;
    atomic_store_explicit(&fail_seed, seed, memory_order_relaxed);
    rt_thread_get()->rng = seed | 1;
    atomic_store_explicit(&fail_rate_bits, bits, memory_order_relaxed);
}

uint64_t
pymodrt_mem_failures_injected(void)
{
    return atomic_load_explicit(&fail_injected, memory_order_relaxed);
}

int
pymodrt_mem_uses_jemalloc(void)
{
#ifdef PYMODRT_WITH_JEMALLOC
    return 1;
#else
    return 0;
#endif
}
