/* epoch.c: safe memory reclamation for lock-free readers (ck_epoch).
 *
 * Why ck_epoch rather than a quiescent-state scheme: a dict lookup may run
 * in any thread at any time, including threads that never reach a runtime
 * safe point for a long while (a C loop inside an extension).  With QSBR a
 * single such thread would stall all reclamation; with epochs only threads
 * that are *inside* a read section hold it back, and sections are short
 * (one lookup).  The price is one atomic exchange on the reader's own
 * record per outermost section, which writes no shared cache line.
 *
 * Protocol:
 *   readers   rt_epoch_enter(); load; use/incref; rt_epoch_exit();
 *   writers   unlink under their own lock, then rt_epoch_defer_*(), then,
 *             after releasing the lock, rt_epoch_poll().
 * A deferred callback runs after every section that was active when it was
 * deferred has ended (ck_epoch's e+2 rule).  Callbacks run in the deferring
 * thread, outside any section and any lock of the writer, so a deferred
 * decref may run arbitrary destructors.
 *
 * Records: one ck_epoch_record per OS thread (struct rt_thread), allocated
 * from the system heap because ck_epoch never lets a registered record be
 * freed; a thread that exits waits for its pending callbacks (barrier) and
 * unregisters, and the next new thread recycles the record.
 *
 * ThreadSanitizer cannot see ck_pr's inline-asm atomics, so under TSan the
 * happens-before edges ck_epoch provides are annotated: a reader's section
 * end "releases" the grace token and every deferred callback "acquires" it
 * before touching memory (DEPS.md 1.10); a thread that gives its record
 * back releases the record, and the thread that recycles it acquires it. */
#include "internal/pycore.h"

#include <ck_epoch.h>

#if defined(__SANITIZE_THREAD__)
#  define RT_TSAN 1
#elif defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define RT_TSAN 1
#  endif
#endif
#ifdef RT_TSAN
#  include <sanitizer/tsan_interface.h>
static char rt_tsan_grace;
#  define TSAN_RELEASE(p) __tsan_release(p)
#  define TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#  define TSAN_RELEASE(p) ((void)0)
#  define TSAN_ACQUIRE(p) ((void)0)
#endif

static ck_epoch_t rt_epoch;                       /* ck_epoch's own protocol */
static pthread_once_t rt_epoch_once = PTHREAD_ONCE_INIT;

struct rt_deferred {
    ck_epoch_entry_t entry;   /* must be first */
    void *ptr;
};
CK_EPOCH_CONTAINER(struct rt_deferred, entry, rt_deferred_container)

static void
rt_epoch_init_once(void)
{
    ck_epoch_init(&rt_epoch);
}

/* First epoch use on this thread: register (or recycle) its record. */
static __attribute__((noinline)) ck_epoch_record_t *
rt_epoch_record_slow(struct rt_thread *t)
{
    ck_epoch_record_t *r;

    pthread_once(&rt_epoch_once, rt_epoch_init_once);
    r = ck_epoch_recycle(&rt_epoch, NULL);
    if (r != NULL) {
        /* Taking over a record an exited thread gave back: ck_epoch hands it
         * over with an atomic state word TSan cannot see (inline asm). */
        TSAN_ACQUIRE(r);
    } else {
        if (posix_memalign((void **)&r, RT_CACHELINE, sizeof(*r)) != 0)
            Py_FatalError("cannot allocate an epoch record");
        ck_epoch_register(&rt_epoch, r, NULL);
    }
    t->epoch = r;
    return r;
}

static inline ck_epoch_record_t *
rt_epoch_record(void)
{
    struct rt_thread *t = rt_thread_get();
    ck_epoch_record_t *r = t->epoch;

    return RT_LIKELY(r != NULL) ? r : rt_epoch_record_slow(t);
}

RT_INTERNAL void rt_epoch_thread_exit(struct rt_thread *t);
void
rt_epoch_thread_exit(struct rt_thread *t)
{
    if (t->epoch == NULL)
        return;
    /* ck_epoch_unregister drops pending callbacks: run them first. */
    ck_epoch_barrier(t->epoch);
    TSAN_RELEASE(t->epoch);   /* paired with the acquire after recycling */
    ck_epoch_unregister(t->epoch);
    t->epoch = NULL;
}

void
rt_epoch_enter(void)
{
    ck_epoch_begin(rt_epoch_record(), NULL);
}

void
rt_epoch_exit(void)
{
    TSAN_RELEASE(&rt_tsan_grace);
    ck_epoch_end(rt_thread_peek()->epoch, NULL);
}

static void
rt_deferred_free_cb(ck_epoch_entry_t *e)
{
    struct rt_deferred *d = rt_deferred_container(e);

    TSAN_ACQUIRE(&rt_tsan_grace);
    mem_free(d->ptr);
    free(d);
}

static void
rt_deferred_decref_cb(ck_epoch_entry_t *e)
{
    struct rt_deferred *d = rt_deferred_container(e);
    PyObject *op = d->ptr;

    TSAN_ACQUIRE(&rt_tsan_grace);
    free(d);
    Py_DECREF(op);
}

/* Deferral nodes come from the system heap, outside the accounted memory
 * layer and its fault injection: a writer that has already unlinked an
 * object must be able to retire it.  If even malloc fails, the memory is
 * leaked rather than freed early. */
static struct rt_deferred *
rt_deferred_new(void *ptr)
{
    struct rt_deferred *d = malloc(sizeof(*d));

    if (d != NULL)
        d->ptr = ptr;
    return d;
}

void
rt_epoch_defer_free(void *p)
{
    struct rt_deferred *d;

    if (p == NULL)
        return;
    d = rt_deferred_new(p);
    if (d == NULL)
        return;
    ck_epoch_call(rt_epoch_record(), &d->entry, rt_deferred_free_cb);
}

void
rt_epoch_defer_decref(PyObject *op)
{
    struct rt_deferred *d;

    if (op == NULL || _Py_IsImmortal(op))
        return;
    d = rt_deferred_new(op);
    if (d == NULL)
        return;
    ck_epoch_call(rt_epoch_record(), &d->entry, rt_deferred_decref_cb);
}

void
rt_epoch_poll(void)
{
    struct rt_thread *t = rt_thread_peek();

    if (t == NULL || t->epoch == NULL)
        return;
    /* Never dispatch from inside a section: a callback's destructor could
     * re-enter a reader of the memory being freed. */
    if (ck_pr_load_uint(&t->epoch->active) != 0)
        return;
    ck_epoch_poll(t->epoch);
}

void
rt_epoch_barrier(void)
{
    struct rt_thread *t = rt_thread_peek();

    if (t == NULL || t->epoch == NULL)
        return;
    if (ck_pr_load_uint(&t->epoch->active) != 0)
        return;
    ck_epoch_barrier(t->epoch);
}
