/* listobject.c: list, thread-safe without a GIL, and its iterator.
 *
 * Locking.  Every list has a one-byte lock in 'ob_mutex' (a private
 * PyMutex-like lock defined below; it will be replaced by core's PyMutex
 * when that exists).  The lock guards ob_item, allocated and the contents
 * of the item array.  ob_size is also written only under the lock, but
 * with a relaxed atomic store, so that PyList_Size / PyList_GET_SIZE-style
 * readers may load it without the lock.
 *
 * Readers (PyList_GetItem, PyList_GetItemRef, iteration, sq_item) take the
 * lock around the array access; PyList_GetItemRef increfs the item before
 * releasing it, so a concurrent writer can never free an item a reader is
 * about to return.  Writers drop the references they remove only after
 * releasing the lock.  While holding a list's lock the code never runs
 * Python-level code (no comparisons, no destructors, no error raising):
 * operations that must compare (sort, richcompare, contains, repr) work on
 * a snapshot (an array of new references copied under the lock) or fetch
 * one item at a time.  No code path holds two list locks at once, so there
 * is no lock order to respect.  The borrowed-reference APIs (PyList_GetItem,
 * PyList_GET_ITEM) stay valid only while no other thread replaces or
 * removes that item, as in free-threaded CPython.
 *
 * The lock: bit 0 = locked, bit 1 = a thread may be parked.  Uncontended
 * lock/unlock is one CAS and one exchange on the list's own byte.  A thread
 * that fails to get it after a short spin parks on one of 64 (mutex, cond)
 * pairs chosen by the lock's address, after setting the parked bit under
 * that pair's mutex; unlock clears the byte and, if the parked bit was set,
 * broadcasts under the same mutex, so no wake-up is lost.  A thread that
 * acquires after parking keeps the parked bit set (others may still wait):
 * at worst one spurious broadcast.
 *
 * File map: the lock; allocation and resizing; the C API; slots; the
 * iterator; the type objects. */
#include "internal/pycore.h"

#include <sched.h>

/* --------------------------------------------------------------- the lock */

#define LK_LOCKED 1u
#define LK_PARKED 2u
#define LK_SPINS 64
#define LK_NPARK 64

static struct {
    pthread_mutex_t mutex;     /* guards waits on cond for the locks hashed here */
    pthread_cond_t cond;
} lk_park[LK_NPARK] = {
    [0 ... LK_NPARK - 1] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER },
};

static void
lk_lock_slow(uint8_t *m)
{
    uint8_t v;

    for (int i = 0; i < LK_SPINS; i++) {
        v = __atomic_load_n(m, __ATOMIC_RELAXED);
        if (!(v & LK_LOCKED) &&
            __atomic_compare_exchange_n(m, &v, (uint8_t)(v | LK_LOCKED), 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
        if (i >= LK_SPINS / 2)
            sched_yield();
    }
    size_t slot = ((uintptr_t)m >> 4) % LK_NPARK;
    pthread_mutex_lock(&lk_park[slot].mutex);
    for (;;) {
        v = __atomic_load_n(m, __ATOMIC_RELAXED);
        if (!(v & LK_LOCKED)) {
            if (__atomic_compare_exchange_n(m, &v, (uint8_t)(LK_LOCKED | LK_PARKED), 0,
                                            __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                break;
            continue;
        }
        if (!(v & LK_PARKED) &&
            !__atomic_compare_exchange_n(m, &v, (uint8_t)(v | LK_PARKED), 0, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED))
            continue;
        pthread_cond_wait(&lk_park[slot].cond, &lk_park[slot].mutex);
    }
    pthread_mutex_unlock(&lk_park[slot].mutex);
}

static inline void
list_lock(PyListObject *op)
{
    uint8_t v = 0;

    if (!__atomic_compare_exchange_n(&op->ob_mutex, &v, (uint8_t)LK_LOCKED, 0, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        lk_lock_slow(&op->ob_mutex);
}

static inline void
list_unlock(PyListObject *op)
{
    uint8_t v = __atomic_exchange_n(&op->ob_mutex, (uint8_t)0, __ATOMIC_RELEASE);

    if (v & LK_PARKED) {
        size_t slot = ((uintptr_t)&op->ob_mutex >> 4) % LK_NPARK;
        pthread_mutex_lock(&lk_park[slot].mutex);
        pthread_cond_broadcast(&lk_park[slot].cond);
        pthread_mutex_unlock(&lk_park[slot].mutex);
    }
}

/* ------------------------------------------------ allocation and resizing */

#define LIST(op) ((PyListObject *)(op))
#define LIST_MAX_ITEMS (PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(PyObject *))

static inline Py_ssize_t
list_size(PyListObject *op)
{
    return __atomic_load_n(&op->ob_base.ob_size, __ATOMIC_RELAXED);
}

/* Caller holds the lock (or owns the list exclusively). */
static inline void
list_set_size_locked(PyListObject *op, Py_ssize_t n)
{
    __atomic_store_n(&op->ob_base.ob_size, n, __ATOMIC_RELAXED);
}

/* Makes room for 'newsize' items, over-allocating by about 1/8 so that a
 * run of appends is amortized O(1).  Never shrinks.  Returns -1 without an
 * exception on allocation failure (the caller raises after unlocking). */
static int
list_reserve_locked(PyListObject *op, Py_ssize_t newsize)
{
    Py_ssize_t cap;
    PyObject **items;

    if (newsize <= op->allocated)
        return 0;
    if (newsize > LIST_MAX_ITEMS)
        return -1;
    cap = newsize + (newsize >> 3) + (newsize < 9 ? 3 : 6);
    if (cap > LIST_MAX_ITEMS)
        cap = newsize;
    items = mem_realloc(op->ob_item, (size_t)cap * sizeof(PyObject *));
    if (items == NULL)
        return -1;
    op->ob_item = items;
    op->allocated = cap;
    return 0;
}

/* A new list adopting 'items' (a mem_alloc'd array of n new references, may
 * be NULL when n == 0).  On failure the references and the array are
 * released. */
static PyObject *
list_from_array(PyObject **items, Py_ssize_t n)
{
    PyListObject *op = PyObject_Malloc(sizeof(PyListObject));

    if (op == NULL) {
        for (Py_ssize_t i = 0; i < n; i++)
            Py_DECREF(items[i]);
        mem_free(items);
        return PyErr_NoMemory();
    }
    PyObject_InitVar((PyVarObject *)op, &PyList_Type, n);
    op->ob_item = items;
    op->allocated = n;
    op->ob_mutex = 0;
    return (PyObject *)op;
}

/* New references to items [lo, hi) (clamped to the current size), copied
 * under the lock.  Returns the array (mem_alloc'd; never NULL on success,
 * even when empty) and sets *n, or NULL with MemoryError. */
static PyObject **
list_snapshot(PyListObject *op, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t *n)
{
    PyObject **arr;
    Py_ssize_t size, count;

    list_lock(op);
    size = Py_SIZE(op);
    if (lo < 0)
        lo = 0;
    if (lo > size)
        lo = size;
    if (hi > size)
        hi = size;
    if (hi < lo)
        hi = lo;
    count = hi - lo;
    arr = mem_alloc((size_t)count * sizeof(PyObject *));
    if (arr != NULL) {
        for (Py_ssize_t i = 0; i < count; i++)
            arr[i] = Py_NewRef(op->ob_item[lo + i]);
    }
    list_unlock(op);
    if (arr == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    *n = count;
    return arr;
}

static void
array_release(PyObject **arr, Py_ssize_t n)
{
    /* XDECREF: a PyList_New(n) list may be dropped before every slot is
     * filled, as CPython allows. */
    for (Py_ssize_t i = 0; i < n; i++)
        Py_XDECREF(arr[i]);
    mem_free(arr);
}

/* New references to the items of a list or tuple, or of any iterable. */
static PyObject **
items_of(PyObject *v, Py_ssize_t *n)
{
    PyObject **arr;

    if (PyList_Check(v))
        return list_snapshot(LIST(v), 0, PY_SSIZE_T_MAX, n);
    if (PyTuple_Check(v)) {
        Py_ssize_t k = PyTuple_GET_SIZE(v);
        arr = mem_alloc((size_t)k * sizeof(PyObject *));
        if (arr == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        for (Py_ssize_t i = 0; i < k; i++)
            arr[i] = Py_NewRef(PyTuple_GET_ITEM(v, i));
        *n = k;
        return arr;
    }
    /* Any other iterable: collect into a private list, then take its
     * array. */
    if (Py_TYPE(v)->tp_iter == NULL &&
        (Py_TYPE(v)->tp_as_sequence == NULL || Py_TYPE(v)->tp_as_sequence->sq_item == NULL)) {
        PyErr_Format(PyExc_TypeError, "'%.200s' object is not iterable", Py_TYPE(v)->tp_name);
        return NULL;
    }
    PyObject *it = PyObject_GetIter(v), *item;
    if (it == NULL)
        return NULL;
    PyListObject *tmp = (PyListObject *)PyList_New(0);
    if (tmp == NULL) {
        Py_DECREF(it);
        return NULL;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        int r = PyList_Append((PyObject *)tmp, item);
        Py_DECREF(item);
        if (r < 0)
            break;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(tmp);
        return NULL;
    }
    /* 'tmp' is private: take its array without locking. */
    arr = tmp->ob_item;
    *n = Py_SIZE(tmp);
    if (arr == NULL) {
        arr = mem_alloc(sizeof(PyObject *));
        if (arr == NULL) {
            Py_DECREF(tmp);
            PyErr_NoMemory();
            return NULL;
        }
    }
    tmp->ob_item = NULL;
    tmp->allocated = 0;
    list_set_size_locked(tmp, 0);
    Py_DECREF(tmp);
    return arr;
}

/* ------------------------------------------------------------------ C API */

PyObject *
PyList_New(Py_ssize_t size)
{
    PyObject **items = NULL;
    PyListObject *op;

    if (size < 0) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (size > LIST_MAX_ITEMS)
        return PyErr_NoMemory();
    op = PyObject_Malloc(sizeof(PyListObject));
    if (op == NULL)
        return PyErr_NoMemory();
    if (size > 0) {
        items = mem_calloc((size_t)size, sizeof(PyObject *));
        if (items == NULL) {
            PyObject_Free(op);
            return PyErr_NoMemory();
        }
    }
    PyObject_InitVar((PyVarObject *)op, &PyList_Type, size);
    op->ob_item = items;
    op->allocated = size;
    op->ob_mutex = 0;
    return (PyObject *)op;
}

Py_ssize_t
PyList_Size(PyObject *op)
{
    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    return list_size(LIST(op));
}

PyObject *
PyList_GetItem(PyObject *op, Py_ssize_t i)
{
    PyObject *item = NULL;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    list_lock(LIST(op));
    if (i >= 0 && i < Py_SIZE(op))
        item = LIST(op)->ob_item[i];
    list_unlock(LIST(op));
    if (item == NULL)
        PyErr_SetString(PyExc_IndexError, "list index out of range");
    return item;
}

/* A new reference to item i, or NULL (no exception) if out of range. */
static PyObject *
list_item_ref(PyListObject *op, Py_ssize_t i)
{
    PyObject *item = NULL;

    list_lock(op);
    if (i >= 0 && i < Py_SIZE(op)) {
        item = op->ob_item[i];
        Py_XINCREF(item);
    }
    list_unlock(op);
    return item;
}

PyObject *
PyList_GetItemRef(PyObject *op, Py_ssize_t i)
{
    PyObject *item;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    item = list_item_ref(LIST(op), i);
    if (item == NULL)
        PyErr_SetString(PyExc_IndexError, "list index out of range");
    return item;
}

int
PyList_SetItem(PyObject *op, Py_ssize_t i, PyObject *newitem)
{
    PyObject *old = NULL;
    int ok = 0;

    if (op == NULL || !PyList_Check(op)) {
        Py_XDECREF(newitem);
        PyErr_BadInternalCall();
        return -1;
    }
    list_lock(LIST(op));
    if (i >= 0 && i < Py_SIZE(op)) {
        old = LIST(op)->ob_item[i];
        LIST(op)->ob_item[i] = newitem;
        ok = 1;
    }
    list_unlock(LIST(op));
    if (!ok) {
        Py_XDECREF(newitem);
        PyErr_SetString(PyExc_IndexError, "list assignment index out of range");
        return -1;
    }
    Py_XDECREF(old);
    return 0;
}

/* Inserts a new reference at 'where' (clamped; negative counts from the
 * end); the reference is dropped on failure. */
static int
list_insert_ref(PyListObject *op, Py_ssize_t where, PyObject *item)
{
    Py_ssize_t n;

    list_lock(op);
    n = Py_SIZE(op);
    if (n == PY_SSIZE_T_MAX || list_reserve_locked(op, n + 1) < 0) {
        list_unlock(op);
        Py_DECREF(item);
        PyErr_NoMemory();
        return -1;
    }
    if (where < 0) {
        where += n;
        if (where < 0)
            where = 0;
    }
    if (where > n)
        where = n;
    memmove(op->ob_item + where + 1, op->ob_item + where,
            (size_t)(n - where) * sizeof(PyObject *));
    op->ob_item[where] = item;
    list_set_size_locked(op, n + 1);
    list_unlock(op);
    return 0;
}

int
PyList_Insert(PyObject *op, Py_ssize_t where, PyObject *newitem)
{
    if (op == NULL || !PyList_Check(op) || newitem == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    return list_insert_ref(LIST(op), where, Py_NewRef(newitem));
}

int
PyList_Append(PyObject *op, PyObject *newitem)
{
    PyListObject *l = LIST(op);
    Py_ssize_t n;

    if (op == NULL || !PyList_Check(op) || newitem == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    Py_INCREF(newitem);
    list_lock(l);
    n = Py_SIZE(l);
    if (RT_LIKELY(n < l->allocated)) {
        l->ob_item[n] = newitem;
        list_set_size_locked(l, n + 1);
        list_unlock(l);
        return 0;
    }
    list_unlock(l);
    return list_insert_ref(l, PY_SSIZE_T_MAX, newitem);
}

PyObject *
PyList_GetSlice(PyObject *op, Py_ssize_t lo, Py_ssize_t hi)
{
    PyObject **arr;
    Py_ssize_t n;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    arr = list_snapshot(LIST(op), lo, hi, &n);
    if (arr == NULL)
        return NULL;
    return list_from_array(arr, n);
}

/* Replaces [lo, hi) with the n references in 'src' (taken over). */
static int
list_replace_slice(PyListObject *op, Py_ssize_t lo, Py_ssize_t hi, PyObject **src, Py_ssize_t n)
{
    PyObject **removed;
    Py_ssize_t size, nrem;

    list_lock(op);
    size = Py_SIZE(op);
    if (lo < 0)
        lo = 0;
    else if (lo > size)
        lo = size;
    if (hi < lo)
        hi = lo;
    else if (hi > size)
        hi = size;
    nrem = hi - lo;
    removed = mem_alloc((size_t)nrem * sizeof(PyObject *));
    if (removed == NULL || (n > nrem && (size > LIST_MAX_ITEMS - (n - nrem) ||
                                         list_reserve_locked(op, size + n - nrem) < 0))) {
        list_unlock(op);
        mem_free(removed);
        for (Py_ssize_t i = 0; i < n; i++)
            Py_DECREF(src[i]);
        PyErr_NoMemory();
        return -1;
    }
    if (nrem > 0)
        memcpy(removed, op->ob_item + lo, (size_t)nrem * sizeof(PyObject *));
    if (n != nrem)
        memmove(op->ob_item + lo + n, op->ob_item + hi, (size_t)(size - hi) * sizeof(PyObject *));
    if (n > 0)
        memcpy(op->ob_item + lo, src, (size_t)n * sizeof(PyObject *));
    list_set_size_locked(op, size + n - nrem);
    list_unlock(op);
    array_release(removed, nrem);
    return 0;
}

int
PyList_SetSlice(PyObject *op, Py_ssize_t lo, Py_ssize_t hi, PyObject *v)
{
    PyObject **src = NULL;
    Py_ssize_t n = 0;
    int r;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (v != NULL) {
        if (Py_TYPE(v)->tp_iter == NULL && !PyList_Check(v) && !PyTuple_Check(v) &&
            (Py_TYPE(v)->tp_as_sequence == NULL || Py_TYPE(v)->tp_as_sequence->sq_item == NULL)) {
            PyErr_SetString(PyExc_TypeError, "can only assign an iterable");
            return -1;
        }
        src = items_of(v, &n);
        if (src == NULL)
            return -1;
    }
    r = list_replace_slice(LIST(op), lo, hi, src, n);
    mem_free(src);
    return r;
}

int
PyList_Extend(PyObject *op, PyObject *iterable)
{
    PyObject **src;
    Py_ssize_t n;
    int r;

    if (op == NULL || !PyList_Check(op) || iterable == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    src = items_of(iterable, &n);
    if (src == NULL)
        return -1;
    r = list_replace_slice(LIST(op), PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, src, n);
    mem_free(src);
    return r;
}

int
PyList_Clear(PyObject *op)
{
    PyObject **items;
    Py_ssize_t n;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    list_lock(LIST(op));
    items = LIST(op)->ob_item;
    n = Py_SIZE(op);
    LIST(op)->ob_item = NULL;
    LIST(op)->allocated = 0;
    list_set_size_locked(LIST(op), 0);
    list_unlock(LIST(op));
    array_release(items, n);
    return 0;
}

PyObject *
PyList_AsTuple(PyObject *op)
{
    PyObject **arr, *t;
    Py_ssize_t n;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    arr = list_snapshot(LIST(op), 0, PY_SSIZE_T_MAX, &n);
    if (arr == NULL)
        return NULL;
    t = num_tuple_steal_array(arr, n);
    mem_free(arr);
    return t;
}

int
PyList_Reverse(PyObject *op)
{
    PyObject **lo, **hi, *tmp;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    list_lock(LIST(op));
    if (Py_SIZE(op) > 1) {
        lo = LIST(op)->ob_item;
        hi = lo + Py_SIZE(op) - 1;
        for (; lo < hi; lo++, hi--) {
            tmp = *lo;
            *lo = *hi;
            *hi = tmp;
        }
    }
    list_unlock(LIST(op));
    return 0;
}

/* Stable merge sort by PyObject_RichCompareBool(<).  After a comparison
 * error no more comparisons are made, but the merges still complete, so the
 * array always stays a permutation of its items. */
static int
sort_lt(PyObject *a, PyObject *b, int *err)
{
    int k;

    if (*err)
        return 0;
    k = PyObject_RichCompareBool(a, b, Py_LT);
    if (k < 0) {
        *err = 1;
        return 0;
    }
    return k;
}

static void
merge_sort(PyObject **a, PyObject **tmp, Py_ssize_t n, int *err)
{
    Py_ssize_t m, i, j, k;

    if (n < 2)
        return;
    if (n <= 8) {
        for (i = 1; i < n; i++) {
            PyObject *x = a[i];
            for (j = i; j > 0 && sort_lt(x, a[j - 1], err); j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    m = n / 2;
    merge_sort(a, tmp, m, err);
    merge_sort(a + m, tmp, n - m, err);
    if (!sort_lt(a[m], a[m - 1], err))
        return;
    memcpy(tmp, a, (size_t)m * sizeof(PyObject *));
    for (i = 0, j = m, k = 0; i < m && j < n; )
        a[k++] = sort_lt(a[j], tmp[i], err) ? a[j++] : tmp[i++];
    while (i < m)
        a[k++] = tmp[i++];
}

int
PyList_Sort(PyObject *op)
{
    PyListObject *l = LIST(op);
    PyObject **items, **tmp, **added;
    Py_ssize_t n, cap, nadded;
    int err = 0;

    if (op == NULL || !PyList_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    /* Sort a detached array: the list looks empty meanwhile, and items
     * another thread adds during the sort are discarded with
     * ValueError("list modified during sort"), as in CPython. */
    list_lock(l);
    items = l->ob_item;
    n = Py_SIZE(l);
    cap = l->allocated;
    l->ob_item = NULL;
    l->allocated = 0;
    list_set_size_locked(l, 0);
    list_unlock(l);

    tmp = mem_alloc((size_t)(n / 2 + 1) * sizeof(PyObject *));
    if (tmp == NULL)
        err = 2;
    else
        merge_sort(items, tmp, n, &err);
    mem_free(tmp);

    list_lock(l);
    added = l->ob_item;
    nadded = Py_SIZE(l);
    l->ob_item = items;
    l->allocated = cap;
    list_set_size_locked(l, n);
    list_unlock(l);
    array_release(added, nadded);
    if (err == 2) {
        PyErr_NoMemory();
        return -1;
    }
    if (err)
        return -1;
    if (added != NULL) {
        PyErr_SetString(PyExc_ValueError, "list modified during sort");
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- slots */

static void
list_dealloc(PyObject *op)
{
    array_release(LIST(op)->ob_item, Py_SIZE(op));
    Py_TYPE(op)->tp_free(op);
}

static PyObject *
list_repr(PyObject *op)
{
    PyObject **arr, *res;
    Py_ssize_t n;
    int r;

    if (list_size(LIST(op)) == 0)
        return PyUnicode_FromString("[]");
    r = Py_ReprEnter(op);
    if (r != 0)
        return r > 0 ? PyUnicode_FromString("[...]") : NULL;
    arr = list_snapshot(LIST(op), 0, PY_SSIZE_T_MAX, &n);
    res = arr == NULL ? NULL : num_seq_repr(arr, n, "[", "]", 0);
    if (arr != NULL)
        array_release(arr, n);
    Py_ReprLeave(op);
    return res;
}

static PyObject *
list_richcompare(PyObject *v, PyObject *w, int op)
{
    PyObject **a, **b, *res;
    Py_ssize_t na, nb;

    if (!PyList_Check(v) || !PyList_Check(w))
        Py_RETURN_NOTIMPLEMENTED;
    a = list_snapshot(LIST(v), 0, PY_SSIZE_T_MAX, &na);
    if (a == NULL)
        return NULL;
    b = list_snapshot(LIST(w), 0, PY_SSIZE_T_MAX, &nb);
    if (b == NULL) {
        array_release(a, na);
        return NULL;
    }
    res = num_seq_richcompare(a, na, b, nb, op);
    array_release(a, na);
    array_release(b, nb);
    return res;
}

static Py_ssize_t
list_length(PyObject *op)
{
    return list_size(LIST(op));
}

static PyObject *
list_item(PyObject *op, Py_ssize_t i)
{
    PyObject *item = list_item_ref(LIST(op), i);

    if (item == NULL)
        PyErr_SetString(PyExc_IndexError, "list index out of range");
    return item;
}

static int
list_ass_item(PyObject *op, Py_ssize_t i, PyObject *v)
{
    PyListObject *l = LIST(op);
    PyObject *old = NULL;
    Py_ssize_t n;

    if (v != NULL)
        return PyList_SetItem(op, i, Py_NewRef(v));
    list_lock(l);
    n = Py_SIZE(l);
    if (i >= 0 && i < n) {
        old = l->ob_item[i];
        memmove(l->ob_item + i, l->ob_item + i + 1, (size_t)(n - i - 1) * sizeof(PyObject *));
        list_set_size_locked(l, n - 1);
    }
    list_unlock(l);
    if (old == NULL) {
        PyErr_SetString(PyExc_IndexError, "list assignment index out of range");
        return -1;
    }
    Py_DECREF(old);
    return 0;
}

static int
list_contains(PyObject *op, PyObject *el)
{
    PyObject *item;
    int cmp = 0;

    for (Py_ssize_t i = 0; cmp == 0 && (item = list_item_ref(LIST(op), i)) != NULL; i++) {
        cmp = PyObject_RichCompareBool(item, el, Py_EQ);
        Py_DECREF(item);
    }
    return cmp;
}

static PyObject *
list_concat(PyObject *a, PyObject *b)
{
    PyObject **x, **y, **arr;
    Py_ssize_t nx, ny;

    if (!PyList_Check(b)) {
        PyErr_Format(PyExc_TypeError, "can only concatenate list (not \"%.200s\") to list",
                     Py_TYPE(b)->tp_name);
        return NULL;
    }
    x = list_snapshot(LIST(a), 0, PY_SSIZE_T_MAX, &nx);
    if (x == NULL)
        return NULL;
    y = list_snapshot(LIST(b), 0, PY_SSIZE_T_MAX, &ny);
    if (y == NULL) {
        array_release(x, nx);
        return NULL;
    }
    arr = nx > LIST_MAX_ITEMS - ny ? NULL : mem_realloc(x, (size_t)(nx + ny) * sizeof(PyObject *));
    if (arr == NULL) {
        array_release(x, nx);
        array_release(y, ny);
        return PyErr_NoMemory();
    }
    memcpy(arr + nx, y, (size_t)ny * sizeof(PyObject *));
    mem_free(y);
    return list_from_array(arr, nx + ny);
}

static PyObject *
list_repeat(PyObject *a, Py_ssize_t count)
{
    PyObject **x, **arr;
    Py_ssize_t n;

    x = list_snapshot(LIST(a), 0, PY_SSIZE_T_MAX, &n);
    if (x == NULL)
        return NULL;
    if (count < 0 || n == 0)
        count = 0;
    if (count > 0 && n > LIST_MAX_ITEMS / count) {
        array_release(x, n);
        return PyErr_NoMemory();
    }
    arr = mem_alloc((size_t)(n * count) * sizeof(PyObject *));
    if (arr == NULL) {
        array_release(x, n);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n * count; k++)
        arr[k] = Py_NewRef(x[k % n]);
    array_release(x, n);
    return list_from_array(arr, n * count);
}

static PyObject *
list_inplace_concat(PyObject *a, PyObject *b)
{
    if (PyList_Extend(a, b) < 0)
        return NULL;
    return Py_NewRef(a);
}

static Py_ssize_t
list_index_of(PyObject *op, PyObject *key)
{
    Py_ssize_t i;

    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError, "list indices must be integers or slices, not %.200s",
                     Py_TYPE(key)->tp_name);
        return -1;
    }
    i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return -1;
    if (i < 0)
        i += list_size(LIST(op));
    if (i < 0)
        i = PY_SSIZE_T_MAX;   /* out of range, whatever the size */
    return i;
}

static PyObject *
list_subscript(PyObject *op, PyObject *key)
{
    Py_ssize_t i = list_index_of(op, key);

    if (i == -1)
        return NULL;
    return list_item(op, i);
}

static int
list_ass_subscript(PyObject *op, PyObject *key, PyObject *v)
{
    Py_ssize_t i = list_index_of(op, key);

    if (i == -1)
        return -1;
    return list_ass_item(op, i, v);
}

/* list(iterable=()): tp_new makes an empty list, tp_init fills it (so that
 * list.__init__ on an existing list replaces its contents, as in CPython). */
static PyObject *
list_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    return type == &PyList_Type ? PyList_New(0) : type->tp_alloc(type, 0);
}

static int
list_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);

    if (kwds != NULL && PyDict_Size(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "list() takes no keyword arguments");
        return -1;
    }
    if (n > 1) {
        PyErr_Format(PyExc_TypeError, "list expected at most 1 argument, got %zd", n);
        return -1;
    }
    if (PyList_Clear(self) < 0)
        return -1;
    if (n == 1 && PyList_Extend(self, PyTuple_GET_ITEM(args, 0)) < 0)
        return -1;
    return 0;
}

/* --------------------------------------------------------------- iterator */

typedef struct {
    PyObject_HEAD
    Py_ssize_t index;          /* owner thread only (iterators are not shared) */
    PyObject *seq;             /* NULL once exhausted */
} listiterobject;

static PyObject *
list_iter(PyObject *op)
{
    listiterobject *it = PyObject_Malloc(sizeof(*it));

    if (it == NULL)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)it, &PyListIter_Type);
    it->index = 0;
    it->seq = Py_NewRef(op);
    return (PyObject *)it;
}

static PyObject *
listiter_next(PyObject *op)
{
    listiterobject *it = (listiterobject *)op;
    PyObject *item;

    if (it->seq == NULL)
        return NULL;
    item = list_item_ref(LIST(it->seq), it->index);
    if (item != NULL) {
        it->index++;
        return item;
    }
    Py_CLEAR(it->seq);
    return NULL;
}

static void
listiter_dealloc(PyObject *op)
{
    Py_XDECREF(((listiterobject *)op)->seq);
    PyObject_Free(op);
}

PyTypeObject PyListIter_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "list_iterator",
    .tp_basicsize = sizeof(listiterobject),
    .tp_dealloc = listiter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = listiter_next,
    .tp_free = PyObject_Free,
};

/* ------------------------------------------------------------- the type */

static PySequenceMethods list_as_sequence = {
    .sq_length = list_length,
    .sq_concat = list_concat,
    .sq_repeat = list_repeat,
    .sq_item = list_item,
    .sq_ass_item = list_ass_item,
    .sq_contains = list_contains,
    .sq_inplace_concat = list_inplace_concat,
};

static PyMappingMethods list_as_mapping = {
    .mp_length = list_length,
    .mp_subscript = list_subscript,
    .mp_ass_subscript = list_ass_subscript,
};

PyTypeObject PyList_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "list",
    .tp_basicsize = sizeof(PyListObject),
    .tp_dealloc = list_dealloc,
    .tp_repr = list_repr,
    .tp_as_sequence = &list_as_sequence,
    .tp_as_mapping = &list_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_LIST_SUBCLASS |
                _Py_TPFLAGS_MATCH_SELF | Py_TPFLAGS_SEQUENCE,
    .tp_doc = "Built-in mutable sequence.",
    .tp_richcompare = list_richcompare,
    .tp_iter = list_iter,
    .tp_init = list_init,
    .tp_new = list_new,
    .tp_free = PyObject_Free,
};
