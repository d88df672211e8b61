/* dictobject.c: the dict type: insertion-ordered, lock-free readers,
 * one mutex per dict for writers.
 *
 * LAYOUT
 *   A dict points at a table.  A table is one allocation holding
 *     - 'index': 2^k int32 slots, open addressing (CPython's perturbed probe
 *       sequence); a slot is DKIX_EMPTY (-1), DKIX_DUMMY (-2, a deleted
 *       entry's slot) or the number of an entry;
 *     - 'entries': 'usable' = 2^k * 2/3 entries {hash, seq, key, value},
 *       appended in insertion order.  Deleting an entry clears its key and
 *       value (the entry stays dead until the next rebuild); its index slot
 *       becomes DKIX_DUMMY for good: insertions only take EMPTY slots.  (This
 *       costs nothing: every insertion consumes an entry anyway, so at most
 *       'usable' slots are ever non-EMPTY, with or without reuse.)
 *   When no entry is left to append, the writer rebuilds the live entries, in
 *   order, into a new table sized for 3x the live count (it may shrink) and
 *   publishes it; the old table is retired through the epoch scheme.
 *   An empty dict points at one shared static table with no usable entry, so
 *   PyDict_New and PyDict_Clear never allocate a table.
 *   'seq' numbers entries in insertion order over the dict's whole life
 *   (rebuilds keep it).  PyDict_Next's position is a seq, not an entry
 *   number, so a rebuild during an iteration neither skips nor repeats keys.
 *
 * READERS never lock and never write shared memory (only their own epoch
 * record): rt_epoch_enter(); load the table pointer (acquire); probe index
 * slots (acquire loads) and entries; compare keys; load the value (acquire);
 * Py_INCREF it for the *Ref APIs; rt_epoch_exit().  Key comparison: identity,
 * then for two exact str keys hash + length + bytes (no call out); otherwise
 * PyObject_RichCompareBool, which may run arbitrary code inside the section
 * (allowed: nothing in a section waits for a grace period, and rt_epoch_*
 * refuse to dispatch or barrier from inside one).
 *
 * WRITERS take the dict's pthread mutex ('lock').  pthread_mutex_t rather than
 * a one-byte lock: writers may contend for a while (a rebuild copies the whole
 * table) and must park, and ThreadSanitizer understands it.  No arbitrary code
 * runs under 'lock': hashing happens before locking, a comparison that needs
 * PyObject_RichCompareBool drops the lock around the call (see "WHY A WRITER
 * IS CORRECT"), and every reference the dict drops is released after
 * unlocking.  Publication order:
 *   insert   fill entry n (hash, seq plain; key, value relaxed), store
 *            'nentries' = n+1 (release), then the index slot = n (release);
 *   replace  store the new value (release);
 *   delete   index slot = DUMMY (release), then value and key = NULL;
 *   rebuild  fill the new table privately, then store 'table' (release).
 * A writer only ever writes the current table; a retired table is frozen.
 * Everything the dict drops (replaced or deleted values and keys, keys and
 * values of a cleared table) goes through rt_epoch_defer_decref, and retired
 * tables through rt_epoch_defer_free; after unlocking the writer calls
 * rt_epoch_poll().
 *
 * WHY A READER IS CORRECT (memory-ordering argument)
 *   1. No use-after-free.  Anything a reader can reach (the table it loaded,
 *      any key or value it loaded from it) was owned by the dict when loaded.
 *      It is freed only after a grace period that starts after the writer
 *      unlinked it, i.e. after every section that may have loaded it ended.
 *   2. No torn entries.  Within one table an entry is written once (hash,
 *      seq, key, value) before it is published: by the release store of its
 *      index slot (lookups reach entries only through index slots loaded with
 *      acquire) or of 'nentries' (PyDict_Next walks entries below it, loaded
 *      with acquire).  Afterwards only its value changes (release stores of
 *      values that were set for the same key) or key and value become NULL.
 *      Entries are never reused for another key within a table.  So a reader
 *      that sees key K in an entry and a non-NULL value sees a value that was
 *      stored for K.  A NULL value means "deleted": the entry is skipped.
 *   3. Keys present throughout a lookup are found, with no retry counter.  In
 *      one table a slot moves only EMPTY -> entry -> DUMMY; it never returns
 *      to EMPTY.  When K was inserted, every slot before K's slot on K's probe
 *      sequence was non-EMPTY, and stays non-EMPTY, so a probe for K cannot
 *      stop early; K's own slot and entry do not change while K is present.  A reader holding a retired table sees K there
 *      too: the rebuild copied every live entry and the table is frozen.
 *      Only keys deleted or inserted concurrently may be missed or seen, as
 *      if the lookup had happened just before or after that write.
 *   4. A comparison may run arbitrary code, even code that mutates this
 *      dict; the reader keeps probing its own table, which stays valid (a
 *      retired table is frozen and not freed before the section ends).  If
 *      the entry it compared equal was deleted meanwhile, it reads a NULL
 *      value and probes on: a re-insertion lands on a later slot (point 3).
 *
 * WHY A WRITER IS CORRECT WHEN IT DROPS ITS LOCK TO COMPARE
 *   The writer stays in an epoch section while unlocked, so its table cannot
 *   be freed and reused at the same address.  After relocking: if 'table'
 *   changed (rebuild, clear), it probes again from the start.  Otherwise the
 *   slots it has passed were non-EMPTY and held keys unequal to its key (or
 *   DUMMY); entries are write-once, and insertions made meanwhile took EMPTY
 *   slots, all of which lie at or after its position on the probe sequence.
 *   So no equal key can have appeared behind it, and it continues where it
 *   was (treating a compared entry that was deleted meanwhile as unequal).
 *   This makes progress even when every comparison mutates the dict.
 *   ThreadSanitizer sees every edge: the table fields are C11 atomics, and
 *   core/epoch.c annotates the grace-period edge of ck_epoch.
 *
 * THE str FAST PATH: lookups by 'const char *' never create a str.  They hash
 * the bytes with rt_hash_bytes (str's hash is rt_hash_bytes of its UTF-8
 * bytes) and compare against exact str keys' UTF-8 data.  If an entry with the
 * same hash holds a key that is not an exact str (a str subclass may compare
 * equal), or if a miss must be told apart from a UTF-8 decoding error, the
 * public functions fall back to a temporary str; the internal helpers
 * (dict_lookup_utf8_*) match exact str keys only.
 *
 * Organisation: tables; lookup (readers); lookup and mutation (writers);
 * the C API; the dict type. */
#include "internal/pycore.h"

#include <string.h>

/* ------------------------------------------------------------------ tables */

#define DKIX_EMPTY (-1)
#define DKIX_DUMMY (-2)
#define DICT_LOG2_MIN 3
#define DICT_LOG2_MAX 30
#define PERTURB_SHIFT 5

struct dict_entry {
    Py_hash_t hash;                    /* immutable once published */
    Py_ssize_t seq;                    /* immutable once published */
    _Atomic(PyObject *) key;           /* set once; NULL once deleted */
    _Atomic(PyObject *) value;         /* replaced (release); NULL once deleted */
};

struct dict_table {
    size_t mask;                       /* immutable: index slots - 1 */
    Py_ssize_t usable;                 /* immutable: capacity of entries[] */
    _Atomic Py_ssize_t nentries;       /* epoch-protected (readers) / lock (writers) */
    _Atomic int32_t *index;            /* immutable pointer; slots as 'nentries' */
    struct dict_entry *entries;        /* immutable pointer; entries as 'nentries' */
};

struct _pymodrt_dict {
    PyObject_HEAD
    _Atomic(struct dict_table *) table;  /* epoch-protected (readers) / lock (writers) */
    _Atomic Py_ssize_t used;             /* atomic; written under lock */
    Py_ssize_t next_seq;                 /* guarded by lock */
    pthread_mutex_t lock;                /* serialises writers; see the top */
};

/* The shared empty table: never written, never freed. */
static _Atomic int32_t dict_empty_index[1 << DICT_LOG2_MIN] = {
    DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY,
    DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY,
};
static struct dict_table dict_empty_table = {
    (1 << DICT_LOG2_MIN) - 1, 0, 0, dict_empty_index, NULL,
};

#define DICT(op) ((PyDictObject *)(op))
#define LOAD_ACQ(p) atomic_load_explicit((p), memory_order_acquire)
#define LOAD_RLX(p) atomic_load_explicit((p), memory_order_relaxed)
#define STORE_REL(p, v) atomic_store_explicit((p), (v), memory_order_release)
#define STORE_RLX(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)

static inline Py_ssize_t
usable_for(size_t size)
{
    return (Py_ssize_t)((size << 1) / 3);
}

/* log2 of the smallest table with room for 'n' entries, at least 3x 'n'
 * slots (CPython's growth rate), or -1 if too large. */
static int
log2_for_growth(Py_ssize_t n)
{
    int log2 = DICT_LOG2_MIN;

    while (log2 <= DICT_LOG2_MAX && ((Py_ssize_t)1 << log2) < n * 3)
        log2++;
    return log2 > DICT_LOG2_MAX ? -1 : log2;
}

/* log2 of the smallest table whose usable entries hold 'n'. */
static int
log2_for_copy(Py_ssize_t n)
{
    int log2 = DICT_LOG2_MIN;

    while (log2 <= DICT_LOG2_MAX && usable_for((size_t)1 << log2) < n)
        log2++;
    return log2 > DICT_LOG2_MAX ? -1 : log2;
}

/* A new table with every slot EMPTY and no entry, or NULL (no exception
 * is raised here: callers may hold a dict lock, and raise after unlocking). */
static struct dict_table *
table_new(int log2)
{
    size_t size, usable, bytes;
    struct dict_table *t;
    char *p;

    if (log2 < 0)
        return NULL;
    size = (size_t)1 << log2;
    usable = (size_t)usable_for(size);
    bytes = sizeof(*t) + ((size * sizeof(int32_t) + 7) & ~(size_t)7) +
            usable * sizeof(struct dict_entry);
    p = mem_alloc(bytes);
    if (p == NULL)
        return NULL;
    t = (struct dict_table *)p;
    t->mask = size - 1;
    t->usable = (Py_ssize_t)usable;
    atomic_init(&t->nentries, 0);
    t->index = (_Atomic int32_t *)(p + sizeof(*t));
    t->entries = (struct dict_entry *)(p + sizeof(*t) +
                                       ((size * sizeof(int32_t) + 7) & ~(size_t)7));
    for (size_t i = 0; i < size; i++)
        atomic_init(&t->index[i], DKIX_EMPTY);
    return t;
}

static inline size_t
probe_next(size_t i, size_t *perturb, size_t mask)
{
    *perturb >>= PERTURB_SHIFT;
    return (i * 5 + *perturb + 1) & mask;
}

/* First EMPTY slot on 'hash's probe sequence (writers only; a table always
 * has one because at most 'usable' < size slots are ever non-EMPTY). */
static size_t
table_free_slot(struct dict_table *t, Py_hash_t hash)
{
    size_t mask = t->mask, perturb = (size_t)hash, i = (size_t)hash & mask;

    while (LOAD_RLX(&t->index[i]) != DKIX_EMPTY)
        i = probe_next(i, &perturb, mask);
    return i;
}

/* ---------------------------------------------------------- keys and hashes */

/* Equality of n bytes, without a libc call for the short names registry
 * and attribute lookups compare: two overlapping loads cover 4..16 bytes. */
static inline int
bytes_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y, x2, y2;
    uint32_t u, v, u2, v2;

    if (n >= 8 && n <= 16) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&x2, a + n - 8, 8);
        memcpy(&y2, b + n - 8, 8);
        return ((x ^ y) | (x2 ^ y2)) == 0;
    }
    if (n >= 4 && n < 8) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        memcpy(&u2, a + n - 4, 4);
        memcpy(&v2, b + n - 4, 4);
        return ((u ^ v) | (u2 ^ v2)) == 0;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    return memcmp(a, b, n) == 0;
}

static inline int
str_bytes_eq(PyObject *a, PyObject *b)
{
    PyUnicodeObject *x = (PyUnicodeObject *)a, *y = (PyUnicodeObject *)b;

    return x->utf8_length == y->utf8_length &&
           bytes_eq(x->data, y->data, (size_t)x->utf8_length);
}

/* PyObject_Hash, reading an exact str's cached hash without a call. */
static inline Py_hash_t
dict_key_hash(PyObject *key)
{
    if (PyUnicode_CheckExact(key)) {
        Py_hash_t h = __atomic_load_n(&((PyUnicodeObject *)key)->hash, __ATOMIC_RELAXED);
        if (h != -1)
            return h;
    }
    return PyObject_Hash(key);
}

static void
dict_set_key_error(PyObject *key)
{
    PyObject *args = PyTuple_Pack(1, key);

    if (args != NULL) {
        PyErr_SetObject(PyExc_KeyError, args);
        Py_DECREF(args);
    }
}

/* ----------------------------------------------------------- lookup (readers)
 *
 * These run inside an epoch section the caller entered; what they return is
 * borrowed and stays valid until the section ends. */

/* Value for 'key', or NULL (missing, or *err = -1 with an exception).
 * Inlined: it is the whole of the hot path. */
static inline __attribute__((always_inline)) PyObject *
lookup_in_section(PyDictObject *d, PyObject *key, Py_hash_t hash, int *err)
{
    int key_is_str = PyUnicode_CheckExact(key);
    struct dict_table *t = LOAD_ACQ(&d->table);
    size_t mask = t->mask, perturb = (size_t)hash, i = (size_t)hash & mask;

    for (;;) {
        int32_t ix = LOAD_ACQ(&t->index[i]);

        if (ix == DKIX_EMPTY)
            return NULL;
        if (ix >= 0) {
            struct dict_entry *e = &t->entries[ix];
            PyObject *k = LOAD_RLX(&e->key);

            if (k == key) {
                PyObject *v = LOAD_ACQ(&e->value);
                if (v != NULL)
                    return v;
            }
            else if (k != NULL && e->hash == hash) {
                if (key_is_str && PyUnicode_CheckExact(k)) {
                    if (str_bytes_eq(k, key)) {
                        PyObject *v = LOAD_ACQ(&e->value);
                        if (v != NULL)
                            return v;
                    }
                }
                else {
                    int cmp = PyObject_RichCompareBool(k, key, Py_EQ);
                    if (cmp < 0) {
                        *err = -1;
                        return NULL;
                    }
                    if (cmp > 0) {
                        /* NULL: deleted during the comparison (point 4). */
                        PyObject *v = LOAD_ACQ(&e->value);
                        if (v != NULL)
                            return v;
                    }
                }
            }
        }
        i = probe_next(i, &perturb, mask);
    }
}

/* Value for the str whose UTF-8 bytes are s[0:n], or NULL.  Only exact str
 * keys match; *other is set to 1 when an entry with the same hash holds a
 * key that is not an exact str (it might compare equal). */
static inline __attribute__((always_inline)) PyObject *
lookup_utf8_in_section(PyDictObject *d, const char *s, size_t n, Py_hash_t hash, int *other)
{
    struct dict_table *t = LOAD_ACQ(&d->table);
    size_t mask = t->mask, perturb = (size_t)hash, i = (size_t)hash & mask;

    for (;;) {
        int32_t ix = LOAD_ACQ(&t->index[i]);

        if (ix == DKIX_EMPTY)
            return NULL;
        if (ix >= 0) {
            struct dict_entry *e = &t->entries[ix];

            if (e->hash == hash) {
                PyObject *k = LOAD_RLX(&e->key);
                if (k != NULL) {
                    if (PyUnicode_CheckExact(k)) {
                        PyUnicodeObject *u = (PyUnicodeObject *)k;
                        if ((size_t)u->utf8_length == n && bytes_eq(u->data, s, n)) {
                            PyObject *v = LOAD_ACQ(&e->value);
                            if (v != NULL)
                                return v;
                        }
                    }
                    else if (other != NULL) {
                        *other = 1;
                    }
                }
            }
        }
        i = probe_next(i, &perturb, mask);
    }
}

/* The live entry with the smallest seq >= *pos in the current table: sets
 * *key, *value (borrowed), *hash and advances *pos; returns 0 at the end. */
static int
next_in_section(PyDictObject *d, Py_ssize_t *pos, PyObject **key, PyObject **value,
                Py_hash_t *hash)
{
    struct dict_table *t = LOAD_ACQ(&d->table);
    Py_ssize_t n = LOAD_ACQ(&t->nentries), lo = 0, hi = n;

    if (*pos < 0)
        return 0;
    /* seq grows along the entries: binary search for the first >= *pos. */
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (t->entries[mid].seq < *pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (Py_ssize_t i = lo; i < n; i++) {
        struct dict_entry *e = &t->entries[i];
        PyObject *k = LOAD_RLX(&e->key);
        PyObject *v = LOAD_ACQ(&e->value);
        if (k == NULL || v == NULL)
            continue;
        *key = k;
        *value = v;
        if (hash != NULL)
            *hash = e->hash;
        *pos = e->seq + 1;
        return 1;
    }
    return 0;
}

/* -------------------------------------------------- lookup and mutation (writers)
 *
 * Functions named *_locked run with d->lock held. */

/* FIND_NOMEM is not returned by find_locked: callers use it for "raise
 * MemoryError once unlocked". */
enum { FIND_NOMEM = -2, FIND_ERROR = -1, FIND_MISSING = 0, FIND_FOUND = 1, FIND_RETRY = 2 };

/* Finds 'key' in the current table: FIND_FOUND with *slotp / *ixp set,
 * FIND_MISSING, FIND_ERROR (exception set), or FIND_RETRY when a comparison
 * had to drop the lock and the table was replaced meanwhile (probe again).  The
 * lock is held again whatever the result. */
static int
find_locked(PyDictObject *d, PyObject *key, Py_hash_t hash, size_t *slotp, Py_ssize_t *ixp)
{
    struct dict_table *t = LOAD_RLX(&d->table);
    size_t mask = t->mask, perturb = (size_t)hash, i = (size_t)hash & mask;
    int key_is_str = PyUnicode_CheckExact(key);

    for (;;) {
        int32_t ix = LOAD_RLX(&t->index[i]);

        if (ix == DKIX_EMPTY)
            return FIND_MISSING;
        if (ix >= 0) {
            struct dict_entry *e = &t->entries[ix];
            PyObject *k = LOAD_RLX(&e->key);      /* live: slot is not DUMMY */

            if (k == key)
                goto found;
            if (e->hash == hash) {
                if (key_is_str && PyUnicode_CheckExact(k)) {
                    if (str_bytes_eq(k, key))
                        goto found;
                }
                else {
                    int cmp;

                    /* Unlocked compare: see "WHY A WRITER IS CORRECT". */
                    Py_INCREF(k);
                    rt_epoch_enter();
                    pthread_mutex_unlock(&d->lock);
                    cmp = PyObject_RichCompareBool(k, key, Py_EQ);
                    Py_DECREF(k);
                    pthread_mutex_lock(&d->lock);
                    rt_epoch_exit();
                    if (cmp < 0)
                        return FIND_ERROR;
                    if (LOAD_RLX(&d->table) != t)
                        return FIND_RETRY;
                    /* Still there, or deleted meanwhile (then: unequal). */
                    if (cmp > 0 && LOAD_RLX(&t->index[i]) == ix)
                        goto found;
                }
            }
        }
        i = probe_next(i, &perturb, mask);
        continue;
found:
        *slotp = i;
        *ixp = ix;
        return FIND_FOUND;
    }
}

/* find_locked, retrying until the answer is stable. */
static int
find_stable_locked(PyDictObject *d, PyObject *key, Py_hash_t hash, size_t *slotp,
                   Py_ssize_t *ixp)
{
    int r;

    do {
        r = find_locked(d, key, hash, slotp, ixp);
    } while (r == FIND_RETRY);
    return r;
}

/* Rebuilds the live entries into a new table with room for 'minused'
 * entries and publishes it; retires the old table.  -1 if out of memory
 * (nothing raised; the caller raises MemoryError after unlocking). */
static int
resize_locked(PyDictObject *d, Py_ssize_t minused)
{
    struct dict_table *old = LOAD_RLX(&d->table), *t;
    Py_ssize_t n = LOAD_RLX(&old->nentries), j = 0;

    t = table_new(log2_for_growth(minused));
    if (t == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        struct dict_entry *src = &old->entries[i], *dst;
        PyObject *k = LOAD_RLX(&src->key);

        if (k == NULL)
            continue;
        dst = &t->entries[j];
        dst->hash = src->hash;
        dst->seq = src->seq;
        atomic_init(&dst->key, k);
        atomic_init(&dst->value, LOAD_RLX(&src->value));
        atomic_init(&t->index[table_free_slot(t, src->hash)], (int32_t)j);
        j++;
    }
    atomic_init(&t->nentries, j);
    STORE_REL(&d->table, t);
    if (old != &dict_empty_table)
        rt_epoch_defer_free(old);
    return 0;
}

/* Appends a new entry (key is known to be missing).  Takes new references
 * to key and value.  -1 if the table cannot grow (nothing raised). */
static int
insert_new_locked(PyDictObject *d, PyObject *key, Py_hash_t hash, PyObject *value)
{
    struct dict_table *t = LOAD_RLX(&d->table);
    Py_ssize_t used = LOAD_RLX(&d->used), n;
    struct dict_entry *e;
    size_t slot;

    if (LOAD_RLX(&t->nentries) >= t->usable) {
        if (resize_locked(d, used + 1) < 0)
            return -1;
        t = LOAD_RLX(&d->table);
    }
    n = LOAD_RLX(&t->nentries);
    slot = table_free_slot(t, hash);
    e = &t->entries[n];
    e->hash = hash;
    e->seq = d->next_seq++;
    Py_INCREF(key);
    Py_INCREF(value);
    STORE_RLX(&e->key, key);
    STORE_RLX(&e->value, value);
    STORE_REL(&t->nentries, n + 1);
    STORE_REL(&t->index[slot], (int32_t)n);
    STORE_RLX(&d->used, used + 1);
    return 0;
}

/* Unlinks entry 'ix' found at 'slot'; hands the dict's references to the
 * key and value to the caller, who retires them after unlocking. */
static void
delete_locked(PyDictObject *d, size_t slot, Py_ssize_t ix, PyObject **okey, PyObject **ovalue)
{
    struct dict_table *t = LOAD_RLX(&d->table);
    struct dict_entry *e = &t->entries[ix];

    *okey = LOAD_RLX(&e->key);
    *ovalue = LOAD_RLX(&e->value);
    STORE_REL(&t->index[slot], DKIX_DUMMY);
    STORE_RLX(&e->value, NULL);
    STORE_RLX(&e->key, NULL);
    STORE_RLX(&d->used, LOAD_RLX(&d->used) - 1);
}

/* Releases what a writer dropped, after unlocking. */
static void
retire_pair(PyObject *key, PyObject *value)
{
    rt_epoch_defer_decref(key);
    rt_epoch_defer_decref(value);
    rt_epoch_poll();
}

/* d[key] = value with a known hash.  override == 0 keeps an existing value. */
static int
setitem_hash(PyDictObject *d, PyObject *key, Py_hash_t hash, PyObject *value, int override)
{
    PyObject *old = NULL;
    size_t slot;
    Py_ssize_t ix;
    int r;

    pthread_mutex_lock(&d->lock);
    r = find_stable_locked(d, key, hash, &slot, &ix);
    if (r == FIND_FOUND) {
        if (override) {
            struct dict_entry *e = &LOAD_RLX(&d->table)->entries[ix];
            old = LOAD_RLX(&e->value);
            Py_INCREF(value);
            STORE_REL(&e->value, value);
        }
    }
    else if (r == FIND_MISSING) {
        if (insert_new_locked(d, key, hash, value) < 0)
            r = FIND_NOMEM;
    }
    pthread_mutex_unlock(&d->lock);
    if (r == FIND_NOMEM)
        PyErr_NoMemory();
    if (r < 0)
        return -1;
    retire_pair(NULL, old);
    return 0;
}

/* Removes 'key': 1 and *value (new reference; may be NULL to drop it) if
 * it was there, 0 if missing, -1 on error. */
static int
pop_hash(PyDictObject *d, PyObject *key, Py_hash_t hash, PyObject **value)
{
    PyObject *okey = NULL, *ovalue = NULL;
    size_t slot;
    Py_ssize_t ix;
    int r;

    pthread_mutex_lock(&d->lock);
    r = find_stable_locked(d, key, hash, &slot, &ix);
    if (r == FIND_FOUND)
        delete_locked(d, slot, ix, &okey, &ovalue);
    pthread_mutex_unlock(&d->lock);
    if (r != FIND_FOUND)
        return r == FIND_ERROR ? -1 : 0;
    /* A reader may still be about to incref 'ovalue': the caller gets a
     * reference of its own and the dict's is retired after a grace period. */
    if (value != NULL)
        *value = Py_NewRef(ovalue);
    retire_pair(okey, ovalue);
    return 1;
}

/* Live entries of a detached table (no writer can reach it any more). */
static void
table_retire_contents(struct dict_table *t)
{
    Py_ssize_t n = LOAD_RLX(&t->nentries);

    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = LOAD_RLX(&t->entries[i].key);
        if (k != NULL) {
            rt_epoch_defer_decref(k);
            rt_epoch_defer_decref(LOAD_RLX(&t->entries[i].value));
        }
    }
    rt_epoch_defer_free(t);
}

static void
dict_init_fields(PyDictObject *d)
{
    atomic_init(&d->table, &dict_empty_table);
    atomic_init(&d->used, 0);
    d->next_seq = 0;
    pthread_mutex_init(&d->lock, NULL);
}

/* ---------------------------------------------------------- internal API */

PyObject *
dict_lookup_utf8_borrowed(PyObject *op, const char *s, size_t n, Py_hash_t h)
{
    PyObject *v;

    rt_epoch_enter();
    v = lookup_utf8_in_section(DICT(op), s, n, h, NULL);
    rt_epoch_exit();
    return v;
}

int
dict_lookup_utf8_ref(PyObject *op, const char *s, size_t n, Py_hash_t h, PyObject **result)
{
    PyObject *v;

    rt_epoch_enter();
    v = lookup_utf8_in_section(DICT(op), s, n, h, NULL);
    if (v != NULL)
        Py_INCREF(v);
    rt_epoch_exit();
    *result = v;
    return v != NULL;
}

int
dict_next_ref(PyObject *op, Py_ssize_t *pos, PyObject **key, PyObject **value)
{
    int r;

    rt_epoch_enter();
    r = next_in_section(DICT(op), pos, key, value, NULL);
    if (r) {
        Py_INCREF(*key);
        Py_INCREF(*value);
    }
    rt_epoch_exit();
    return r;
}

/* Same, also giving the stored hash. */
static int
next_ref_hash(PyObject *op, Py_ssize_t *pos, PyObject **key, PyObject **value, Py_hash_t *hash)
{
    int r;

    rt_epoch_enter();
    r = next_in_section(DICT(op), pos, key, value, hash);
    if (r) {
        Py_INCREF(*key);
        Py_INCREF(*value);
    }
    rt_epoch_exit();
    return r;
}

/* ---------------------------------------------------------------- C API */

PyObject *
PyDict_New(void)
{
    PyDictObject *d = PyObject_New(PyDictObject, &PyDict_Type);

    if (d == NULL)
        return NULL;
    dict_init_fields(d);
    return (PyObject *)d;
}

/* Lookup with a known hash: 1 + new reference, 0, or -1. */
static int
getitem_ref_hash(PyDictObject *d, PyObject *key, Py_hash_t hash, PyObject **result)
{
    int err = 0;
    PyObject *v;

    rt_epoch_enter();
    v = lookup_in_section(d, key, hash, &err);
    if (v != NULL)
        Py_INCREF(v);
    rt_epoch_exit();
    *result = v;
    if (err < 0)
        return -1;
    return v != NULL;
}

/* Borrowed lookup that reports errors (GetItem, GetItemWithError). */
static PyObject *
getitem_borrowed(PyDictObject *d, PyObject *key, int *err)
{
    Py_hash_t hash = dict_key_hash(key);
    PyObject *v;

    if (hash == -1) {
        *err = -1;
        return NULL;
    }
    rt_epoch_enter();
    v = lookup_in_section(d, key, hash, err);
    rt_epoch_exit();
    return v;
}

PyObject *
PyDict_GetItem(PyObject *op, PyObject *key)
{
    PyObject *exc, *v;
    int err = 0;

    if (op == NULL || key == NULL || !PyDict_Check(op))
        return NULL;
    /* Errors of hashing and comparing are swallowed; one already pending
     * survives the call. */
    exc = PyErr_Occurred() ? PyErr_GetRaisedException() : NULL;
    v = getitem_borrowed(DICT(op), key, &err);
    if (err < 0)
        PyErr_Clear();
    if (exc != NULL)
        PyErr_SetRaisedException(exc);
    return v;
}

PyObject *
PyDict_GetItemWithError(PyObject *op, PyObject *key)
{
    int err = 0;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    return getitem_borrowed(DICT(op), key, &err);
}

int
PyDict_GetItemRef(PyObject *op, PyObject *key, PyObject **result)
{
    Py_hash_t hash;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        *result = NULL;
        return -1;
    }
    hash = dict_key_hash(key);
    if (hash == -1) {
        *result = NULL;
        return -1;
    }
    return getitem_ref_hash(DICT(op), key, hash, result);
}

/* The general path behind the str fast path: a temporary str. */
static int
getitem_string_slow(PyObject *op, const char *key, PyObject **result)
{
    PyObject *k = PyUnicode_FromString(key);
    int r;

    if (k == NULL) {
        *result = NULL;
        return -1;
    }
    r = PyDict_GetItemRef(op, k, result);
    Py_DECREF(k);
    return r;
}

static int
has_non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    }
    return 0;
}

/* Fast str lookup: 1 (found; *result is a new reference when 'result' is
 * not NULL), 0 (missing), or 2 when the general path must decide (a non-str
 * key with the same hash, or a non-ASCII miss that may be a decoding error
 * in CPython). */
static int
getitem_string_fast(PyObject *op, const char *key, PyObject **result)
{
    size_t n = strlen(key);
    Py_hash_t h = rt_hash_bytes(key, n);
    int other = 0;
    PyObject *v;

    rt_epoch_enter();
    v = lookup_utf8_in_section(DICT(op), key, n, h, &other);
    if (v != NULL && result != NULL)
        Py_INCREF(v);
    rt_epoch_exit();
    if (result != NULL)
        *result = v;
    if (v != NULL)
        return 1;
    if (other || has_non_ascii(key, n))
        return 2;
    return 0;
}

PyObject *
PyDict_GetItemString(PyObject *op, const char *key)
{
    size_t n;
    Py_hash_t h;
    int other = 0;
    PyObject *v;

    if (op == NULL || key == NULL || !PyDict_Check(op))
        return NULL;
    n = strlen(key);
    h = rt_hash_bytes(key, n);
    rt_epoch_enter();
    v = lookup_utf8_in_section(DICT(op), key, n, h, &other);
    rt_epoch_exit();
    if (v == NULL && other) {
        PyObject *k = PyUnicode_FromString(key);
        if (k == NULL) {
            PyErr_Clear();
            return NULL;
        }
        v = PyDict_GetItem(op, k);
        Py_DECREF(k);
    }
    return v;
}

int
PyDict_GetItemStringRef(PyObject *op, const char *key, PyObject **result)
{
    int r;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        *result = NULL;
        return -1;
    }
    r = getitem_string_fast(op, key, result);
    if (r == 2)
        r = getitem_string_slow(op, key, result);
    return r;
}

int
PyDict_SetItem(PyObject *op, PyObject *key, PyObject *value)
{
    Py_hash_t hash;

    if (op == NULL || key == NULL || value == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    hash = dict_key_hash(key);
    if (hash == -1)
        return -1;
    return setitem_hash(DICT(op), key, hash, value, 1);
}

int
PyDict_SetItemString(PyObject *op, const char *key, PyObject *value)
{
    PyObject *k;
    int r;

    if (op == NULL || key == NULL || value == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    k = PyUnicode_InternFromString(key);
    if (k == NULL)
        return -1;
    r = PyDict_SetItem(op, k, value);
    Py_DECREF(k);
    return r;
}

int
PyDict_DelItem(PyObject *op, PyObject *key)
{
    Py_hash_t hash;
    int r;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    hash = dict_key_hash(key);
    if (hash == -1)
        return -1;
    r = pop_hash(DICT(op), key, hash, NULL);
    if (r == 0) {
        dict_set_key_error(key);
        return -1;
    }
    return r < 0 ? -1 : 0;
}

int
PyDict_DelItemString(PyObject *op, const char *key)
{
    PyObject *k;
    int r;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    k = PyUnicode_FromString(key);
    if (k == NULL)
        return -1;
    r = PyDict_DelItem(op, k);
    Py_DECREF(k);
    return r;
}

int
PyDict_Contains(PyObject *op, PyObject *key)
{
    Py_hash_t hash;
    PyObject *v;
    int err = 0;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    hash = dict_key_hash(key);
    if (hash == -1)
        return -1;
    rt_epoch_enter();
    v = lookup_in_section(DICT(op), key, hash, &err);
    rt_epoch_exit();
    if (err < 0)
        return -1;
    return v != NULL;
}

int
PyDict_ContainsString(PyObject *op, const char *key)
{
    PyObject *v;
    int r;

    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    r = getitem_string_fast(op, key, NULL);
    if (r == 2) {
        r = getitem_string_slow(op, key, &v);
        Py_XDECREF(v);
    }
    return r;
}

void
PyDict_Clear(PyObject *op)
{
    PyDictObject *d;
    struct dict_table *old;

    if (op == NULL || !PyDict_Check(op))
        return;
    d = DICT(op);
    pthread_mutex_lock(&d->lock);
    old = LOAD_RLX(&d->table);
    if (old != &dict_empty_table) {
        STORE_REL(&d->table, &dict_empty_table);
        STORE_RLX(&d->used, 0);
    }
    pthread_mutex_unlock(&d->lock);
    if (old != &dict_empty_table) {
        table_retire_contents(old);
        rt_epoch_poll();
    }
}

int
PyDict_Next(PyObject *op, Py_ssize_t *pos, PyObject **key, PyObject **value)
{
    PyObject *k, *v;
    int r;

    if (op == NULL || pos == NULL || !PyDict_Check(op))
        return 0;
    rt_epoch_enter();
    r = next_in_section(DICT(op), pos, &k, &v, NULL);
    rt_epoch_exit();
    if (r) {
        if (key != NULL)
            *key = k;
        if (value != NULL)
            *value = v;
    }
    return r;
}

enum { WANT_KEYS, WANT_VALUES, WANT_ITEMS };

/* Drops a list whose first 'filled' items are set (empty pairs when
 * 'pairs'), and whose other items are NULL. */
static void
dict_list_drop(PyObject *list, Py_ssize_t filled, int pairs)
{
    for (Py_ssize_t i = 0; pairs && i < filled; i++) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        PyTuple_SET_ITEM(pair, 0, Py_None);     /* immortal: no reference */
        PyTuple_SET_ITEM(pair, 1, Py_None);
    }
    Py_SET_SIZE(list, filled);
    Py_DECREF(list);
}

/* Keys, values or items as a list: a consistent snapshot taken under the
 * lock.  Everything is allocated before locking (for the size seen then) and
 * the walk retries if the size changed meanwhile, so nothing under the lock
 * allocates, raises or releases. */
static PyObject *
dict_list(PyObject *op, int what)
{
    PyDictObject *d;
    struct dict_table *t;
    PyObject *list;
    Py_ssize_t size, n, j = 0;

    if (op == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    d = DICT(op);
again:
    size = LOAD_RLX(&d->used);
    list = PyList_New(size);
    if (list == NULL)
        return NULL;
    if (what == WANT_ITEMS) {
        for (Py_ssize_t i = 0; i < size; i++) {
            PyObject *pair = PyTuple_New(2);
            if (pair == NULL) {
                dict_list_drop(list, i, 0);
                return NULL;
            }
            PyList_SET_ITEM(list, i, pair);
        }
    }
    pthread_mutex_lock(&d->lock);
    if (LOAD_RLX(&d->used) != size) {
        pthread_mutex_unlock(&d->lock);
        dict_list_drop(list, what == WANT_ITEMS ? size : 0, 1);
        goto again;
    }
    t = LOAD_RLX(&d->table);
    n = LOAD_RLX(&t->nentries);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = LOAD_RLX(&t->entries[i].key), *v;
        if (k == NULL)
            continue;
        v = LOAD_RLX(&t->entries[i].value);
        if (what == WANT_KEYS) {
            PyList_SET_ITEM(list, j, Py_NewRef(k));
        }
        else if (what == WANT_VALUES) {
            PyList_SET_ITEM(list, j, Py_NewRef(v));
        }
        else {
            PyObject *pair = PyList_GET_ITEM(list, j);
            PyTuple_SET_ITEM(pair, 0, Py_NewRef(k));
            PyTuple_SET_ITEM(pair, 1, Py_NewRef(v));
        }
        j++;
    }
    pthread_mutex_unlock(&d->lock);
    return list;
}

PyObject *
PyDict_Keys(PyObject *op)
{
    return dict_list(op, WANT_KEYS);
}

PyObject *
PyDict_Values(PyObject *op)
{
    return dict_list(op, WANT_VALUES);
}

PyObject *
PyDict_Items(PyObject *op)
{
    return dict_list(op, WANT_ITEMS);
}

Py_ssize_t
PyDict_Size(PyObject *op)
{
    if (op == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    return LOAD_RLX(&DICT(op)->used);
}

PyObject *
PyDict_Copy(PyObject *op)
{
    PyDictObject *src, *dst;
    struct dict_table *st, *t;
    Py_ssize_t used, n, j = 0;

    if (op == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    src = DICT(op);
    dst = (PyDictObject *)PyDict_New();
    if (dst == NULL)
        return NULL;
    pthread_mutex_lock(&src->lock);
    used = LOAD_RLX(&src->used);
    if (used == 0) {
        pthread_mutex_unlock(&src->lock);
        return (PyObject *)dst;
    }
    t = table_new(log2_for_copy(used));
    if (t == NULL) {
        pthread_mutex_unlock(&src->lock);
        Py_DECREF(dst);
        return PyErr_NoMemory();
    }
    st = LOAD_RLX(&src->table);
    n = LOAD_RLX(&st->nentries);
    for (Py_ssize_t i = 0; i < n; i++) {
        struct dict_entry *e = &st->entries[i], *ne;
        PyObject *k = LOAD_RLX(&e->key);
        if (k == NULL)
            continue;
        ne = &t->entries[j];
        ne->hash = e->hash;
        ne->seq = j;
        atomic_init(&ne->key, Py_NewRef(k));
        atomic_init(&ne->value, Py_NewRef(LOAD_RLX(&e->value)));
        atomic_init(&t->index[table_free_slot(t, e->hash)], (int32_t)j);
        j++;
    }
    pthread_mutex_unlock(&src->lock);
    atomic_init(&t->nentries, j);
    atomic_init(&dst->used, j);
    dst->next_seq = j;
    STORE_REL(&dst->table, t);
    return (PyObject *)dst;
}

static PyObject *dict_iter(PyObject *self);

/* Merge from a dict, walking one snapshot of its table. */
static int
merge_from_dict(PyDictObject *a, PyObject *b, int override)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    Py_hash_t hash;

    while (next_ref_hash(b, &pos, &k, &v, &hash)) {
        int r = setitem_hash(a, k, hash, v, override);
        Py_DECREF(k);
        Py_DECREF(v);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* Merge from any mapping: b.keys() and b[key]. */
static int
merge_from_mapping(PyObject *a, PyObject *b, int override)
{
    PyObject *keys = PyMapping_Keys(b), *it, *key;
    int r = 0;

    if (keys == NULL)
        return -1;
    it = PyObject_GetIter(keys);
    Py_DECREF(keys);
    if (it == NULL)
        return -1;
    while (r == 0 && (key = PyIter_Next(it)) != NULL) {
        PyObject *value;
        if (!override) {
            int has = PyDict_Contains(a, key);
            if (has != 0) {
                r = has < 0 ? -1 : 0;
                Py_DECREF(key);
                continue;
            }
        }
        value = PyObject_GetItem(b, key);
        if (value == NULL) {
            r = -1;
        }
        else {
            r = PyDict_SetItem(a, key, value);
            Py_DECREF(value);
        }
        Py_DECREF(key);
    }
    Py_DECREF(it);
    if (r == 0 && PyErr_Occurred())
        r = -1;
    return r;
}

int
PyDict_Merge(PyObject *a, PyObject *b, int override)
{
    if (a == NULL || !PyDict_Check(a) || b == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (PyDict_Check(b) && Py_TYPE(b)->tp_iter == dict_iter)
        return merge_from_dict(DICT(a), b, override != 0);
    return merge_from_mapping(a, b, override != 0);
}

int
PyDict_Update(PyObject *a, PyObject *b)
{
    return PyDict_Merge(a, b, 1);
}

int
PyDict_MergeFromSeq2(PyObject *d, PyObject *seq2, int override)
{
    PyObject *it, *item;
    Py_ssize_t i = 0;
    int r = 0;

    if (d == NULL || !PyDict_Check(d) || seq2 == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    it = PyObject_GetIter(seq2);
    if (it == NULL)
        return -1;
    for (; r == 0 && (item = PyIter_Next(it)) != NULL; i++) {
        PyObject *fast = PySequence_Fast(item, "");
        Py_ssize_t n;

        Py_DECREF(item);
        if (fast == NULL) {
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError,
                             "cannot convert dictionary update sequence element #%zd "
                             "to a sequence", i);
            }
            r = -1;
            break;
        }
        n = PySequence_Fast_GET_SIZE(fast);
        if (n != 2) {
            PyErr_Format(PyExc_ValueError,
                         "dictionary update sequence element #%zd has length %zd; "
                         "2 is required", i, n);
            r = -1;
        }
        else {
            PyObject *key = Py_NewRef(PySequence_Fast_GET_ITEM(fast, 0));
            PyObject *value = Py_NewRef(PySequence_Fast_GET_ITEM(fast, 1));
            if (override) {
                r = PyDict_SetItem(d, key, value);
            }
            else {
                PyObject *res;
                r = PyDict_SetDefaultRef(d, key, value, &res);
                if (r >= 0) {
                    Py_DECREF(res);
                    r = 0;
                }
            }
            Py_DECREF(key);
            Py_DECREF(value);
        }
        Py_DECREF(fast);
    }
    Py_DECREF(it);
    if (r == 0 && PyErr_Occurred())
        r = -1;
    return r;
}

int
PyDict_SetDefaultRef(PyObject *op, PyObject *key, PyObject *default_value, PyObject **result)
{
    PyDictObject *d;
    Py_hash_t hash;
    size_t slot;
    Py_ssize_t ix;
    PyObject *v = NULL;
    int r;

    if (op == NULL || key == NULL || default_value == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        if (result != NULL)
            *result = NULL;
        return -1;
    }
    d = DICT(op);
    hash = dict_key_hash(key);
    if (hash == -1) {
        if (result != NULL)
            *result = NULL;
        return -1;
    }
    pthread_mutex_lock(&d->lock);
    r = find_stable_locked(d, key, hash, &slot, &ix);
    if (r == FIND_FOUND) {
        v = LOAD_RLX(&LOAD_RLX(&d->table)->entries[ix].value);
        Py_INCREF(v);
        r = 1;
    }
    else if (r == FIND_MISSING) {
        if (insert_new_locked(d, key, hash, default_value) < 0) {
            r = FIND_NOMEM;
        }
        else {
            v = Py_NewRef(default_value);
            r = 0;
        }
    }
    pthread_mutex_unlock(&d->lock);
    if (r == FIND_NOMEM) {
        PyErr_NoMemory();
        r = -1;
    }
    if (result != NULL)
        *result = v;
    else
        Py_XDECREF(v);
    return r;
}

PyObject *
PyDict_SetDefault(PyObject *op, PyObject *key, PyObject *defaultobj)
{
    PyObject *v;

    if (PyDict_SetDefaultRef(op, key, defaultobj, &v) < 0)
        return NULL;
    /* Borrowed, like CPython's: valid while the dict keeps the value.  The
     * reference we got was taken under the lock, so dropping it here cannot
     * free the value unless another thread removed it meanwhile (the
     * documented hazard of borrowed results). */
    Py_DECREF(v);
    return v;
}

int
PyDict_Pop(PyObject *op, PyObject *key, PyObject **result)
{
    Py_hash_t hash;
    int r;

    if (result != NULL)
        *result = NULL;
    if (op == NULL || key == NULL || !PyDict_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (LOAD_RLX(&DICT(op)->used) == 0)
        return 0;
    hash = dict_key_hash(key);
    if (hash == -1)
        return -1;
    r = pop_hash(DICT(op), key, hash, result);
    return r;
}

int
PyDict_PopString(PyObject *op, const char *key, PyObject **result)
{
    PyObject *k;
    int r;

    if (result != NULL)
        *result = NULL;
    if (key == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    k = PyUnicode_FromString(key);
    if (k == NULL)
        return -1;
    r = PyDict_Pop(op, k, result);
    Py_DECREF(k);
    return r;
}

/* ---------------------------------------------------------------- the type */

static PyObject *
dict_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *self;

    (void)args;
    (void)kwds;
    self = type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    dict_init_fields(DICT(self));
    return self;
}

static int
dict_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    Py_ssize_t nargs = args != NULL ? PyTuple_GET_SIZE(args) : 0;

    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "dict expected at most 1 argument, got %zd", nargs);
        return -1;
    }
    if (nargs == 1) {
        PyObject *arg = PyTuple_GET_ITEM(args, 0);
        int has_keys = PyDict_CheckExact(arg) ? 1 : PyObject_HasAttrStringWithError(arg, "keys");
        int r;

        if (has_keys < 0)
            return -1;
        r = has_keys ? PyDict_Merge(self, arg, 1) : PyDict_MergeFromSeq2(self, arg, 1);
        if (r < 0)
            return -1;
    }
    if (kwds != NULL && PyDict_Size(kwds) > 0)
        return PyDict_Merge(self, kwds, 1);
    return 0;
}

static void
dict_dealloc(PyObject *self)
{
    PyDictObject *d = DICT(self);
    struct dict_table *t = LOAD_RLX(&d->table);

    /* No reader can hold this dict any more: release directly. */
    atomic_store_explicit(&d->table, &dict_empty_table, memory_order_relaxed);
    if (t != &dict_empty_table) {
        Py_ssize_t n = LOAD_RLX(&t->nentries);
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *k = LOAD_RLX(&t->entries[i].key);
            if (k != NULL) {
                Py_DECREF(k);
                Py_DECREF(LOAD_RLX(&t->entries[i].value));
            }
        }
        mem_free(t);
    }
    pthread_mutex_destroy(&d->lock);
    Py_TYPE(self)->tp_free(self);
}

static int
dict_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;

    while (dict_next_ref(self, &pos, &k, &v)) {
        int r = visit(k, arg);
        if (r == 0)
            r = visit(v, arg);
        Py_DECREF(k);
        Py_DECREF(v);
        if (r != 0)
            return r;
    }
    return 0;
}

static int
dict_tp_clear(PyObject *self)
{
    PyDict_Clear(self);
    return 0;
}

/* A growable UTF-8 buffer for repr. */
struct strbuf {
    char *p;
    size_t len, cap;
};

static int
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;
        while (cap < b->len + n)
            cap *= 2;
        p = mem_realloc(b->p, cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static int
strbuf_add_repr(struct strbuf *b, PyObject *o)
{
    PyObject *r = PyObject_Repr(o);
    const char *s;
    Py_ssize_t n;
    int rc = -1;

    if (r == NULL)
        return -1;
    s = PyUnicode_AsUTF8AndSize(r, &n);
    if (s != NULL)
        rc = strbuf_add(b, s, (size_t)n);
    Py_DECREF(r);
    return rc;
}

static PyObject *
dict_repr(PyObject *self)
{
    struct strbuf b = { NULL, 0, 0 };
    Py_ssize_t pos = 0;
    PyObject *k, *v, *res = NULL;
    int first = 1, rc;

    rc = Py_ReprEnter(self);
    if (rc != 0)
        return rc > 0 ? PyUnicode_FromString("{...}") : NULL;
    if (strbuf_add(&b, "{", 1) < 0)
        goto done;
    while (dict_next_ref(self, &pos, &k, &v)) {
        rc = (first ? 0 : strbuf_add(&b, ", ", 2));
        if (rc == 0)
            rc = strbuf_add_repr(&b, k);
        if (rc == 0)
            rc = strbuf_add(&b, ": ", 2);
        if (rc == 0)
            rc = strbuf_add_repr(&b, v);
        Py_DECREF(k);
        Py_DECREF(v);
        if (rc < 0)
            goto done;
        first = 0;
    }
    if (strbuf_add(&b, "}", 1) < 0)
        goto done;
    res = PyUnicode_FromStringAndSize(b.p, (Py_ssize_t)b.len);
done:
    mem_free(b.p);
    Py_ReprLeave(self);
    return res;
}

static Py_ssize_t
dict_length(PyObject *self)
{
    return LOAD_RLX(&DICT(self)->used);
}

static PyObject *
dict_subscript(PyObject *self, PyObject *key)
{
    PyObject *v;
    int r = PyDict_GetItemRef(self, key, &v);

    if (r == 0)
        dict_set_key_error(key);
    return v;
}

static int
dict_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    if (value == NULL)
        return PyDict_DelItem(self, key);
    return PyDict_SetItem(self, key, value);
}

/* 1 if a and b hold equal items, 0 if not, -1 on error. */
static int
dict_equal(PyObject *a, PyObject *b)
{
    Py_ssize_t pos = 0;
    PyObject *k, *av;
    Py_hash_t hash;

    if (PyDict_Size(a) != PyDict_Size(b))
        return 0;
    while (next_ref_hash(a, &pos, &k, &av, &hash)) {
        PyObject *bv;
        int r = getitem_ref_hash(DICT(b), k, hash, &bv);
        if (r > 0) {
            r = PyObject_RichCompareBool(av, bv, Py_EQ);
            Py_DECREF(bv);
        }
        Py_DECREF(k);
        Py_DECREF(av);
        if (r <= 0)
            return r;
    }
    return 1;
}

static PyObject *
dict_richcompare(PyObject *a, PyObject *b, int op)
{
    int eq;

    if (!PyDict_Check(a) || !PyDict_Check(b) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    eq = a == b ? 1 : dict_equal(a, b);
    if (eq < 0)
        return NULL;
    return Py_NewRef((eq != 0) == (op == Py_EQ) ? Py_True : Py_False);
}

/* iter(d): an iterator over a snapshot of the keys. */
static PyObject *
dict_iter(PyObject *self)
{
    PyObject *keys = PyDict_Keys(self), *it;

    if (keys == NULL)
        return NULL;
    it = PyObject_GetIter(keys);
    Py_DECREF(keys);
    return it;
}

static PyMappingMethods dict_as_mapping = {
    .mp_length = dict_length,
    .mp_subscript = dict_subscript,
    .mp_ass_subscript = dict_ass_subscript,
};

static PySequenceMethods dict_as_sequence = {
    .sq_contains = PyDict_Contains,
};

PyTypeObject PyDict_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "dict",
    .tp_basicsize = sizeof(PyDictObject),
    .tp_dealloc = dict_dealloc,
    .tp_repr = dict_repr,
    .tp_as_sequence = &dict_as_sequence,
    .tp_as_mapping = &dict_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE |
                Py_TPFLAGS_DICT_SUBCLASS | _Py_TPFLAGS_MATCH_SELF | Py_TPFLAGS_MAPPING,
    .tp_doc = "dict(mapping_or_iterable=(), /, **kwargs)\n--\n\n"
              "An insertion-ordered mapping from hashable keys to values.",
    .tp_traverse = dict_traverse,
    .tp_clear = dict_tp_clear,
    .tp_richcompare = dict_richcompare,
    .tp_iter = dict_iter,
    .tp_init = dict_init,
    .tp_alloc = PyType_GenericAlloc,
    .tp_new = dict_new,
    .tp_free = PyObject_GC_Del,
};
