/* lock.c: PyMutex and critical sections.
 *
 * PyMutex is one byte: bit 0 LOCKED, bit 1 PARKED (threads sleep on it).
 * Lock: CAS 0 -> LOCKED inline; under contention spin briefly, then park on
 * one of PARK_BUCKETS condition variables chosen by the mutex's address
 * (a "parking lot": mutexes stay one byte).  A parking thread sets PARKED
 * under its bucket's mutex and re-checks before sleeping; an unlock that
 * sees PARKED clears the byte under the same bucket mutex and wakes the
 * bucket, so no wake-up is lost.  Several mutexes may share a bucket: a
 * woken thread re-checks its own mutex and parks again.  A thread parks
 * detached (PyEval_SaveThread), so the GIL and stop-the-world never wait
 * on a thread blocked on a PyMutex.
 *
 * Critical sections: objects have no lock of their own in pymodrt's
 * header, so an object's critical section takes the stripe of CS_STRIPES
 * mutexes its address hashes to (two objects on one stripe simply share a
 * lock).  Each thread keeps a stack of its sections (ts->cs_top, linked
 * through _cs_prev).  _cs_prev's low bits:
 *     bit 0  the section is a PyCriticalSection2
 *     bit 1  HELD: the section's mutexes are locked by this thread now
 *     bit 2  REENTRANT: the section re-entered a mutex an enclosing held
 *            section owns, so it locked nothing (yet)
 * Deadlock freedom, as in free-threaded CPython: a begin that would block
 * while the thread holds other sections first suspends them all (unlocks,
 * clears HELD); detaching suspends them too.  Only the innermost section
 * is resumed (relocked) - when it becomes innermost again after an inner
 * section ends, or on attach.  So a thread never blocks while holding a
 * critical-section lock, and no cycle of waits can form among them. */
#include "internal/pycore.h"

#undef PyMutex_Lock
#undef PyMutex_Unlock

#define PM_LOCKED 1
#define PM_PARKED 2
#define PARK_BUCKETS 64
#define CS_STRIPES 1024
#define SPINS 64

#if defined(__x86_64__)
#  define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#  define cpu_relax() __asm__ __volatile__("yield")
#else
#  define cpu_relax() ((void)0)
#endif

struct park_bucket {
    pthread_mutex_t mu;                      /* guards sleepers on this bucket */
    pthread_cond_t cv;
} __attribute__((aligned(RT_CACHELINE)));

static struct park_bucket park[PARK_BUCKETS];
static pthread_once_t park_once = PTHREAD_ONCE_INIT;
static PyMutex cs_stripes[CS_STRIPES];      /* the objects' locks (PyMutex protocol) */

static void
park_init(void)
{
    for (int i = 0; i < PARK_BUCKETS; i++) {
        pthread_mutex_init(&park[i].mu, NULL);
        pthread_cond_init(&park[i].cv, NULL);
    }
}

static struct park_bucket *
bucket_of(const void *p)
{
    uintptr_t a = (uintptr_t)p;

    return &park[((a >> 3) ^ (a >> 11)) % PARK_BUCKETS];
}

static inline uint8_t
bits_load(PyMutex *m)
{
    return __atomic_load_n(&m->_bits, __ATOMIC_RELAXED);
}

static inline int
bits_cas(PyMutex *m, uint8_t *expected, uint8_t desired)
{
    return __atomic_compare_exchange_n(&m->_bits, expected, desired, 0, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

static int
mutex_trylock(PyMutex *m)
{
    uint8_t v = bits_load(m);

    while (!(v & PM_LOCKED))
        if (bits_cas(m, &v, v | PM_LOCKED))
            return 1;
    return 0;
}

/* Parks until the mutex looks unlocked.  Runs detached. */
static void
mutex_park(PyMutex *m)
{
    struct park_bucket *b = bucket_of(m);
    uint8_t v;

    pthread_once(&park_once, park_init);
    pthread_mutex_lock(&b->mu);
    v = bits_load(m);
    while (v & PM_LOCKED) {
        if (!(v & PM_PARKED)) {
            if (!bits_cas(m, &v, v | PM_PARKED))
                continue;           /* v reloaded: decide again */
        }
        pthread_cond_wait(&b->cv, &b->mu);
        v = bits_load(m);
    }
    pthread_mutex_unlock(&b->mu);
}

void
PyMutex_Lock(PyMutex *m)
{
    for (int i = 0; i < SPINS; i++) {
        if (mutex_trylock(m))
            return;
        cpu_relax();
    }
    for (;;) {
        if (mutex_trylock(m))
            return;
        PyThreadState *ts = ts_get();
        if (ts != NULL && ts->attached) {
            PyThreadState *saved = PyEval_SaveThread();
            mutex_park(m);
            PyEval_RestoreThread(saved);
        } else {
            mutex_park(m);
        }
    }
}

void
PyMutex_Unlock(PyMutex *m)
{
    uint8_t v = bits_load(m);
    struct park_bucket *b;

    for (;;) {
        if (!(v & PM_LOCKED))
            Py_FatalError("unlocking mutex that is not locked");
        if (v & PM_PARKED)
            break;
        if (__atomic_compare_exchange_n(&m->_bits, &v, (uint8_t)0, 0, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED))
            return;
    }
    pthread_once(&park_once, park_init);
    b = bucket_of(m);
    pthread_mutex_lock(&b->mu);
    __atomic_store_n(&m->_bits, 0, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

int
PyMutex_IsLocked(PyMutex *m)
{
    return (bits_load(m) & PM_LOCKED) != 0;
}

/* ------------------------------------------------------ critical sections */

#define CS_TWO 0x1u
#define CS_HELD 0x2u
#define CS_REENTRANT 0x4u
#define CS_FLAGS 0x7u

static inline PyCriticalSection *
cs_prev(PyCriticalSection *c)
{
    return (PyCriticalSection *)(c->_cs_prev & ~(uintptr_t)CS_FLAGS);
}

static inline PyMutex *
cs_mutex2(PyCriticalSection *c)
{
    return (c->_cs_prev & CS_TWO) ? ((PyCriticalSection2 *)c)->_cs_mutex2 : NULL;
}

static PyMutex *
object_mutex(PyObject *op)
{
    uintptr_t a = (uintptr_t)op;

    return &cs_stripes[((a >> 4) ^ (a >> 14)) % CS_STRIPES];
}

/* Is 'm' locked by one of this thread's held sections? */
static int
cs_holds(PyThreadState *ts, PyMutex *m)
{
    for (PyCriticalSection *c = ts->cs_top; c != NULL; c = cs_prev(c))
        if ((c->_cs_prev & CS_HELD) && !(c->_cs_prev & CS_REENTRANT) &&
            (c->_cs_mutex == m || cs_mutex2(c) == m))
            return 1;
    return 0;
}

static void
cs_unlock_section(PyCriticalSection *c)
{
    if (!(c->_cs_prev & CS_HELD))
        return;
    if (!(c->_cs_prev & CS_REENTRANT)) {
        PyMutex *m2 = cs_mutex2(c);
        if (m2 != NULL)
            PyMutex_Unlock(m2);
        if (c->_cs_mutex != NULL)
            PyMutex_Unlock(c->_cs_mutex);
    }
    c->_cs_prev &= ~(uintptr_t)CS_HELD;
}

void
cs_suspend_all(PyThreadState *ts)
{
    for (PyCriticalSection *c = ts->cs_top; c != NULL; c = cs_prev(c))
        cs_unlock_section(c);
}

/* Locks a section's mutexes (address order for two), suspending every
 * other held section first if that would block. */
static void
cs_lock_section(PyThreadState *ts, PyCriticalSection *c)
{
    PyMutex *m1 = c->_cs_mutex, *m2 = cs_mutex2(c);

    c->_cs_prev &= ~(uintptr_t)CS_REENTRANT;
    if (m2 != NULL && m2 < m1) {
        PyMutex *t = m1;
        m1 = m2;
        m2 = t;
    }
    if (ts != NULL && cs_holds(ts, m1) && (m2 == NULL || cs_holds(ts, m2))) {
        c->_cs_prev |= CS_HELD | CS_REENTRANT;   /* everything is already ours */
        return;
    }
    if (ts != NULL && (cs_holds(ts, m1) || (m2 != NULL && cs_holds(ts, m2))))
        cs_suspend_all(ts);   /* partly ours: start from a clean slate */
    if (mutex_trylock(m1)) {
        if (m2 == NULL || mutex_trylock(m2)) {
            c->_cs_prev |= CS_HELD;
            return;
        }
        PyMutex_Unlock(m1);
    }
    /* Would block: hold nothing while waiting.  The stack is hidden while
     * we wait, so that the detach/attach around a parked PyMutex_Lock does
     * not resume (relock) an outer section while this one still waits. */
    PyCriticalSection *saved_top = NULL;
    if (ts != NULL) {
        cs_suspend_all(ts);
        saved_top = ts->cs_top;
        ts->cs_top = NULL;
    }
    PyMutex_Lock(m1);
    if (m2 != NULL)
        PyMutex_Lock(m2);
    if (ts != NULL)
        ts->cs_top = saved_top;
    c->_cs_prev |= CS_HELD;
}

void
cs_resume_top(PyThreadState *ts)
{
    PyCriticalSection *c = ts->cs_top;

    if (c != NULL && !(c->_cs_prev & CS_HELD))
        cs_lock_section(ts, c);
}

static void
cs_begin(PyCriticalSection *c, PyMutex *m1, PyMutex *m2, int two)
{
    PyThreadState *ts = ts_get();

    c->_cs_mutex = m1;
    if (two)
        ((PyCriticalSection2 *)c)->_cs_mutex2 = m2 == m1 ? NULL : m2;
    c->_cs_prev = two ? CS_TWO : 0;
    if (ts != NULL)
        c->_cs_prev |= (uintptr_t)ts->cs_top;
    cs_lock_section(ts, c);
    if (ts != NULL)
        ts->cs_top = c;
}

static void
cs_end(PyCriticalSection *c)
{
    PyThreadState *ts = ts_get();

    cs_unlock_section(c);
    if (ts == NULL)
        return;
    if (ts->cs_top != c)
        Py_FatalError("critical sections must end in the reverse order they began");
    ts->cs_top = cs_prev(c);
    cs_resume_top(ts);
}

void
PyCriticalSection_Begin(PyCriticalSection *c, PyObject *op)
{
    cs_begin(c, object_mutex(op), NULL, 0);
}

void
PyCriticalSection_BeginMutex(PyCriticalSection *c, PyMutex *m)
{
    cs_begin(c, m, NULL, 0);
}

void
PyCriticalSection_End(PyCriticalSection *c)
{
    cs_end(c);
}

void
PyCriticalSection2_Begin(PyCriticalSection2 *c, PyObject *a, PyObject *b)
{
    cs_begin(&c->_cs_base, object_mutex(a), object_mutex(b), 1);
}

void
PyCriticalSection2_BeginMutex(PyCriticalSection2 *c, PyMutex *m1, PyMutex *m2)
{
    cs_begin(&c->_cs_base, m1, m2, 1);
}

void
PyCriticalSection2_End(PyCriticalSection2 *c)
{
    cs_end(&c->_cs_base);
}
