/* boolobject.c: bool, the subtype of int with exactly two instances.
 *
 * Invariants: Py_True and Py_False are static immortal PyLongObjects of
 * PyBool_Type (magnitude 1 and 0); no other bool is ever created, so
 * identity comparison is the truth test.  bool is not subclassable.  Its
 * arithmetic is int's; only &, | and ^ between two bools give a bool.
 *
 * File map: the two singletons; identity helpers; slots; the type. */
#include "internal/pycore.h"

struct _longobject _Py_FalseStruct = { PyObject_HEAD_INIT(&PyBool_Type) 0, 0 };
struct _longobject _Py_TrueStruct = { PyObject_HEAD_INIT(&PyBool_Type) 1, 0 };

PyObject *
PyBool_FromLong(long ok)
{
    return ok ? Py_True : Py_False;
}

/* The exported function forms of the identity macros. */
#undef Py_IsTrue
int
Py_IsTrue(PyObject *x)
{
    return x == Py_True;
}

#undef Py_IsFalse
int
Py_IsFalse(PyObject *x)
{
    return x == Py_False;
}

static PyObject *
bool_repr(PyObject *self)
{
    return PyUnicode_FromString(self == Py_True ? "True" : "False");
}

static PyObject *
bool_and(PyObject *a, PyObject *b)
{
    if (PyBool_Check(a) && PyBool_Check(b))
        return PyBool_FromLong(a == Py_True && b == Py_True);
    return num_long_and(a, b);
}

static PyObject *
bool_or(PyObject *a, PyObject *b)
{
    if (PyBool_Check(a) && PyBool_Check(b))
        return PyBool_FromLong(a == Py_True || b == Py_True);
    return num_long_or(a, b);
}

static PyObject *
bool_xor(PyObject *a, PyObject *b)
{
    if (PyBool_Check(a) && PyBool_Check(b))
        return PyBool_FromLong((a == Py_True) != (b == Py_True));
    return num_long_xor(a, b);
}

/* bool(x): the truth value of x. */
static PyObject *
bool_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    int ok;

    (void)type;
    if (kwds != NULL && PyDict_Size(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "bool() takes no keyword arguments");
        return NULL;
    }
    if (n > 1) {
        PyErr_Format(PyExc_TypeError, "bool expected at most 1 argument, got %zd", n);
        return NULL;
    }
    if (n == 0)
        return Py_False;
    ok = PyObject_IsTrue(PyTuple_GET_ITEM(args, 0));
    if (ok < 0)
        return NULL;
    return PyBool_FromLong(ok);
}

static void
bool_dealloc(PyObject *op)
{
    /* Immortal: only reached if an extension corrupts the refcount. */
    (void)op;
    Py_FatalError("deallocating True or False");
}

/* The common slots are spelled out; PyType_Ready fills the rest from int. */
static PyNumberMethods bool_as_number = {
    .nb_add = num_long_add,
    .nb_subtract = num_long_sub,
    .nb_multiply = num_long_mul,
    .nb_remainder = num_long_mod,
    .nb_negative = num_long_neg,
    .nb_positive = num_long_pos,
    .nb_absolute = num_long_abs,
    .nb_bool = num_long_bool,
    .nb_and = bool_and,
    .nb_xor = bool_xor,
    .nb_or = bool_or,
    .nb_int = num_long_int,
    .nb_float = num_long_float,
    .nb_floor_divide = num_long_floordiv,
    .nb_index = num_long_int,
};

PyTypeObject PyBool_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "bool",
    .tp_basicsize = sizeof(PyLongObject),
    .tp_dealloc = bool_dealloc,
    .tp_repr = bool_repr,
    .tp_as_number = &bool_as_number,
    .tp_hash = num_long_hash,
    .tp_str = bool_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_LONG_SUBCLASS | _Py_TPFLAGS_MATCH_SELF,
    .tp_doc = "Returns True when the argument is true, False otherwise.",
    .tp_richcompare = num_long_richcompare,
    .tp_base = &PyLong_Type,
    .tp_new = bool_new,
};
