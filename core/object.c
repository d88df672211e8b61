/* object.c: reference counting, the base object type, the None /
 * NotImplemented / Ellipsis singletons, and the generic object and
 * attribute protocols.
 *
 * Reference counting without a GIL
 * --------------------------------
 * The refcount word (ob_refcnt_full, 64 bits) is only ever accessed with
 * atomic operations on the whole word.  Its low 32 bits are the count; an
 * object is immortal when they read as a negative int32.
 *
 *   incref   load(relaxed); if immortal return; fetch_add(1, relaxed)
 *   decref   load(relaxed); if immortal return;
 *            if sub_fetch(1, acq_rel) leaves 0 in the low 32 bits: dealloc
 *
 * Why these orders suffice:
 *   - An increment is only made by a thread that already owns a reference,
 *     so the object is alive and its contents were made visible to that
 *     thread by whatever handed it the reference (a release/acquire pair in
 *     a dict, a queue, a lock).  The increment itself orders nothing; it
 *     only has to be atomic.
 *   - Every decrement releases: the thread's earlier writes to the object
 *     happen-before its decrement.  The decrement that reaches zero also
 *     acquires, so it synchronizes with every earlier decrement in the
 *     word's modification order, and the destructor sees all writes any
 *     owner made.  (acq_rel on every decrement rather than release plus an
 *     acquire fence on the last one: ThreadSanitizer does not model fences,
 *     and on x86-64 both compile to the same lock-prefixed instruction.)
 *   - Immortality is a property fixed before an object is shared (static
 *     objects, interning, _Py_SetImmortal before publication), so the
 *     relaxed load that tests it cannot miss a transition.  A mortal count
 *     that climbs to 2^31 becomes "immortal": the object leaks instead of
 *     ever being freed while referenced.
 * Immortal objects are never written by Py_INCREF/Py_DECREF: None, True,
 * False, small ints, interned strings, static types and module definitions
 * cost a load, no cache-line transfer.
 *
 * File map: refcounting; allocation helpers; singletons; object type;
 * object protocol; attribute protocol. */
#include "internal/pycore.h"

/* ------------------------------------------------------------ refcounting */

void
_Py_Dealloc(PyObject *op)
{
    destructor dealloc = Py_TYPE(op)->tp_dealloc;

    dealloc(op);
}

void
Py_IncRef(PyObject *op)
{
    Py_XINCREF(op);
}

void
Py_DecRef(PyObject *op)
{
    Py_XDECREF(op);
}

#undef Py_SET_REFCNT
void
Py_SET_REFCNT(PyObject *op, Py_ssize_t refcnt)
{
    int64_t old = _Py_RefcntWord(op), new;

    if ((int32_t)(uint32_t)old < 0)
        return;
    if (refcnt > INT32_MAX)
        refcnt = INT32_MAX;   /* clamp below the immortal range */
    do {
        new = (old & ~(int64_t)0xFFFFFFFF) | (int64_t)(uint32_t)refcnt;
    } while (!__atomic_compare_exchange_n(&op->ob_refcnt_full, &old, new, 1,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* Must be called before 'op' is visible to other threads. */
void
_Py_SetImmortal(PyObject *op)
{
    int64_t flags = (int64_t)(op->ob_flags | _Py_IMMORTAL_FLAGS) << 48;

    __atomic_store_n(&op->ob_refcnt_full, flags | (int64_t)0xC0000000u,
                     __ATOMIC_RELAXED);
}

#undef Py_Is
int Py_Is(PyObject *x, PyObject *y) { return x == y; }
#undef Py_IsNone
int Py_IsNone(PyObject *x) { return x == Py_None; }

/* ------------------------------------------------------ allocation helpers */

PyObject *
PyObject_Init(PyObject *op, PyTypeObject *tp)
{
    if (op == NULL)
        return PyErr_NoMemory();
    op->ob_refcnt_full = 1;
    op->ob_type = tp;
    if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE)
        Py_INCREF(tp);
    return op;
}

PyVarObject *
PyObject_InitVar(PyVarObject *op, PyTypeObject *tp, Py_ssize_t size)
{
    if (op == NULL)
        return (PyVarObject *)PyErr_NoMemory();
    PyObject_Init((PyObject *)op, tp);
    op->ob_size = size;
    return op;
}

PyObject *
_PyObject_New(PyTypeObject *tp)
{
    PyObject *op = PyObject_Malloc((size_t)_PyObject_SIZE(tp));

    if (op == NULL)
        return PyErr_NoMemory();
    return PyObject_Init(op, tp);
}

PyVarObject *
_PyObject_NewVar(PyTypeObject *tp, Py_ssize_t nitems)
{
    PyVarObject *op;

    if (nitems < 0 || (tp->tp_itemsize != 0 &&
                       nitems > (PY_SSIZE_T_MAX - tp->tp_basicsize) / tp->tp_itemsize)) {
        return (PyVarObject *)PyErr_NoMemory();
    }
    op = PyObject_Malloc(_PyObject_VAR_SIZE(tp, nitems));
    if (op == NULL)
        return (PyVarObject *)PyErr_NoMemory();
    return PyObject_InitVar(op, tp, nitems);
}

/* No cycle collector: GC objects are plain objects. */
PyObject *_PyObject_GC_New(PyTypeObject *tp) { return _PyObject_New(tp); }
PyVarObject *_PyObject_GC_NewVar(PyTypeObject *tp, Py_ssize_t n) { return _PyObject_NewVar(tp, n); }
void PyObject_GC_Track(void *op) { (void)op; }
void PyObject_GC_UnTrack(void *op) { (void)op; }
void PyObject_GC_Del(void *op) { PyObject_Free(op); }
int PyObject_GC_IsTracked(PyObject *op) { (void)op; return 0; }
int PyObject_GC_IsFinalized(PyObject *op) { (void)op; return 0; }
int PyObject_IS_GC(PyObject *op) { return (Py_TYPE(op)->tp_flags & Py_TPFLAGS_HAVE_GC) != 0; }
Py_ssize_t PyGC_Collect(void) { return 0; }
int PyGC_Enable(void) { return 0; }
int PyGC_Disable(void) { return 0; }
int PyGC_IsEnabled(void) { return 0; }

PyVarObject *
_PyObject_GC_Resize(PyVarObject *op, Py_ssize_t nitems)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyVarObject *r;

    if (nitems < 0)
        return (PyVarObject *)PyErr_NoMemory();
    r = PyObject_Realloc(op, _PyObject_VAR_SIZE(tp, nitems));
    if (r == NULL)
        return (PyVarObject *)PyErr_NoMemory();
    r->ob_size = nitems;
    return r;
}

/* -------------------------------------------------------------- singletons */

static PyObject *
none_repr(PyObject *op)
{
    (void)op;
    return PyUnicode_FromString("None");
}

static int
none_bool(PyObject *op)
{
    (void)op;
    return 0;
}

static void
singleton_dealloc(PyObject *op)
{
    /* Immortal: a decref can never reach zero.  Reaching here is a bug. */
    Py_FatalError(Py_TYPE(op)->tp_name);
}

static Py_hash_t
none_hash(PyObject *op)
{
    (void)op;
    return (Py_hash_t)0xFCA86420;
}

static PyNumberMethods none_as_number = { .nb_bool = none_bool };

PyTypeObject _PyNone_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "NoneType",
    .tp_dealloc = singleton_dealloc,
    .tp_repr = none_repr,
    .tp_as_number = &none_as_number,
    .tp_hash = none_hash,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};
PyObject _Py_NoneStruct = { { _Py_STATIC_IMMORTAL_INITIAL_REFCNT }, &_PyNone_Type };

static PyObject *
notimpl_repr(PyObject *op)
{
    (void)op;
    return PyUnicode_FromString("NotImplemented");
}

PyTypeObject _PyNotImplemented_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "NotImplementedType",
    .tp_dealloc = singleton_dealloc,
    .tp_repr = notimpl_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};
PyObject _Py_NotImplementedStruct = {
    { _Py_STATIC_IMMORTAL_INITIAL_REFCNT }, &_PyNotImplemented_Type };

static PyObject *
ellipsis_repr(PyObject *op)
{
    (void)op;
    return PyUnicode_FromString("Ellipsis");
}

PyTypeObject PyEllipsis_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "ellipsis",
    .tp_dealloc = singleton_dealloc,
    .tp_repr = ellipsis_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};
PyObject _Py_EllipsisObject = { { _Py_STATIC_IMMORTAL_INITIAL_REFCNT }, &PyEllipsis_Type };

/* ------------------------------------------------------------- object type */

static void
object_dealloc(PyObject *self)
{
    Py_TYPE(self)->tp_free(self);
}

PyObject *
rt_object_repr_default(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject *mod = NULL, *qual, *r;

    if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        mod = type_lookup_str(tp, "__module__");
        if (mod != NULL && !PyUnicode_Check(mod))
            mod = NULL;
    }
    qual = PyType_GetQualName(tp);
    if (qual == NULL)
        return NULL;
    if (mod != NULL && !PyUnicode_EqualToUTF8(mod, "builtins"))
        r = PyUnicode_FromFormat("<%U.%U object at %p>", mod, qual, (void *)self);
    else
        r = PyUnicode_FromFormat("<%s object at %p>", tp->tp_name, (void *)self);
    Py_DECREF(qual);
    return r;
}

static Py_hash_t
object_hash(PyObject *self)
{
    /* Pointer hash, rotated so that alignment zeros do not cluster. */
    uintptr_t p = (uintptr_t)self;
    Py_hash_t h = (Py_hash_t)((p >> 4) | (p << (8 * sizeof(p) - 4)));

    return h == -1 ? -2 : h;
}

static PyObject *
object_richcompare(PyObject *self, PyObject *other, int op)
{
    switch (op) {
    case Py_EQ:
        return Py_NewRef(self == other ? Py_True : Py_NotImplemented);
    case Py_NE:
        if (self == other)
            return Py_NewRef(Py_False);
        return Py_NewRef(Py_NotImplemented);
    default:
        return Py_NewRef(Py_NotImplemented);
    }
}

static int
excess_args(PyObject *args, PyObject *kwds)
{
    return (args != NULL && PyTuple_GET_SIZE(args) != 0) ||
           (kwds != NULL && PyDict_Check(kwds) && PyDict_Size(kwds) != 0);
}

static PyObject *
object_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if (excess_args(args, kwds) && type->tp_init == PyBaseObject_Type.tp_init) {
        PyErr_Format(PyExc_TypeError, "%.200s() takes no arguments", type->tp_name);
        return NULL;
    }
    if (type->tp_flags & Py_TPFLAGS_IS_ABSTRACT) {
        PyErr_Format(PyExc_TypeError, "Can't instantiate abstract class %s", type->tp_name);
        return NULL;
    }
    return type->tp_alloc(type, 0);
}

/* Extra arguments are an error only when nobody else will consume them:
 * a type that overrides __init__ but not __new__ passes them to
 * object.__init__, and a type without its own __new__ has nothing to pass
 * them to (CPython's rule). */
static int
object_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyTypeObject *type = Py_TYPE(self);

    if (excess_args(args, kwds)) {
        if (type->tp_init != object_init) {
            PyErr_SetString(PyExc_TypeError,
                            "object.__init__() takes exactly one argument (the instance to initialize)");
            return -1;
        }
        if (type->tp_new == object_new) {
            PyErr_Format(PyExc_TypeError, "%.200s() takes no arguments", type->tp_name);
            return -1;
        }
    }
    return 0;
}

static PyObject *
object_str(PyObject *self)
{
    unaryfunc f = Py_TYPE(self)->tp_repr;

    return f != NULL ? f(self) : rt_object_repr_default(self);
}

PyTypeObject PyBaseObject_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "object",
    .tp_basicsize = sizeof(PyObject),
    .tp_dealloc = object_dealloc,
    .tp_repr = rt_object_repr_default,
    .tp_hash = object_hash,
    .tp_str = object_str,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The base class of the class hierarchy.",
    .tp_richcompare = object_richcompare,
    .tp_init = object_init,
    .tp_alloc = PyType_GenericAlloc,
    .tp_new = object_new,
    .tp_free = PyObject_Free,
};

/* --------------------------------------------------------- object protocol */

PyObject *
PyObject_Repr(PyObject *v)
{
    PyObject *r;

    if (v == NULL)
        return PyUnicode_FromString("<NULL>");
    if (Py_TYPE(v)->tp_repr == NULL)
        return rt_object_repr_default(v);
    if (Py_EnterRecursiveCall(" while getting the repr of an object"))
        return NULL;
    r = Py_TYPE(v)->tp_repr(v);
    Py_LeaveRecursiveCall();
    if (r != NULL && !PyUnicode_Check(r)) {
        PyErr_Format(PyExc_TypeError, "__repr__ returned non-string (type %.200s)",
                     Py_TYPE(r)->tp_name);
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

PyObject *
PyObject_Str(PyObject *v)
{
    PyObject *r;

    if (v == NULL)
        return PyUnicode_FromString("<NULL>");
    if (PyUnicode_CheckExact(v))
        return Py_NewRef(v);
    if (Py_TYPE(v)->tp_str == NULL)
        return PyObject_Repr(v);
    if (Py_EnterRecursiveCall(" while getting the str of an object"))
        return NULL;
    r = Py_TYPE(v)->tp_str(v);
    Py_LeaveRecursiveCall();
    if (r != NULL && !PyUnicode_Check(r)) {
        PyErr_Format(PyExc_TypeError, "__str__ returned non-string (type %.200s)",
                     Py_TYPE(r)->tp_name);
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* repr() with every non-ASCII code point escaped (\xhh, \uhhhh,
 * \Uhhhhhhhh), surrogates included. */
PyObject *
PyObject_ASCII(PyObject *v)
{
    PyObject *repr = PyObject_Repr(v), *ascii, *r;

    if (repr == NULL)
        return NULL;
    ascii = PyUnicode_AsEncodedString(repr, "ascii", "backslashreplace");
    Py_DECREF(repr);
    if (ascii == NULL)
        return NULL;
    r = PyUnicode_DecodeASCII(PyBytes_AS_STRING(ascii), PyBytes_GET_SIZE(ascii), NULL);
    Py_DECREF(ascii);
    return r;
}

PyObject *
PyObject_Bytes(PyObject *v)
{
    if (v == NULL)
        return PyBytes_FromString("<NULL>");
    if (PyBytes_CheckExact(v))
        return Py_NewRef(v);
    return PyBytes_FromObject(v);
}

static const char *const opstrings[] = {"<", "<=", "==", "!=", ">", ">="};
static const int swapped_op[] = {Py_GT, Py_GE, Py_EQ, Py_NE, Py_LT, Py_LE};

PyObject *
PyObject_RichCompare(PyObject *v, PyObject *w, int op)
{
    richcmpfunc f;
    PyObject *res;
    int checked_reverse = 0;

    if (v == NULL || w == NULL || op < Py_LT || op > Py_GE) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    if (Py_EnterRecursiveCall(" in comparison"))
        return NULL;
    /* A subclass's reflected method gets the first chance. */
    if (!Py_IS_TYPE(v, Py_TYPE(w)) && PyType_IsSubtype(Py_TYPE(w), Py_TYPE(v)) &&
        (f = Py_TYPE(w)->tp_richcompare) != NULL) {
        checked_reverse = 1;
        res = f(w, v, swapped_op[op]);
        if (res != Py_NotImplemented)
            goto done;
        Py_DECREF(res);
    }
    if ((f = Py_TYPE(v)->tp_richcompare) != NULL) {
        res = f(v, w, op);
        if (res != Py_NotImplemented)
            goto done;
        Py_DECREF(res);
    }
    if (!checked_reverse && (f = Py_TYPE(w)->tp_richcompare) != NULL) {
        res = f(w, v, swapped_op[op]);
        if (res != Py_NotImplemented)
            goto done;
        Py_DECREF(res);
    }
    switch (op) {
    case Py_EQ:
        res = Py_NewRef(v == w ? Py_True : Py_False);
        break;
    case Py_NE:
        res = Py_NewRef(v != w ? Py_True : Py_False);
        break;
    default:
        PyErr_Format(PyExc_TypeError,
                     "'%s' not supported between instances of '%.100s' and '%.100s'",
                     opstrings[op], Py_TYPE(v)->tp_name, Py_TYPE(w)->tp_name);
        res = NULL;
    }
done:
    Py_LeaveRecursiveCall();
    return res;
}

int
PyObject_RichCompareBool(PyObject *v, PyObject *w, int op)
{
    PyObject *res;
    int ok;

    if (v == w) {
        if (op == Py_EQ)
            return 1;
        if (op == Py_NE)
            return 0;
    }
    res = PyObject_RichCompare(v, w, op);
    if (res == NULL)
        return -1;
    ok = PyBool_Check(res) ? res == Py_True : PyObject_IsTrue(res);
    Py_DECREF(res);
    return ok;
}

Py_hash_t
PyObject_HashNotImplemented(PyObject *v)
{
    PyErr_Format(PyExc_TypeError, "unhashable type: '%.200s'", Py_TYPE(v)->tp_name);
    return -1;
}

Py_hash_t
PyObject_Hash(PyObject *v)
{
    hashfunc f = Py_TYPE(v)->tp_hash;

    if (f == NULL)
        return PyObject_HashNotImplemented(v);
    return f(v);
}

int
PyObject_IsTrue(PyObject *v)
{
    PyTypeObject *tp = Py_TYPE(v);
    Py_ssize_t n;

    if (v == Py_True)
        return 1;
    if (v == Py_False || v == Py_None)
        return 0;
    if (tp->tp_as_number != NULL && tp->tp_as_number->nb_bool != NULL)
        return tp->tp_as_number->nb_bool(v);
    if (tp->tp_as_mapping != NULL && tp->tp_as_mapping->mp_length != NULL)
        n = tp->tp_as_mapping->mp_length(v);
    else if (tp->tp_as_sequence != NULL && tp->tp_as_sequence->sq_length != NULL)
        n = tp->tp_as_sequence->sq_length(v);
    else
        return 1;
    return n > 0 ? 1 : (int)n;   /* -1 propagates the error */
}

int
PyObject_Not(PyObject *v)
{
    int r = PyObject_IsTrue(v);

    return r < 0 ? r : !r;
}

int
PyCallable_Check(PyObject *x)
{
    return x != NULL && Py_TYPE(x)->tp_call != NULL;
}

PyObject *
PyObject_Type(PyObject *o)
{
    if (o == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "null argument to internal routine");
        return NULL;
    }
    return Py_NewRef((PyObject *)Py_TYPE(o));
}

#undef PyObject_Length
Py_ssize_t
PyObject_Size(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);

    if (tp->tp_as_sequence != NULL && tp->tp_as_sequence->sq_length != NULL)
        return tp->tp_as_sequence->sq_length(o);
    if (tp->tp_as_mapping != NULL && tp->tp_as_mapping->mp_length != NULL)
        return tp->tp_as_mapping->mp_length(o);
    PyErr_Format(PyExc_TypeError, "object of type '%.200s' has no len()", tp->tp_name);
    return -1;
}

Py_ssize_t
PyObject_Length(PyObject *o)
{
    return PyObject_Size(o);
}

PyObject *
PyObject_GetItem(PyObject *o, PyObject *key)
{
    PyTypeObject *tp = Py_TYPE(o);

    if (tp->tp_as_mapping != NULL && tp->tp_as_mapping->mp_subscript != NULL)
        return tp->tp_as_mapping->mp_subscript(o, key);
    if (tp->tp_as_sequence != NULL && tp->tp_as_sequence->sq_item != NULL) {
        if (!PyIndex_Check(key)) {
            PyErr_Format(PyExc_TypeError, "sequence index must be integer, not '%.200s'",
                         Py_TYPE(key)->tp_name);
            return NULL;
        }
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        if (i < 0 && tp->tp_as_sequence->sq_length != NULL) {
            Py_ssize_t n = tp->tp_as_sequence->sq_length(o);
            if (n < 0)
                return NULL;
            i += n;
        }
        return tp->tp_as_sequence->sq_item(o, i);
    }
    if (PyType_Check(o) && (PyTypeObject *)o == &PyType_Type) {
        PyErr_Format(PyExc_TypeError, "type '%.200s' is not subscriptable",
                     ((PyTypeObject *)o)->tp_name);
        return NULL;
    }
    PyErr_Format(PyExc_TypeError, "'%.200s' object is not subscriptable", tp->tp_name);
    return NULL;
}

static int
seq_ass_item(PyObject *o, PyObject *key, PyObject *value, const char *what)
{
    PyTypeObject *tp = Py_TYPE(o);

    if (tp->tp_as_sequence != NULL && tp->tp_as_sequence->sq_ass_item != NULL) {
        if (!PyIndex_Check(key)) {
            PyErr_Format(PyExc_TypeError, "sequence index must be integer, not '%.200s'",
                         Py_TYPE(key)->tp_name);
            return -1;
        }
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return -1;
        if (i < 0 && tp->tp_as_sequence->sq_length != NULL) {
            Py_ssize_t n = tp->tp_as_sequence->sq_length(o);
            if (n < 0)
                return -1;
            i += n;
        }
        return tp->tp_as_sequence->sq_ass_item(o, i, value);
    }
    PyErr_Format(PyExc_TypeError, what, tp->tp_name);
    return -1;
}

int
PyObject_SetItem(PyObject *o, PyObject *key, PyObject *value)
{
    PyTypeObject *tp = Py_TYPE(o);

    if (tp->tp_as_mapping != NULL && tp->tp_as_mapping->mp_ass_subscript != NULL)
        return tp->tp_as_mapping->mp_ass_subscript(o, key, value);
    return seq_ass_item(o, key, value, "'%.200s' object does not support item assignment");
}

int
PyObject_DelItem(PyObject *o, PyObject *key)
{
    PyTypeObject *tp = Py_TYPE(o);

    if (tp->tp_as_mapping != NULL && tp->tp_as_mapping->mp_ass_subscript != NULL)
        return tp->tp_as_mapping->mp_ass_subscript(o, key, NULL);
    return seq_ass_item(o, key, NULL, "'%.200s' object doesn't support item deletion");
}

int
PyObject_DelItemString(PyObject *o, const char *key)
{
    PyObject *k = PyUnicode_FromString(key);
    int r;

    if (k == NULL)
        return -1;
    r = PyObject_DelItem(o, k);
    Py_DECREF(k);
    return r;
}

static int
check_class_arg(PyObject *cls, const char *what)
{
    if (PyType_Check(cls))
        return 0;
    if (PyTuple_Check(cls))
        return 0;
    PyErr_Format(PyExc_TypeError, "%s arg 2 must be a type, a tuple of types, or a union", what);
    return -1;
}

int
PyObject_IsInstance(PyObject *inst, PyObject *cls)
{
    if (check_class_arg(cls, "isinstance()") < 0)
        return -1;
    if (PyTuple_Check(cls)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(cls); i++) {
            int r = PyObject_IsInstance(inst, PyTuple_GET_ITEM(cls, i));
            if (r != 0)
                return r;
        }
        return 0;
    }
    return PyObject_TypeCheck(inst, (PyTypeObject *)cls);
}

int
PyObject_IsSubclass(PyObject *derived, PyObject *cls)
{
    if (check_class_arg(cls, "issubclass()") < 0)
        return -1;
    if (!PyType_Check(derived)) {
        PyErr_SetString(PyExc_TypeError, "issubclass() arg 1 must be a class");
        return -1;
    }
    if (PyTuple_Check(cls)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(cls); i++) {
            int r = PyObject_IsSubclass(derived, PyTuple_GET_ITEM(cls, i));
            if (r != 0)
                return r;
        }
        return 0;
    }
    return PyType_IsSubtype((PyTypeObject *)derived, (PyTypeObject *)cls);
}

PyObject *
PyObject_GetIter(PyObject *o)
{
    getiterfunc f = Py_TYPE(o)->tp_iter;
    PyObject *it;

    if (f == NULL) {
        PyErr_Format(PyExc_TypeError, "'%.200s' object is not iterable", Py_TYPE(o)->tp_name);
        return NULL;
    }
    it = f(o);
    if (it != NULL && !PyIter_Check(it)) {
        PyErr_Format(PyExc_TypeError, "iter() returned non-iterator of type '%.100s'",
                     Py_TYPE(it)->tp_name);
        Py_SETREF(it, NULL);
    }
    return it;
}

int
PyIter_Check(PyObject *o)
{
    return Py_TYPE(o)->tp_iternext != NULL;
}

PyObject *
PyIter_Next(PyObject *iter)
{
    PyObject *r = Py_TYPE(iter)->tp_iternext(iter);

    if (r == NULL && PyErr_Occurred() && PyErr_ExceptionMatches(PyExc_StopIteration))
        PyErr_Clear();
    return r;
}

int
PyIter_NextItem(PyObject *iter, PyObject **item)
{
    if (Py_TYPE(iter)->tp_iternext == NULL) {
        *item = NULL;
        PyErr_Format(PyExc_TypeError, "expected an iterator, got '%.100s'",
                     Py_TYPE(iter)->tp_name);
        return -1;
    }
    *item = PyIter_Next(iter);
    if (*item != NULL)
        return 1;
    return PyErr_Occurred() ? -1 : 0;
}

PyObject *
PyObject_SelfIter(PyObject *o)
{
    return Py_NewRef(o);
}

/* ------------------------------------------------------ attribute protocol */

static int
check_attr_name(PyObject *name)
{
    if (PyUnicode_Check(name))
        return 0;
    PyErr_Format(PyExc_TypeError, "attribute name must be string, not '%.200s'",
                 Py_TYPE(name)->tp_name);
    return -1;
}

PyObject *
PyObject_GetAttr(PyObject *v, PyObject *name)
{
    PyTypeObject *tp = Py_TYPE(v);

    if (check_attr_name(name) < 0)
        return NULL;
    if (tp->tp_getattro != NULL)
        return tp->tp_getattro(v, name);
    if (tp->tp_getattr != NULL) {
        const char *s = PyUnicode_AsUTF8(name);
        return s != NULL ? tp->tp_getattr(v, (char *)s) : NULL;
    }
    PyErr_Format(PyExc_AttributeError, "'%.100s' object has no attribute '%U'",
                 tp->tp_name, name);
    return NULL;
}

PyObject *
PyObject_GetAttrString(PyObject *v, const char *name)
{
    PyObject *n, *r;

    if (Py_TYPE(v)->tp_getattr != NULL && Py_TYPE(v)->tp_getattro == NULL)
        return Py_TYPE(v)->tp_getattr(v, (char *)name);
    n = PyUnicode_FromString(name);
    if (n == NULL)
        return NULL;
    r = PyObject_GetAttr(v, n);
    Py_DECREF(n);
    return r;
}

int
PyObject_GetOptionalAttr(PyObject *v, PyObject *name, PyObject **result)
{
    *result = PyObject_GetAttr(v, name);
    if (*result != NULL)
        return 1;
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

int
PyObject_GetOptionalAttrString(PyObject *v, const char *name, PyObject **result)
{
    PyObject *n = PyUnicode_FromString(name);
    int r;

    if (n == NULL) {
        *result = NULL;
        return -1;
    }
    r = PyObject_GetOptionalAttr(v, n, result);
    Py_DECREF(n);
    return r;
}

int
PyObject_HasAttrWithError(PyObject *v, PyObject *name)
{
    PyObject *r;
    int rc = PyObject_GetOptionalAttr(v, name, &r);

    Py_XDECREF(r);
    return rc;
}

int
PyObject_HasAttrStringWithError(PyObject *v, const char *name)
{
    PyObject *r;
    int rc = PyObject_GetOptionalAttrString(v, name, &r);

    Py_XDECREF(r);
    return rc;
}

int
PyObject_HasAttr(PyObject *v, PyObject *name)
{
    int rc = PyObject_HasAttrWithError(v, name);

    if (rc < 0) {
        PyErr_Clear();   /* CPython reports it as unraisable; we drop it */
        return 0;
    }
    return rc;
}

int
PyObject_HasAttrString(PyObject *v, const char *name)
{
    int rc = PyObject_HasAttrStringWithError(v, name);

    if (rc < 0) {
        PyErr_Clear();
        return 0;
    }
    return rc;
}

int
PyObject_SetAttr(PyObject *v, PyObject *name, PyObject *value)
{
    PyTypeObject *tp = Py_TYPE(v);

    if (check_attr_name(name) < 0)
        return -1;
    if (tp->tp_setattro != NULL)
        return tp->tp_setattro(v, name, value);
    if (tp->tp_setattr != NULL) {
        const char *s = PyUnicode_AsUTF8(name);
        return s != NULL ? tp->tp_setattr(v, (char *)s, value) : -1;
    }
    if (tp->tp_getattro == NULL && tp->tp_getattr == NULL)
        PyErr_Format(PyExc_TypeError, "'%.100s' object has no attributes (%s .%U)",
                     tp->tp_name, value == NULL ? "del" : "assign to", name);
    else
        PyErr_Format(PyExc_TypeError, "'%.100s' object has only read-only attributes (%s .%U)",
                     tp->tp_name, value == NULL ? "del" : "assign to", name);
    return -1;
}

int
PyObject_SetAttrString(PyObject *v, const char *name, PyObject *value)
{
    PyObject *n = PyUnicode_FromString(name);
    int r;

    if (n == NULL)
        return -1;
    r = PyObject_SetAttr(v, n, value);
    Py_DECREF(n);
    return r;
}

int
PyObject_DelAttr(PyObject *v, PyObject *name)
{
    return PyObject_SetAttr(v, name, NULL);
}

int
PyObject_DelAttrString(PyObject *v, const char *name)
{
    return PyObject_SetAttrString(v, name, NULL);
}

/* Address of the instance dict slot, or NULL if the type has none. */
static PyObject **
instance_dict_ptr(PyObject *obj)
{
    Py_ssize_t off = Py_TYPE(obj)->tp_dictoffset;

    if (off == 0)
        return NULL;
    if (off < 0) {
        Py_ssize_t n = Py_SIZE(obj);
        if (n < 0)
            n = -n;
        off += (Py_ssize_t)_PyObject_VAR_SIZE(Py_TYPE(obj), n);
    }
    return (PyObject **)((char *)obj + off);
}

/* Instance dicts may be created lazily by any thread: a CAS publishes the
 * first one, and losers drop theirs. */
static PyObject *
instance_dict_get(PyObject *obj, int create)
{
    PyObject **pp = instance_dict_ptr(obj), *d, *expected = NULL;

    if (pp == NULL)
        return NULL;
    d = __atomic_load_n(pp, __ATOMIC_ACQUIRE);
    if (d != NULL || !create)
        return d;
    d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (!__atomic_compare_exchange_n(pp, &expected, d, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        Py_DECREF(d);
        return expected;
    }
    return d;
}

PyObject *
PyObject_GenericGetAttr(PyObject *obj, PyObject *name)
{
    PyTypeObject *tp = Py_TYPE(obj);
    PyObject *descr, *res, *dict;
    descrgetfunc get = NULL;

    if (check_attr_name(name) < 0)
        return NULL;
    descr = type_lookup(tp, name);
    if (descr != NULL) {
        Py_INCREF(descr);
        get = Py_TYPE(descr)->tp_descr_get;
        if (get != NULL && Py_TYPE(descr)->tp_descr_set != NULL) {
            res = get(descr, obj, (PyObject *)tp);   /* data descriptor */
            Py_DECREF(descr);
            return res;
        }
    }
    dict = instance_dict_get(obj, 0);
    if (dict != NULL) {
        if (PyDict_GetItemRef(dict, name, &res) < 0) {
            Py_XDECREF(descr);
            return NULL;
        }
        if (res != NULL) {
            Py_XDECREF(descr);
            return res;
        }
    }
    if (get != NULL) {
        res = get(descr, obj, (PyObject *)tp);
        Py_DECREF(descr);
        return res;
    }
    if (descr != NULL)
        return descr;
    PyErr_Format(PyExc_AttributeError, "'%.100s' object has no attribute '%U'",
                 tp->tp_name, name);
    return NULL;
}

int
PyObject_GenericSetAttr(PyObject *obj, PyObject *name, PyObject *value)
{
    PyTypeObject *tp = Py_TYPE(obj);
    PyObject *descr, *dict;
    descrsetfunc set;
    int r;

    if (check_attr_name(name) < 0)
        return -1;
    descr = type_lookup(tp, name);
    if (descr != NULL && (set = Py_TYPE(descr)->tp_descr_set) != NULL) {
        Py_INCREF(descr);
        r = set(descr, obj, value);
        Py_DECREF(descr);
        return r;
    }
    if (instance_dict_ptr(obj) == NULL) {
        if (descr == NULL)
            PyErr_Format(PyExc_AttributeError,
                         "'%.100s' object has no attribute '%U' and no __dict__ for setting new attributes",
                         tp->tp_name, name);
        else
            PyErr_Format(PyExc_AttributeError,
                         "'%.100s' object attribute '%U' is read-only", tp->tp_name, name);
        return -1;
    }
    dict = instance_dict_get(obj, value != NULL);
    if (value == NULL) {
        if (dict == NULL || PyDict_DelItem(dict, name) < 0) {
            if (dict == NULL || PyErr_ExceptionMatches(PyExc_KeyError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_AttributeError, "'%.100s' object has no attribute '%U'",
                             tp->tp_name, name);
            }
            return -1;
        }
        return 0;
    }
    if (dict == NULL)
        return -1;
    return PyDict_SetItem(dict, name, value);
}

PyObject *
PyObject_GenericGetDict(PyObject *obj, void *context)
{
    PyObject *d;

    (void)context;
    if (instance_dict_ptr(obj) == NULL) {
        PyErr_SetString(PyExc_AttributeError, "This object has no __dict__");
        return NULL;
    }
    d = instance_dict_get(obj, 1);
    return Py_XNewRef(d);
}

int
PyObject_GenericSetDict(PyObject *obj, PyObject *value, void *context)
{
    PyObject **pp = instance_dict_ptr(obj), *old;

    (void)context;
    if (pp == NULL) {
        PyErr_SetString(PyExc_AttributeError, "This object has no __dict__");
        return -1;
    }
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "cannot delete __dict__");
        return -1;
    }
    if (!PyDict_Check(value)) {
        PyErr_Format(PyExc_TypeError, "__dict__ must be set to a dictionary, not a '%.200s'",
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    old = __atomic_exchange_n(pp, Py_NewRef(value), __ATOMIC_ACQ_REL);
    if (old != NULL)
        rt_epoch_defer_decref(old);
    return 0;
}

PyObject *
PyObject_Dir(PyObject *obj)
{
    PyObject *names = PyList_New(0), *dict, *key, *value, *mro;
    Py_ssize_t pos;

    if (names == NULL)
        return NULL;
    dict = obj != NULL ? instance_dict_get(obj, 0) : NULL;
    if (dict != NULL) {
        pos = 0;
        while (PyDict_Next(dict, &pos, &key, &value))
            if (PyList_Append(names, key) < 0)
                goto error;
    }
    mro = obj != NULL ? Py_TYPE(obj)->tp_mro : NULL;
    if (mro != NULL && PyType_Check(obj))
        mro = ((PyTypeObject *)obj)->tp_mro;
    for (Py_ssize_t i = 0; mro != NULL && i < PyTuple_GET_SIZE(mro); i++) {
        PyObject *d = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        pos = 0;
        while (d != NULL && PyDict_Next(d, &pos, &key, &value)) {
            int has = PySequence_Contains(names, key);
            if (has < 0 || (!has && PyList_Append(names, key) < 0))
                goto error;
        }
    }
    if (PyList_Sort(names) < 0)
        goto error;
    return names;
error:
    Py_DECREF(names);
    return NULL;
}

/* Recursion guard.  pymodrt runs C only, so the limit protects against
 * runaway recursion through repr/compare of self-referencing containers. */

int
Py_EnterRecursiveCall(const char *where)
{
    PyThreadState *ts = ts_get();

    if (ts == NULL)
        return 0;
    if (++ts->recursion_depth > RT_RECURSION_LIMIT) {
        --ts->recursion_depth;
        PyErr_Format(PyExc_RecursionError, "maximum recursion depth exceeded%s", where);
        return -1;
    }
    return 0;
}

void
Py_LeaveRecursiveCall(void)
{
    PyThreadState *ts = ts_get();

    if (ts != NULL)
        --ts->recursion_depth;
}

/* Py_ReprEnter/Leave: per-thread list of objects whose repr is in progress,
 * kept in the thread state dict under a private key. */
int
Py_ReprEnter(PyObject *obj)
{
    PyObject *dict = PyThreadState_GetDict(), *list;

    if (dict == NULL)
        return 0;
    if (PyDict_GetItemStringRef(dict, "Py_Repr", &list) < 0)
        return -1;
    if (list == NULL) {
        list = PyList_New(0);
        if (list == NULL || PyDict_SetItemString(dict, "Py_Repr", list) < 0) {
            Py_XDECREF(list);
            return -1;
        }
    }
    for (Py_ssize_t i = PyList_GET_SIZE(list); --i >= 0; ) {
        if (PyList_GET_ITEM(list, i) == obj) {
            Py_DECREF(list);
            return 1;
        }
    }
    int r = PyList_Append(list, obj);
    Py_DECREF(list);
    return r;
}

void
Py_ReprLeave(PyObject *obj)
{
    PyObject *dict, *list, *exc = PyErr_GetRaisedException();

    dict = PyThreadState_GetDict();
    if (dict != NULL && PyDict_GetItemStringRef(dict, "Py_Repr", &list) > 0) {
        for (Py_ssize_t i = PyList_GET_SIZE(list); --i >= 0; ) {
            if (PyList_GET_ITEM(list, i) == obj) {
                PyList_SetSlice(list, i, i + 1, NULL);
                break;
            }
        }
        Py_DECREF(list);
    }
    PyErr_SetRaisedException(exc);
}

/* pymodrt does not offer weak references yet: no object ever has one, so
 * there is nothing to clear.  Types that declare tp_weaklistoffset call
 * this from their dealloc, as CPython requires. */
void
PyObject_ClearWeakRefs(PyObject *op)
{
    (void)op;
}
