/* tupleobject.c: tuple, its iterator, and helpers shared with list
 * (sequence repr and lexicographic comparison).
 *
 * Invariants:
 *   - A tuple is filled by its creator (PyTuple_SetItem / PyTuple_SET_ITEM
 *     while it is private: refcount 1) and immutable once shared, so
 *     readers need no synchronization.  PyTuple_SetItem and _PyTuple_Resize
 *     refuse tuples whose refcount is not 1 (SystemError), as CPython does.
 *   - The empty tuple is one static immortal object; PyTuple_New(0) and
 *     every empty result return it.
 *   - Items are never NULL once the tuple is shared; the deallocator
 *     tolerates NULL items (a tuple freed half-filled after an error).
 * tuple does not take part in a cycle collector (pymodrt has none), so
 * Py_TPFLAGS_HAVE_GC is not set.
 *
 * File map: allocation; the C API; helpers shared with list; slots; the
 * iterator; the type objects. */
#include "internal/pycore.h"

/* immutable (static, immortal) */
static PyTupleObject num_empty_tuple = {
    PyVarObject_HEAD_INIT(&PyTuple_Type, 0)
    -1,
    { NULL },
};

#define TUPLE_EMPTY ((PyObject *)&num_empty_tuple)
#define TUPLE_MAX_ITEMS \
    ((PY_SSIZE_T_MAX - (Py_ssize_t)offsetof(PyTupleObject, ob_item)) / (Py_ssize_t)sizeof(PyObject *))

/* ------------------------------------------------------------ allocation */

/* A new tuple of n >= 1 NULL items. */
static PyTupleObject *
tuple_alloc(Py_ssize_t n)
{
    PyTupleObject *op;

    if (n > TUPLE_MAX_ITEMS)
        return (PyTupleObject *)PyErr_NoMemory();
    op = PyObject_Malloc(offsetof(PyTupleObject, ob_item) + (size_t)n * sizeof(PyObject *));
    if (op == NULL)
        return (PyTupleObject *)PyErr_NoMemory();
    PyObject_InitVar((PyVarObject *)op, &PyTuple_Type, n);
    op->ob_hash = -1;
    memset(op->ob_item, 0, (size_t)n * sizeof(PyObject *));
    return op;
}

/* ------------------------------------------------------------------ C API */

PyObject *
PyTuple_New(Py_ssize_t size)
{
    if (size < 0) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (size == 0)
        return TUPLE_EMPTY;
    return (PyObject *)tuple_alloc(size);
}

Py_ssize_t
PyTuple_Size(PyObject *op)
{
    if (!PyTuple_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    return Py_SIZE(op);
}

PyObject *
PyTuple_GetItem(PyObject *op, Py_ssize_t i)
{
    if (!PyTuple_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (i < 0 || i >= Py_SIZE(op)) {
        PyErr_SetString(PyExc_IndexError, "tuple index out of range");
        return NULL;
    }
    return ((PyTupleObject *)op)->ob_item[i];
}

int
PyTuple_SetItem(PyObject *op, Py_ssize_t i, PyObject *newitem)
{
    PyObject **slot;

    if (!PyTuple_Check(op) || Py_REFCNT(op) != 1) {
        Py_XDECREF(newitem);
        PyErr_BadInternalCall();
        return -1;
    }
    if (i < 0 || i >= Py_SIZE(op)) {
        Py_XDECREF(newitem);
        PyErr_SetString(PyExc_IndexError, "tuple assignment index out of range");
        return -1;
    }
    slot = &((PyTupleObject *)op)->ob_item[i];
    Py_XSETREF(*slot, newitem);
    return 0;
}

PyObject *
PyTuple_FromArray(PyObject *const *src, Py_ssize_t n)
{
    PyTupleObject *t;

    if (n < 0) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (n == 0)
        return TUPLE_EMPTY;
    t = tuple_alloc(n);
    if (t == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        t->ob_item[i] = Py_NewRef(src[i]);
    return (PyObject *)t;
}

PyObject *
num_tuple_steal_array(PyObject **items, Py_ssize_t n)
{
    PyTupleObject *t;

    if (n == 0)
        return TUPLE_EMPTY;
    t = tuple_alloc(n);
    if (t == NULL) {
        for (Py_ssize_t i = 0; i < n; i++)
            Py_DECREF(items[i]);
        return NULL;
    }
    memcpy(t->ob_item, items, (size_t)n * sizeof(PyObject *));
    return (PyObject *)t;
}

PyObject *
PyTuple_Pack(Py_ssize_t n, ...)
{
    PyTupleObject *t;
    va_list va;

    if (n == 0)
        return TUPLE_EMPTY;
    t = tuple_alloc(n);
    if (t == NULL)
        return NULL;
    va_start(va, n);
    for (Py_ssize_t i = 0; i < n; i++)
        t->ob_item[i] = Py_NewRef(va_arg(va, PyObject *));
    va_end(va);
    return (PyObject *)t;
}

PyObject *
PyTuple_GetSlice(PyObject *op, Py_ssize_t lo, Py_ssize_t hi)
{
    Py_ssize_t n;

    if (op == NULL || !PyTuple_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    n = Py_SIZE(op);
    if (lo < 0)
        lo = 0;
    if (hi > n)
        hi = n;
    if (hi < lo)
        hi = lo;
    if (lo == 0 && hi == n && PyTuple_CheckExact(op))
        return Py_NewRef(op);
    return PyTuple_FromArray(((PyTupleObject *)op)->ob_item + lo, hi - lo);
}

int
_PyTuple_Resize(PyObject **pv, Py_ssize_t newsize)
{
    PyTupleObject *v = (PyTupleObject *)*pv, *nv;
    Py_ssize_t oldsize;

    if (v == NULL || !Py_IS_TYPE(v, &PyTuple_Type) ||
        (Py_SIZE(v) != 0 && Py_REFCNT(v) != 1) || newsize < 0) {
        *pv = NULL;
        Py_XDECREF(v);
        PyErr_BadInternalCall();
        return -1;
    }
    oldsize = Py_SIZE(v);
    if (oldsize == newsize)
        return 0;
    if (newsize == 0) {
        Py_DECREF(v);
        *pv = TUPLE_EMPTY;
        return 0;
    }
    if (oldsize == 0) {
        /* The empty singleton is never resized in place. */
        *pv = PyTuple_New(newsize);
        return *pv == NULL ? -1 : 0;
    }
    for (Py_ssize_t i = newsize; i < oldsize; i++)
        Py_CLEAR(v->ob_item[i]);
    if (newsize > TUPLE_MAX_ITEMS) {
        nv = NULL;
    }
    else {
        nv = PyObject_Realloc(v, offsetof(PyTupleObject, ob_item) +
                                 (size_t)newsize * sizeof(PyObject *));
    }
    if (nv == NULL) {
        *pv = NULL;
        Py_DECREF(v);
        PyErr_NoMemory();
        return -1;
    }
    if (newsize > oldsize)
        memset(nv->ob_item + oldsize, 0, (size_t)(newsize - oldsize) * sizeof(PyObject *));
    Py_SET_SIZE(nv, newsize);
    *pv = (PyObject *)nv;
    return 0;
}

/* ------------------------------------------------------- shared helpers */

/* A growable UTF-8 buffer for reprs. */
struct num_buf {
    char *p;
    size_t len, cap;
};

static int
num_buf_put(struct num_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = mem_realloc(b->p, cap);
        if (np == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

PyObject *
num_seq_repr(PyObject *const *items, Py_ssize_t n, const char *open, const char *close,
             int one_comma)
{
    struct num_buf b = { NULL, 0, 0 };
    PyObject *res = NULL;

    if (num_buf_put(&b, open, strlen(open)) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *r;
        const char *s;
        Py_ssize_t len;

        if (i > 0 && num_buf_put(&b, ", ", 2) < 0)
            goto done;
        r = PyObject_Repr(items[i]);
        if (r == NULL)
            goto done;
        s = PyUnicode_AsUTF8AndSize(r, &len);
        if (s == NULL || num_buf_put(&b, s, (size_t)len) < 0) {
            Py_DECREF(r);
            goto done;
        }
        Py_DECREF(r);
    }
    if (one_comma && n == 1 && num_buf_put(&b, ",", 1) < 0)
        goto done;
    if (num_buf_put(&b, close, strlen(close)) < 0)
        goto done;
    res = PyUnicode_FromStringAndSize(b.p, (Py_ssize_t)b.len);
done:
    mem_free(b.p);
    return res;
}

PyObject *
num_seq_richcompare(PyObject *const *a, Py_ssize_t na, PyObject *const *b, Py_ssize_t nb,
                    int op)
{
    Py_ssize_t i;

    if (na != nb && (op == Py_EQ || op == Py_NE))
        return Py_NewRef(op == Py_NE ? Py_True : Py_False);
    /* The first index where the items differ decides. */
    for (i = 0; i < na && i < nb; i++) {
        int k = PyObject_RichCompareBool(a[i], b[i], Py_EQ);
        if (k < 0)
            return NULL;
        if (!k)
            break;
    }
    if (i >= na || i >= nb)
        Py_RETURN_RICHCOMPARE(na, nb, op);
    if (op == Py_EQ)
        Py_RETURN_FALSE;
    if (op == Py_NE)
        Py_RETURN_TRUE;
    return PyObject_RichCompare(a[i], b[i], op);
}

/* ----------------------------------------------------------------- slots */

static void
tuple_dealloc(PyObject *op)
{
    PyTupleObject *t = (PyTupleObject *)op;

    if (op == TUPLE_EMPTY)
        Py_FatalError("deallocating the empty tuple");
    for (Py_ssize_t i = Py_SIZE(op); --i >= 0; )
        Py_XDECREF(t->ob_item[i]);
    Py_TYPE(op)->tp_free(op);
}

static PyObject *
tuple_repr(PyObject *op)
{
    return num_seq_repr(((PyTupleObject *)op)->ob_item, Py_SIZE(op), "(", ")", 1);
}

/* CPython's tuple hash: xxHash's 64-bit lane mixing over the item hashes. */
static Py_hash_t
tuple_hash(PyObject *op)
{
    const uint64_t p1 = 11400714785074694791ull, p2 = 14029467366897019727ull,
                   p5 = 2870177450012600261ull;
    Py_ssize_t n = Py_SIZE(op);
    uint64_t acc = p5;

    for (Py_ssize_t i = 0; i < n; i++) {
        Py_hash_t h = PyObject_Hash(((PyTupleObject *)op)->ob_item[i]);
        if (h == -1)
            return -1;
        acc += (uint64_t)h * p2;
        acc = (acc << 31) | (acc >> 33);
        acc *= p1;
    }
    acc += (uint64_t)n ^ (p5 ^ 3527539ull);
    if (acc == (uint64_t)-1)
        return 1546275796;
    return (Py_hash_t)acc;
}

static PyObject *
tuple_richcompare(PyObject *v, PyObject *w, int op)
{
    if (!PyTuple_Check(v) || !PyTuple_Check(w))
        Py_RETURN_NOTIMPLEMENTED;
    return num_seq_richcompare(((PyTupleObject *)v)->ob_item, Py_SIZE(v),
                               ((PyTupleObject *)w)->ob_item, Py_SIZE(w), op);
}

static Py_ssize_t
tuple_length(PyObject *op)
{
    return Py_SIZE(op);
}

static PyObject *
tuple_item(PyObject *op, Py_ssize_t i)
{
    if (i < 0 || i >= Py_SIZE(op)) {
        PyErr_SetString(PyExc_IndexError, "tuple index out of range");
        return NULL;
    }
    return Py_NewRef(((PyTupleObject *)op)->ob_item[i]);
}

static int
tuple_contains(PyObject *op, PyObject *el)
{
    int cmp = 0;

    for (Py_ssize_t i = 0; cmp == 0 && i < Py_SIZE(op); i++)
        cmp = PyObject_RichCompareBool(((PyTupleObject *)op)->ob_item[i], el, Py_EQ);
    return cmp;
}

static PyObject *
tuple_concat(PyObject *a, PyObject *b)
{
    Py_ssize_t na = Py_SIZE(a), nb;
    PyTupleObject *t;

    if (!PyTuple_Check(b)) {
        PyErr_Format(PyExc_TypeError, "can only concatenate tuple (not \"%.200s\") to tuple",
                     Py_TYPE(b)->tp_name);
        return NULL;
    }
    nb = Py_SIZE(b);
    if (nb == 0 && PyTuple_CheckExact(a))
        return Py_NewRef(a);
    if (na == 0 && PyTuple_CheckExact(b))
        return Py_NewRef(b);
    if (na > TUPLE_MAX_ITEMS - nb)
        return PyErr_NoMemory();
    t = tuple_alloc(na + nb);
    if (t == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < na; i++)
        t->ob_item[i] = Py_NewRef(((PyTupleObject *)a)->ob_item[i]);
    for (Py_ssize_t i = 0; i < nb; i++)
        t->ob_item[na + i] = Py_NewRef(((PyTupleObject *)b)->ob_item[i]);
    return (PyObject *)t;
}

static PyObject *
tuple_repeat(PyObject *a, Py_ssize_t n)
{
    Py_ssize_t na = Py_SIZE(a);
    PyTupleObject *t;

    if (n < 0)
        n = 0;
    if (na == 0 || n == 0)
        return TUPLE_EMPTY;
    if (n == 1 && PyTuple_CheckExact(a))
        return Py_NewRef(a);
    if (na > TUPLE_MAX_ITEMS / n)
        return PyErr_NoMemory();
    t = tuple_alloc(na * n);
    if (t == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < na * n; k++)
        t->ob_item[k] = Py_NewRef(((PyTupleObject *)a)->ob_item[k % na]);
    return (PyObject *)t;
}

static PyObject *
tuple_subscript(PyObject *op, PyObject *key)
{
    Py_ssize_t i;

    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError, "tuple indices must be integers or slices, not %.200s",
                     Py_TYPE(key)->tp_name);
        return NULL;
    }
    i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0)
        i += Py_SIZE(op);
    return tuple_item(op, i);
}

/* tuple(iterable=()) */
static PyObject *
tuple_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *res;

    if (kwds != NULL && PyDict_Size(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "tuple() takes no keyword arguments");
        return NULL;
    }
    if (n > 1) {
        PyErr_Format(PyExc_TypeError, "tuple expected at most 1 argument, got %zd", n);
        return NULL;
    }
    if (n == 0) {
        res = TUPLE_EMPTY;
    }
    else {
        PyObject *list = PyList_New(0);
        if (list == NULL)
            return NULL;
        if (PyList_Extend(list, PyTuple_GET_ITEM(args, 0)) < 0) {
            Py_DECREF(list);
            return NULL;
        }
        res = PyList_AsTuple(list);
        Py_DECREF(list);
        if (res == NULL)
            return NULL;
    }
    if (type == &PyTuple_Type)
        return res;
    n = Py_SIZE(res);
    PyTupleObject *sub = (PyTupleObject *)type->tp_alloc(type, n);
    if (sub != NULL) {
        for (Py_ssize_t i = 0; i < n; i++)
            sub->ob_item[i] = Py_NewRef(((PyTupleObject *)res)->ob_item[i]);
    }
    Py_DECREF(res);
    return (PyObject *)sub;
}

/* --------------------------------------------------------------- iterator */

typedef struct {
    PyObject_HEAD
    Py_ssize_t index;          /* owner thread only (iterators are not shared) */
    PyObject *seq;             /* NULL once exhausted */
} tupleiterobject;

static PyObject *
tuple_iter(PyObject *op)
{
    tupleiterobject *it = PyObject_Malloc(sizeof(*it));

    if (it == NULL)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)it, &PyTupleIter_Type);
    it->index = 0;
    it->seq = Py_NewRef(op);
    return (PyObject *)it;
}

static PyObject *
tupleiter_next(PyObject *op)
{
    tupleiterobject *it = (tupleiterobject *)op;

    if (it->seq == NULL)
        return NULL;
    if (it->index < Py_SIZE(it->seq))
        return Py_NewRef(((PyTupleObject *)it->seq)->ob_item[it->index++]);
    Py_CLEAR(it->seq);
    return NULL;
}

static void
tupleiter_dealloc(PyObject *op)
{
    Py_XDECREF(((tupleiterobject *)op)->seq);
    PyObject_Free(op);
}

PyTypeObject PyTupleIter_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "tuple_iterator",
    .tp_basicsize = sizeof(tupleiterobject),
    .tp_dealloc = tupleiter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = tupleiter_next,
    .tp_free = PyObject_Free,
};

/* ------------------------------------------------------------- the type */

static PySequenceMethods tuple_as_sequence = {
    .sq_length = tuple_length,
    .sq_concat = tuple_concat,
    .sq_repeat = tuple_repeat,
    .sq_item = tuple_item,
    .sq_contains = tuple_contains,
};

static PyMappingMethods tuple_as_mapping = {
    .mp_length = tuple_length,
    .mp_subscript = tuple_subscript,
};

PyTypeObject PyTuple_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "tuple",
    .tp_basicsize = offsetof(PyTupleObject, ob_item),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = tuple_dealloc,
    .tp_repr = tuple_repr,
    .tp_as_sequence = &tuple_as_sequence,
    .tp_as_mapping = &tuple_as_mapping,
    .tp_hash = tuple_hash,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_TUPLE_SUBCLASS |
                _Py_TPFLAGS_MATCH_SELF | Py_TPFLAGS_SEQUENCE,
    .tp_doc = "Built-in immutable sequence.",
    .tp_richcompare = tuple_richcompare,
    .tp_iter = tuple_iter,
    .tp_new = tuple_new,
    .tp_free = PyObject_Free,
};
