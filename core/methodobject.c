/* methodobject.c: builtin function and method objects (PyCFunctionObject,
 * PyCMethodObject) and the dispatch of every METH_* calling convention.
 *
 * A function object is immutable after creation: m_ml, m_self, m_module and
 * mm_class are set once; calls read them without synchronization.  The
 * argument-count errors use CPython's texts, e.g.
 * "f() takes no arguments (1 given)", "f() takes exactly one argument
 * (0 given)", "f() takes no keyword arguments". */
#include "internal/pycore.h"

static PyObject *cfunc_vectorcall(PyObject *func, PyObject *const *args, size_t nargsf,
                                  PyObject *kwnames);
static PyObject *cfunc_vectorcall_noargs(PyObject *func, PyObject *const *args, size_t nargsf,
                                         PyObject *kwnames);
static PyObject *cfunc_vectorcall_o(PyObject *func, PyObject *const *args, size_t nargsf,
                                    PyObject *kwnames);
static PyObject *cfunc_vectorcall_fastcall(PyObject *func, PyObject *const *args, size_t nargsf,
                                           PyObject *kwnames);
static PyObject *cfunc_vectorcall_fastcall_kw(PyObject *func, PyObject *const *args,
                                              size_t nargsf, PyObject *kwnames);
RT_INTERNAL PyObject *call_vector_from_tuple(vectorcallfunc f, PyObject *callable,
                                             PyObject *args, PyObject *kwargs);

static int
no_kwargs(PyMethodDef *ml, PyObject *kwnames)
{
    if (kwnames == NULL || PyTuple_GET_SIZE(kwnames) == 0)
        return 0;
    PyErr_Format(PyExc_TypeError, "%.200s() takes no keyword arguments", ml->ml_name);
    return -1;
}

/* What every call of a C function does around it, inline: count the C
 * recursion depth, let a stop-the-world through, and check afterwards
 * that the function either returned a result or raised (never both).  A
 * call without a thread state (an object freed while an interpreter is
 * deleted) is allowed, as it was through Py_EnterRecursiveCall: no count,
 * no poll. */
static inline int
call_enter(PyThreadState *ts)
{
    if (RT_UNLIKELY(ts == NULL))
        return 0;   /* no thread state (finalization's last decrefs): no count */
    if (RT_UNLIKELY(++ts->recursion_depth > RT_RECURSION_LIMIT)) {
        --ts->recursion_depth;
        PyErr_SetString(PyExc_RecursionError,
                        "maximum recursion depth exceeded while calling a Python object");
        return -1;
    }
    rt_safepoint(ts);
    return 0;
}

static PyObject *
result_mismatch(PyMethodDef *ml, PyObject *self, PyObject *result)
{
    if (result == NULL) {
        PyErr_Format(PyExc_SystemError, "%R returned NULL without setting an exception",
                     self != NULL ? self : Py_None);
        return NULL;
    }
    Py_DECREF(result);
    return err_format_from_cause(PyExc_SystemError,
                                 "<built-in function %s> returned a result with an exception set",
                                 ml->ml_name);
}

static inline PyObject *
call_leave(PyThreadState *ts, PyMethodDef *ml, PyObject *self, PyObject *result)
{
    if (RT_UNLIKELY(ts == NULL))
        return (result == NULL) != (PyErr_Occurred() != NULL) ? result_mismatch(ml, self, result)
                                                              : result;
    --ts->recursion_depth;
    if (RT_UNLIKELY((result == NULL) != (ts->exc != NULL)))
        return result_mismatch(ml, self, result);
    return result;
}

/* Calls 'ml' bound to 'self' with a vector of arguments; 'cls' is the
 * defining class for METH_METHOD. */
RT_INTERNAL PyObject *cfunc_call_def(PyMethodDef *ml, PyObject *self, PyTypeObject *cls,
                                     PyObject *const *args, size_t nargsf, PyObject *kwnames);
PyObject *
cfunc_call_def(PyMethodDef *ml, PyObject *self, PyTypeObject *cls,
               PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    int flags = ml->ml_flags & ~(METH_CLASS | METH_STATIC | METH_COEXIST);
    PyObject *result, *tuple, *kwdict = NULL;
    PyThreadState *ts = ts_get();

    if (call_enter(ts) < 0)
        return NULL;
    switch (flags) {
    case METH_NOARGS:
        if (no_kwargs(ml, kwnames) < 0)
            goto error;
        if (nargs != 0) {
            PyErr_Format(PyExc_TypeError, "%.200s() takes no arguments (%zd given)",
                         ml->ml_name, nargs);
            goto error;
        }
        result = ml->ml_meth(self, NULL);
        break;
    case METH_O:
        if (no_kwargs(ml, kwnames) < 0)
            goto error;
        if (nargs != 1) {
            PyErr_Format(PyExc_TypeError, "%.200s() takes exactly one argument (%zd given)",
                         ml->ml_name, nargs);
            goto error;
        }
        result = ml->ml_meth(self, args[0]);
        break;
    case METH_FASTCALL:
        if (no_kwargs(ml, kwnames) < 0)
            goto error;
        result = ((PyCFunctionFast)(void (*)(void))ml->ml_meth)(self, args, nargs);
        break;
    case METH_FASTCALL | METH_KEYWORDS:
        result = ((PyCFunctionFastWithKeywords)(void (*)(void))ml->ml_meth)(
            self, args, nargs, kwnames);
        break;
    case METH_METHOD | METH_FASTCALL | METH_KEYWORDS:
        result = ((PyCMethod)(void (*)(void))ml->ml_meth)(self, cls, args, (size_t)nargs,
                                                          kwnames);
        break;
    case METH_VARARGS:
    case METH_VARARGS | METH_KEYWORDS:
        if (flags == METH_VARARGS && no_kwargs(ml, kwnames) < 0)
            goto error;
        tuple = PyTuple_FromArray(args, nargs);
        if (tuple == NULL)
            goto error;
        if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0) {
            kwdict = PyDict_New();
            if (kwdict == NULL) {
                Py_DECREF(tuple);
                goto error;
            }
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
                if (PyDict_SetItem(kwdict, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0) {
                    Py_DECREF(tuple);
                    Py_DECREF(kwdict);
                    goto error;
                }
            }
        }
        if (flags == METH_VARARGS)
            result = ml->ml_meth(self, tuple);
        else
            result = ((PyCFunctionWithKeywords)(void (*)(void))ml->ml_meth)(self, tuple, kwdict);
        Py_DECREF(tuple);
        Py_XDECREF(kwdict);
        break;
    default:
        PyErr_Format(PyExc_SystemError, "%s() method: bad call flags", ml->ml_name);
        goto error;
    }
    return call_leave(ts, ml, self, result);
error:
    if (ts != NULL)
        --ts->recursion_depth;
    return NULL;
}

static PyObject *
cfunc_new(PyTypeObject *tp, PyMethodDef *ml, PyObject *self, PyObject *module,
          PyTypeObject *cls)
{
    PyCFunctionObject *f;
    int kind = ml->ml_flags & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O |
                               METH_KEYWORDS | METH_METHOD);

    switch (kind) {
    case METH_VARARGS: case METH_VARARGS | METH_KEYWORDS: case METH_NOARGS: case METH_O:
    case METH_FASTCALL: case METH_FASTCALL | METH_KEYWORDS:
    case METH_METHOD | METH_FASTCALL | METH_KEYWORDS:
        break;
    default:
        PyErr_Format(PyExc_SystemError, "%s() method: bad call flags", ml->ml_name);
        return NULL;
    }
    if ((kind & METH_METHOD) && cls == NULL) {
        PyErr_SetString(PyExc_SystemError, "attempting to create PyCMethod with a METH_METHOD "
                        "flag but no class");
        return NULL;
    }
    if (!(kind & METH_METHOD) && cls != NULL) {
        PyErr_SetString(PyExc_SystemError, "attempting to create PyCFunction with class "
                        "but no METH_METHOD flag");
        return NULL;
    }
    f = (PyCFunctionObject *)_PyObject_New(tp);
    if (f == NULL)
        return NULL;
    f->m_ml = ml;
    f->m_self = Py_XNewRef(self);
    f->m_module = Py_XNewRef(module);
    f->m_weakreflist = NULL;
    switch (kind) {
    case METH_NOARGS:
        f->vectorcall = cfunc_vectorcall_noargs;
        break;
    case METH_O:
        f->vectorcall = cfunc_vectorcall_o;
        break;
    case METH_FASTCALL:
        f->vectorcall = cfunc_vectorcall_fastcall;
        break;
    case METH_FASTCALL | METH_KEYWORDS:
        f->vectorcall = cfunc_vectorcall_fastcall_kw;
        break;
    default:
        f->vectorcall = cfunc_vectorcall;
    }
    if (tp == &PyCMethod_Type)
        ((PyCMethodObject *)f)->mm_class = (PyTypeObject *)Py_NewRef((PyObject *)cls);
    return (PyObject *)f;
}

PyObject *
PyCMethod_New(PyMethodDef *ml, PyObject *self, PyObject *module, PyTypeObject *cls)
{
    return cfunc_new(cls != NULL ? &PyCMethod_Type : &PyCFunction_Type, ml, self, module, cls);
}

PyObject *
PyCFunction_NewEx(PyMethodDef *ml, PyObject *self, PyObject *module)
{
    return PyCMethod_New(ml, self, module, NULL);
}

PyObject *
PyCFunction_New(PyMethodDef *ml, PyObject *self)
{
    return PyCMethod_New(ml, self, NULL, NULL);
}

PyCFunction
PyCFunction_GetFunction(PyObject *op)
{
    if (!PyCFunction_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    return ((PyCFunctionObject *)op)->m_ml->ml_meth;
}

PyObject *
PyCFunction_GetSelf(PyObject *op)
{
    if (!PyCFunction_Check(op)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    return ((PyCFunctionObject *)op)->m_self;
}

int
PyCFunction_GetFlags(PyObject *op)
{
    if (!PyCFunction_Check(op)) {
        PyErr_BadInternalCall();
        return -1;
    }
    return ((PyCFunctionObject *)op)->m_ml->ml_flags;
}

static PyObject *
cfunc_vectorcall(PyObject *func, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyCFunctionObject *f = (PyCFunctionObject *)func;
    PyTypeObject *cls = Py_IS_TYPE(func, &PyCMethod_Type) ? ((PyCMethodObject *)func)->mm_class
                                                          : NULL;

    return cfunc_call_def(f->m_ml, f->m_self, cls, args, nargsf, kwnames);
}

/* The conventions whose calls are the shortest get their own entry points
 * (chosen when the function object is made): the argument checks of the
 * general path, then the call, with nothing else in between.  A call
 * that fails the checks goes through the general path, which raises. */
static PyObject *
cfunc_vectorcall_noargs(PyObject *func, PyObject *const *args, size_t nargsf,
                        PyObject *kwnames)
{
    PyCFunctionObject *f = (PyCFunctionObject *)func;
    PyThreadState *ts;

    if (RT_UNLIKELY(PyVectorcall_NARGS(nargsf) != 0 ||
                    (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)))
        return cfunc_vectorcall(func, args, nargsf, kwnames);   /* raises */
    ts = ts_get();
    if (call_enter(ts) < 0)
        return NULL;
    return call_leave(ts, f->m_ml, f->m_self, f->m_ml->ml_meth(f->m_self, NULL));
}

static PyObject *
cfunc_vectorcall_o(PyObject *func, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyCFunctionObject *f = (PyCFunctionObject *)func;
    PyThreadState *ts;

    if (RT_UNLIKELY(PyVectorcall_NARGS(nargsf) != 1 ||
                    (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)))
        return cfunc_vectorcall(func, args, nargsf, kwnames);   /* raises */
    ts = ts_get();
    if (call_enter(ts) < 0)
        return NULL;
    return call_leave(ts, f->m_ml, f->m_self, f->m_ml->ml_meth(f->m_self, args[0]));
}

static PyObject *
cfunc_vectorcall_fastcall(PyObject *func, PyObject *const *args, size_t nargsf,
                          PyObject *kwnames)
{
    PyCFunctionObject *f = (PyCFunctionObject *)func;
    PyThreadState *ts;

    if (RT_UNLIKELY(kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0))
        return cfunc_vectorcall(func, args, nargsf, kwnames);   /* raises */
    ts = ts_get();
    if (call_enter(ts) < 0)
        return NULL;
    return call_leave(ts, f->m_ml, f->m_self,
                      ((PyCFunctionFast)(void (*)(void))f->m_ml->ml_meth)(
                          f->m_self, args, PyVectorcall_NARGS(nargsf)));
}

static PyObject *
cfunc_vectorcall_fastcall_kw(PyObject *func, PyObject *const *args, size_t nargsf,
                             PyObject *kwnames)
{
    PyCFunctionObject *f = (PyCFunctionObject *)func;
    PyThreadState *ts = ts_get();

    if (call_enter(ts) < 0)
        return NULL;
    return call_leave(ts, f->m_ml, f->m_self,
                      ((PyCFunctionFastWithKeywords)(void (*)(void))f->m_ml->ml_meth)(
                          f->m_self, args, PyVectorcall_NARGS(nargsf), kwnames));
}

static PyObject *
cfunc_call(PyObject *func, PyObject *args, PyObject *kwargs)
{
    return call_vector_from_tuple(cfunc_vectorcall, func, args, kwargs);
}

static void
cfunc_dealloc(PyObject *op)
{
    PyCFunctionObject *f = (PyCFunctionObject *)op;

    Py_XDECREF(f->m_self);
    Py_XDECREF(f->m_module);
    if (Py_IS_TYPE(op, &PyCMethod_Type))
        Py_XDECREF((PyObject *)((PyCMethodObject *)op)->mm_class);
    PyObject_Free(op);
}

static PyObject *
cfunc_repr(PyObject *op)
{
    PyCFunctionObject *f = (PyCFunctionObject *)op;

    if (f->m_self == NULL || PyModule_Check(f->m_self))
        return PyUnicode_FromFormat("<built-in function %s>", f->m_ml->ml_name);
    return PyUnicode_FromFormat("<built-in method %s of %s object at %p>", f->m_ml->ml_name,
                                Py_TYPE(f->m_self)->tp_name, (void *)f->m_self);
}

static PyObject *
cfunc_get_name(PyObject *op, void *c)
{
    (void)c;
    return PyUnicode_FromString(((PyCFunctionObject *)op)->m_ml->ml_name);
}

static PyObject *
cfunc_get_qualname(PyObject *op, void *c)
{
    PyCFunctionObject *f = (PyCFunctionObject *)op;
    PyObject *tp;

    (void)c;
    if (f->m_self == NULL || PyModule_Check(f->m_self))
        return PyUnicode_FromString(f->m_ml->ml_name);
    tp = PyType_Check(f->m_self) ? f->m_self : (PyObject *)Py_TYPE(f->m_self);
    PyObject *q = PyType_GetQualName((PyTypeObject *)tp), *r;
    if (q == NULL)
        return NULL;
    r = PyUnicode_FromFormat("%U.%s", q, f->m_ml->ml_name);
    Py_DECREF(q);
    return r;
}

static PyObject *
cfunc_get_doc(PyObject *op, void *c)
{
    const char *doc = ((PyCFunctionObject *)op)->m_ml->ml_doc;

    (void)c;
    if (doc == NULL)
        Py_RETURN_NONE;
    return PyUnicode_FromString(doc);
}

static PyObject *
cfunc_get_self(PyObject *op, void *c)
{
    PyObject *self = ((PyCFunctionObject *)op)->m_self;

    (void)c;
    return Py_NewRef(self != NULL ? self : Py_None);
}

static PyObject *
cfunc_get_module(PyObject *op, void *c)
{
    PyObject *m = ((PyCFunctionObject *)op)->m_module;

    (void)c;
    return Py_NewRef(m != NULL ? m : Py_None);
}

static PyGetSetDef cfunc_getset[] = {
    {"__name__", cfunc_get_name, NULL, NULL, NULL},
    {"__qualname__", cfunc_get_qualname, NULL, NULL, NULL},
    {"__doc__", cfunc_get_doc, NULL, NULL, NULL},
    {"__self__", cfunc_get_self, NULL, NULL, NULL},
    {"__module__", cfunc_get_module, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static Py_hash_t
cfunc_hash(PyObject *op)
{
    PyCFunctionObject *f = (PyCFunctionObject *)op;
    Py_hash_t h = (Py_hash_t)(((uintptr_t)f->m_self >> 4) ^ ((uintptr_t)f->m_ml->ml_meth >> 4));

    return h == -1 ? -2 : h;
}

PyTypeObject PyCFunction_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "builtin_function_or_method",
    .tp_basicsize = sizeof(PyCFunctionObject),
    .tp_dealloc = cfunc_dealloc,
    .tp_vectorcall_offset = offsetof(PyCFunctionObject, vectorcall),
    .tp_repr = cfunc_repr,
    .tp_hash = cfunc_hash,
    .tp_call = cfunc_call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_getset = cfunc_getset,
};

PyTypeObject PyCMethod_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "builtin_method",
    .tp_basicsize = sizeof(PyCMethodObject),
    .tp_dealloc = cfunc_dealloc,
    .tp_vectorcall_offset = offsetof(PyCFunctionObject, vectorcall),
    .tp_repr = cfunc_repr,
    .tp_hash = cfunc_hash,
    .tp_call = cfunc_call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_base = &PyCFunction_Type,
};
