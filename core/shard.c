/* shard.c: sharded reference counts for the registry's hot objects.
 *
 * THE PROBLEM
 * A registry hit returns a new reference to the module, and the caller
 * drops it again; an extension does the same with the functions it looks
 * up and the heap types it instantiates.  With one count per object, every
 * thread that imports a module writes the module's first cache line, and
 * two threads doing nothing but imports of one module run slower together
 * than one alone (measured: 0.48x).  Those objects are few and long-lived:
 * a module in sys.modules, and the functions and heap types whose
 * __self__ / module is that module (its "companions").
 *
 * THE SCHEME (CPython 3.14's free-threaded build counts heap types per
 * thread for the same reason; this is our own design of the idea)
 * A sharded object's refcount word reads, field by field:
 *     ob_flags     its flags | _Py_SHARDED_FLAG
 *     ob_overflow  its shard id k, 1..65535, in its interpreter's table
 *     ob_refcnt    BIAS + base, BIAS = 0xC0000000 (negative as an int32)
 * and its true count is
 *     base + entry[k].merged + sum over thread states ts of ts->shard_vals[k].n
 * Because ob_refcnt reads negative, the inline Py_INCREF/Py_DECREF take
 * their immortal branch, see the flag, and add +-1 to the current thread
 * state's own array (rt_shard_add in pycore.h; extensions reach it through
 * _pymodrt_shard_incref/_decref): a write to memory no other thread
 * writes.  Immortal objects lack the flag and still cost one load.
 *
 * WHY IT IS CORRECT
 *  R1 Additive words.  Sharding CASes the plain word (count c) to the
 *     sharded one with base c + 1; folding CASes it back to the plain count.
 *     A plain fetch_add/sub_fetch that loaded the old form lands on the new
 *     one as +-1 on base or count, which is what it means in either form;
 *     so a thread outside the protocol (no thread state, not attached,
 *     another interpreter, no array room) may always fall back to an atomic
 *     add on the word.  Such a decrement deallocates only when it leaves a
 *     plain word at zero.  Only objects with c <= 2^29 are sharded, and
 *     only single references ever reach the word, so base stays far from
 *     the bias's +-2^30 and never carries into the id.
 *  R2 No zero while sharded.  The shard itself holds one reference (the
 *     +1 above), so the true count stays >= 1 and no share ever has to
 *     notice a zero.  An object is freed only after a fold.
 *  R3 Who writes a share.  ts->shard_vals[k] is a slot {tag, n}, written
 *     only by ts's owner thread while ts is attached.  The tag names the
 *     object counted there: the slow path sets it only after checking that
 *     entry k of ts's interpreter holds this very object, and every fold of
 *     k resets it (R4), so the hot path's whole check is tag == object.
 *     Between a check and its write, entry k cannot change: freeing it
 *     needs a fold (R4), which needs the writer parked or gone, and the
 *     writer is between two safe points.  (Checking the interpreter alone
 *     would not do: a thread of another interpreter that loaded k from an
 *     object of interpreter A, then slept while A folded it and B reused
 *     k, would count A's object in B's object's share.)  A thread that
 *     touches another interpreter's object - isolation forbids it, but a
 *     single-phase module's m_copy is shared that way - finds no entry for
 *     it in its own table and counts on the word.
 *  R4 Folding id k runs with shards.mu held and with no other thread of the
 *     object's interpreter running refcount code: either its GIL group is
 *     stopped (gil_stop_world: every other attached thread of the group is
 *     parked at a safe point; or the caller holds the enabled GIL, which
 *     excludes the others), or the interpreter is ending and the caller's
 *     thread state is its last one.  By R3 only thread states of that
 *     interpreter hold shares of k; the stop handshake (mutex and seq_cst
 *     status words in gil/gil.c) orders their share writes before the
 *     folder's reads.  The folder sums every such share and resets its
 *     slot (tag and count), adds entry[k].merged, and CASes the word (a
 *     fallback add of R1 may race with it).
 *  R5 Afterwards no slot is tagged with k's object (R3, R4), so the id's
 *     next object starts from empty slots.
 *  R6 A thread state that is deleted moves its nonzero shares into
 *     entry[k].merged, a 64-bit sum, under shards.mu.  A nonzero share
 *     means entry k still holds the object it counts (R4 zeroes under
 *     shards.mu).
 *     Shares are unbounded - a producer thread that makes instances of a
 *     type and a consumer that frees them grow +N and -N - which is why
 *     they never go into the 32-bit word.
 *  R7 Py_REFCNT of a sharded object is approximate: base plus merged plus
 *     the caller's own share (never below 1).  Nothing in the runtime
 *     decides on it; the orphan collector folds a module before it counts.
 *  R8 A companion is sharded only while its owner is (checked under
 *     shards.mu), and nothing is sharded for an interpreter that has begun
 *     to end: so every sharded object is folded by its owner's fold or by
 *     its interpreter's end.
 *
 * WHEN
 * The loader shards a module and its companions once an import published
 * it (rt_shard_module).  The orphan collector folds a sharded module that
 * has left sys.modules, with the world stopped it already needs
 * (core/moduleobject.c), walking the owner's chain of ids; an ending
 * interpreter folds everything of its own first (rt_shard_release_interp),
 * without stopping anyone when its ending thread is its last.  A companion
 * replaced in the module therefore lives until its module is folded:
 * deferred, never early.
 * An object whose last reference was the shard's own cannot be freed while
 * the world is stopped: its entry is marked pending, and rt_shard_drop_pending
 * drops it once the world runs again (no allocation on the way).
 *
 * MEMORY
 * Each interpreter has its own table (struct rt_shards in pycore.h): up to
 * RT_SHARD_CHUNKS chunks of RT_SHARD_CHUNK entries with their bitmaps,
 * allocated on first use and never moved until the interpreter is deleted,
 * so the hot path reads an entry without a lock.  Ids are handed out
 * lowest first, so an interpreter's ids, and its thread states' arrays,
 * stay as short as the number of objects it shards.  An array grows to
 * the highest id its thread touched; when it cannot grow, the thread takes
 * the fallback of R1.
 *
 * LOCKS
 * shards.mu, one per interpreter (a pthread mutex and a leaf: nothing
 * under it blocks or parks), guards the bitmaps, the entries, the arrays'
 * registration and moves, 'closed', the pending list, and folds.  A folder
 * takes it after stopping the world; no thread holds it across a safe
 * point, so that order cannot deadlock.
 *
 * Binary note: extensions built against headers older than sharding see a
 * sharded word as immortal and skip their counts; they must be rebuilt. */
#include "internal/module.h"

#include <string.h>

#define SHARD_BIAS ((int64_t)0xC0000000u)
#define SHARD_MIN_CAP 64u

static inline uint32_t
word_id(int64_t w)
{
    return (uint32_t)((uint64_t)w >> 32) & 0xFFFFu;
}

static inline struct rt_shard_entry *
entry_of(PyInterpreterState *interp, uint32_t k)   /* k handed out: its chunk exists */
{
    struct rt_shard_chunk *c =
        __atomic_load_n(&interp->shards.chunks[k / RT_SHARD_CHUNK], __ATOMIC_ACQUIRE);

    return &c->e[k % RT_SHARD_CHUNK];
}

/* ------------------------------------------------------------ the hot path */

/* Atomic add on the word (R1); a decrement that leaves a plain zero frees. */
static void
shard_add_word(PyObject *op, int d)
{
    if (d > 0) {
        __atomic_fetch_add(&op->ob_refcnt_full, 1, __ATOMIC_RELAXED);
        return;
    }
    int64_t w = __atomic_sub_fetch(&op->ob_refcnt_full, 1, __ATOMIC_ACQ_REL);
    if ((w & _Py_SHARDED_WORD_BIT) == 0 && (uint32_t)w == 0)
        _Py_Dealloc(op);
}

/* ts's array grows to hold id k.  Owner thread, ts attached on it.  0 or
 * -1. */
static int
shard_grow(struct rt_thread *t, PyThreadState *ts, uint32_t k)
{
    struct rt_shards *sh = &ts->interp->shards;
    uint32_t cap = ts->shard_cap ? ts->shard_cap : SHARD_MIN_CAP;
    struct rt_shard_slot *vals, *old;

    while (cap <= k)
        cap *= 2;
    vals = mem_calloc(cap, sizeof(*vals));
    if (vals == NULL)
        return -1;
    pthread_mutex_lock(&sh->mu);
    old = ts->shard_vals;
    if (old != NULL) {
        memcpy(vals, old, ts->shard_cap * sizeof(*vals));
    } else {
        ts->shard_next = sh->arrays;
        sh->arrays = ts;
    }
    ts->shard_vals = vals;
    ts->shard_cap = cap;
    pthread_mutex_unlock(&sh->mu);
    t->shard_slots = vals;
    t->shard_cap = cap;
    mem_free(old);
    return 0;
}

/* Everything but the common case of rt_shard_add (pycore.h): a slot not
 * yet tagged with this object, no array room yet, no thread state, not
 * attached, or an object of another interpreter (R1, R3). */
void
rt_shard_add_slow(PyObject *op, int d)
{
    struct rt_thread *t = rt_thread_peek();
    PyThreadState *ts = t != NULL ? t->tstate : NULL;
    uint32_t k = rt_shard_id(op);

    if (ts != NULL && ts->attached && rt_shard_entry_is(ts->shard_chunks, k, op) &&
        (k < ts->shard_cap || shard_grow(t, ts, k) == 0)) {
        struct rt_shard_slot *slot = &ts->shard_vals[k];
        /* Entry k holds 'op', so any older tag of slot k was reset by the
         * fold that freed k. */
        assert(slot->obj == NULL || slot->obj == op);
        assert(slot->obj != NULL || slot->n == 0);
        slot->obj = op;
        slot->n += d;
        return;
    }
    shard_add_word(op, d);
}

/* PyThreadState_Swap: thread 't' attached 'ts' (or detached, ts NULL). */
void
rt_shard_thread_switch(struct rt_thread *t, PyThreadState *ts)
{
    t->shard_slots = ts != NULL ? ts->shard_vals : NULL;
    t->shard_cap = ts != NULL ? ts->shard_cap : 0;
}

/* What extensions' inline Py_INCREF/Py_DECREF call (include/object.h). */
void
_pymodrt_shard_incref(PyObject *op)
{
    rt_shard_add(op, 1);
}

void
_pymodrt_shard_decref(PyObject *op)
{
    rt_shard_add(op, -1);
}

Py_ssize_t
_pymodrt_shard_refcnt(PyObject *op)
{
    int64_t w = __atomic_load_n(&op->ob_refcnt_full, __ATOMIC_ACQUIRE);
    Py_ssize_t n;

    if ((w & _Py_SHARDED_WORD_BIT) == 0)
        return Py_REFCNT(op);
    n = (Py_ssize_t)((int64_t)(uint32_t)w - SHARD_BIAS);
    struct rt_thread *t = rt_thread_peek();
    PyThreadState *ts = t != NULL ? t->tstate : NULL;
    uint32_t k = word_id(w);
    if (ts != NULL && ts->attached && rt_shard_entry_is(ts->shard_chunks, k, op)) {
        n += (Py_ssize_t)__atomic_load_n(&entry_of(ts->interp, k)->merged, __ATOMIC_RELAXED);
        if (k < ts->shard_cap && ts->shard_vals[k].obj == op)
            n += ts->shard_vals[k].n;
    }
    return n > 1 ? n : 1;
}

/* ---------------------------------------------------------------- sharding */

/* A free id of 'interp' with its chunk allocated, or 0.  shards.mu held. */
static uint32_t
id_alloc_locked(PyInterpreterState *interp)
{
    struct rt_shards *sh = &interp->shards;

    for (uint32_t c = 0; c < RT_SHARD_CHUNKS; c++) {
        struct rt_shard_chunk *ch = sh->chunks[c];
        if (ch == NULL) {
            ch = mem_calloc(1, sizeof(*ch));
            if (ch == NULL)
                return 0;
            __atomic_store_n(&sh->chunks[c], ch, __ATOMIC_RELEASE);
        }
        for (uint32_t w = 0; w < RT_SHARD_CHUNK / 64; w++) {
            uint64_t free_bits = ~ch->used[w];
            if (c == 0 && w == 0)
                free_bits &= ~(uint64_t)1;   /* id 0 means "no id" */
            if (free_bits != 0) {
                uint32_t b = (uint32_t)__builtin_ctzll(free_bits);
                ch->used[w] |= (uint64_t)1 << b;
                return c * RT_SHARD_CHUNK + w * 64 + b;
            }
        }
    }
    return 0;
}

static int
id_used_locked(PyInterpreterState *interp, uint32_t k)
{
    struct rt_shard_chunk *ch = interp->shards.chunks[k / RT_SHARD_CHUNK];
    uint32_t i = k % RT_SHARD_CHUNK;

    return ch != NULL && ((ch->used[i / 64] >> (i % 64)) & 1u);
}

static void
id_free_locked(PyInterpreterState *interp, uint32_t k)
{
    struct rt_shard_chunk *ch = interp->shards.chunks[k / RT_SHARD_CHUNK];
    uint32_t i = k % RT_SHARD_CHUNK;
    struct rt_shard_entry *e = &ch->e[i];

    __atomic_store_n(&e->obj, NULL, __ATOMIC_RELAXED);
    e->owner = e->held = NULL;
    e->merged = 0;
    e->chain = 0;
    ch->used[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* The id of a sharded owner.  shards.mu held: it cannot change meanwhile. */
static uint32_t
owner_id(PyObject *owner)
{
    return word_id(__atomic_load_n(&owner->ob_refcnt_full, __ATOMIC_RELAXED));
}

/* Shards 'op', an object of 'interp', on behalf of 'owner' (R1: a CAS from
 * the plain word).  The caller holds a reference.  Returns 1, or 0 when
 * 'op' stays plain: immortal or already sharded, a count above 2^29 (R1),
 * an owner that is no longer sharded or an interpreter that is ending
 * (R8), or no id or memory. */
static int
shard_object(PyObject *op, PyObject *owner, PyInterpreterState *interp)
{
    struct rt_shards *sh = &interp->shards;
    int64_t old = __atomic_load_n(&op->ob_refcnt_full, __ATOMIC_RELAXED), new;
    struct rt_shard_entry *e;
    uint32_t k;

    if ((int32_t)(uint32_t)old < 0 || word_id(old) != 0)
        return 0;
    pthread_mutex_lock(&sh->mu);
    if (sh->closed || (owner != op && !rt_is_sharded(owner)) ||
        (k = id_alloc_locked(interp)) == 0) {
        pthread_mutex_unlock(&sh->mu);
        return 0;
    }
    e = entry_of(interp, k);
    e->owner = owner;
    if (owner != op) {
        /* Into the owner's chain, right after the owner's own entry. */
        struct rt_shard_entry *oe = entry_of(interp, owner_id(owner));
        e->chain = oe->chain;
        oe->chain = k;
    }
    __atomic_store_n(&e->obj, op, __ATOMIC_RELAXED);
    do {
        if ((int32_t)(uint32_t)old < 0 || (uint32_t)old > (1u << 29)) {
            if (owner != op)                    /* sharded or grown meanwhile */
                entry_of(interp, owner_id(owner))->chain = e->chain;
            id_free_locked(interp, k);
            pthread_mutex_unlock(&sh->mu);
            return 0;
        }
        new = (old & ~(int64_t)0xFFFFFFFFFFFF) | _Py_SHARDED_WORD_BIT |
              ((int64_t)k << 32) | (SHARD_BIAS + (int64_t)(uint32_t)old + 1);
    } while (!__atomic_compare_exchange_n(&op->ob_refcnt_full, &old, new, 1,
                                          __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    pthread_mutex_unlock(&sh->mu);
    return 1;
}

struct shard_walk {
    PyObject *m;
    PyInterpreterState *interp;
};

static int
shard_visit(PyObject *op, void *arg)
{
    struct shard_walk *w = arg;

    if (op != NULL && mod_owns_ref(op, w->m))
        shard_object(op, w->m, w->interp);
    return 0;
}

void
rt_shard_module(PyObject *m)
{
    PyThreadState *ts = ts_get();
    PyModuleObject *mod = (PyModuleObject *)m;
    struct shard_walk w = {m, ts != NULL ? ts->interp : NULL};
    PyObject *values;

    if (w.interp == NULL || !PyModule_Check(m) || !shard_object(m, m, w.interp))
        return;
    /* The module's functions and types: the dict's values (a snapshot with
     * references, as other threads may already change the dict), then
     * what the state holds.  Either may reach a safe point where the
     * module is folded; shard_object then refuses its companions (R8). */
    values = PyDict_Values(mod->md_dict);
    if (values != NULL) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(values); i++)
            shard_visit(PyList_GET_ITEM(values, i), &w);
        Py_DECREF(values);
    } else {
        PyErr_Clear();
    }
    traverseproc trav = __atomic_load_n(&mod->md_traverse, __ATOMIC_ACQUIRE);
    if (trav != NULL && mod_hooks_allowed(mod))
        trav(m, shard_visit, &w);
}

/* ----------------------------------------------------------------- folding */

/* Folds id k of 'interp' back into a plain count (R4) and drops the
 * shard's own reference: in place when others remain (the count cannot
 * reach zero); otherwise the entry stays, pending, holding that last
 * reference for rt_shard_drop_pending, since nothing may be freed while
 * the world is stopped.  shards.mu held, the other threads of 'interp'
 * stopped or gone (R4). */
static void
fold_locked(PyInterpreterState *interp, uint32_t k)
{
    struct rt_shard_entry *e = entry_of(interp, k);
    PyObject *op = e->obj;
    int64_t sum = e->merged, old, new, raw, keep;

    for (PyThreadState *ts = interp->shards.arrays; ts != NULL; ts = ts->shard_next) {
        if (k < ts->shard_cap && ts->shard_vals[k].obj != NULL) {
            assert(ts->shard_vals[k].obj == op);
            sum += ts->shard_vals[k].n;
            ts->shard_vals[k].obj = NULL;     /* the tag goes with the id */
            ts->shard_vals[k].n = 0;
        }
    }
    old = __atomic_load_n(&op->ob_refcnt_full, __ATOMIC_RELAXED);
    do {
        raw = (int64_t)(uint32_t)old - SHARD_BIAS + sum;   /* >= 1 by R2 */
        keep = raw > 1 ? raw - 1 : raw;   /* the shard's reference, in place */
        new = (old & ~(_Py_SHARDED_WORD_BIT | (int64_t)0xFFFFFFFFFFFF)) |
              (keep > INT32_MAX ? SHARD_BIAS : keep);    /* saturate: immortal */
    } while (!__atomic_compare_exchange_n(&op->ob_refcnt_full, &old, new, 1,
                                          __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    assert(raw >= 1);
    if (raw == 1) {
        /* Only the shard's reference is left: keep the id (the word no
         * longer names it, so nobody counts on it) until the drop. */
        __atomic_store_n(&e->obj, NULL, __ATOMIC_RELAXED);
        e->held = op;
        e->owner = NULL;
        e->merged = 0;
        e->chain = interp->shards.pending;
        interp->shards.pending = k;
    } else {
        id_free_locked(interp, k);
    }
}

void
rt_shard_fold_owner_stopped(PyInterpreterState *interp, PyObject *owner)
{
    pthread_mutex_lock(&interp->shards.mu);
    if (rt_is_sharded(owner)) {
        /* The owner's chain: its companions, then the owner itself. */
        uint32_t k0 = owner_id(owner), k = entry_of(interp, k0)->chain;
        assert(entry_of(interp, k0)->obj == owner);
        while (k != 0) {
            uint32_t next = entry_of(interp, k)->chain;
            fold_locked(interp, k);
            k = next;
        }
        fold_locked(interp, k0);
    }
    pthread_mutex_unlock(&interp->shards.mu);
}

void
rt_shard_drop_pending(PyInterpreterState *interp)
{
    struct rt_shards *sh = &interp->shards;

    for (;;) {
        PyObject *op = NULL;

        pthread_mutex_lock(&sh->mu);
        uint32_t k = sh->pending;
        if (k != 0) {
            sh->pending = entry_of(interp, k)->chain;
            op = entry_of(interp, k)->held;
            id_free_locked(interp, k);
        }
        pthread_mutex_unlock(&sh->mu);
        if (op == NULL)
            return;
        Py_DECREF(op);   /* may free it: the world runs */
    }
}

void
rt_shard_release_interp(PyInterpreterState *interp)
{
    struct rt_shards *sh = &interp->shards;
    PyThreadState *ts = ts_get();
    int stopped = 0, alone;

    pthread_mutex_lock(&sh->mu);
    sh->closed = 1;   /* R8: nothing more is sharded for it */
    pthread_mutex_unlock(&sh->mu);
    /* R4: only thread states of 'interp' hold shares of its objects.  When
     * the caller's is its only one (Py_EndInterpreter demands it), nobody
     * else can be counting and no stop is needed; otherwise (the main
     * interpreter's end with other threads still attached) stop them. */
    pthread_mutex_lock(&interp->threads_lock);
    alone = ts != NULL && ts->interp == interp && interp->threads == ts && ts->next == NULL;
    pthread_mutex_unlock(&interp->threads_lock);
    if (!alone && ts != NULL && ts->attached && ts->interp->gil == interp->gil)
        stopped = rt_gil_stop_world(ts);
    pthread_mutex_lock(&sh->mu);
    for (uint32_t c = 0; c < RT_SHARD_CHUNKS; c++) {
        struct rt_shard_chunk *ch = sh->chunks[c];
        for (uint32_t i = 0; ch != NULL && i < RT_SHARD_CHUNK; i++) {
            uint32_t k = c * RT_SHARD_CHUNK + i;
            if (ch->e[i].obj != NULL && id_used_locked(interp, k))
                fold_locked(interp, k);
        }
    }
    pthread_mutex_unlock(&sh->mu);
    if (stopped)
        rt_gil_start_world(ts);
    rt_shard_drop_pending(interp);
}

void
rt_shard_ts_fini(PyThreadState *ts)
{
    PyInterpreterState *interp = ts->interp;
    struct rt_shard_slot *vals;

    pthread_mutex_lock(&interp->shards.mu);
    vals = ts->shard_vals;
    if (vals != NULL) {
        /* R6: a nonzero share belongs to the object entry k holds. */
        for (uint32_t k = 1; k < ts->shard_cap; k++) {
            if (vals[k].obj != NULL && vals[k].n != 0) {
                struct rt_shard_entry *e = entry_of(interp, k);
                assert(id_used_locked(interp, k) && e->obj == vals[k].obj);
                __atomic_store_n(&e->merged, e->merged + (int64_t)vals[k].n, __ATOMIC_RELAXED);
            }
        }
        for (PyThreadState **p = &interp->shards.arrays; *p != NULL; p = &(*p)->shard_next) {
            if (*p == ts) {
                *p = ts->shard_next;
                break;
            }
        }
        ts->shard_vals = NULL;
        ts->shard_cap = 0;
    }
    pthread_mutex_unlock(&interp->shards.mu);
    mem_free(vals);
}

void
rt_shard_interp_init(PyInterpreterState *interp)
{
    pthread_mutex_init(&interp->shards.mu, NULL);
}

/* The interpreter is deleted: its objects were folded when it ended and
 * its thread states are gone, so its table goes. */
void
rt_shard_interp_fini(PyInterpreterState *interp)
{
    struct rt_shards *sh = &interp->shards;

    assert(sh->arrays == NULL && sh->pending == 0);
    for (uint32_t c = 0; c < RT_SHARD_CHUNKS; c++) {
        mem_free(sh->chunks[c]);
        sh->chunks[c] = NULL;
    }
    pthread_mutex_destroy(&sh->mu);
}
