#include "internal/pycore.h"
/* errors.c: the per-thread error indicator and the PyErr_* API.
 *
 * Purpose: CPython's error protocol.  A function that fails sets the
 * indicator and returns NULL/-1; the caller propagates or clears it.
 *
 * Invariants:
 *   - The indicator is PyThreadState.exc: NULL, or a *normalized* exception
 *     instance owned by the thread state ("owner thread only").  The legacy
 *     (type, value, traceback) triple of PyErr_Fetch/Restore is a view of it:
 *     type = type(exc), value = exc, traceback = exc.__traceback__ (always
 *     NULL: pymodrt has no frames).
 *   - PyThreadState.handled is the exception "being handled"
 *     (PyErr_GetHandledException), also owner thread only.  PyErr_SetObject
 *     chains it as __context__ of the new exception, as CPython does for an
 *     exception raised inside an except block, cutting any cycle.
 *   - PyErr_NoMemory never needs memory: if a fresh MemoryError cannot be
 *     made it raises the static, immortal one (exc_nomem_static) and does no
 *     chaining, like CPython's MemoryError freelist path.
 *   - Calling a setter with no thread state is a fatal error, as in CPython.
 *
 * Organisation: indicator primitives; setting (SetObject and friends);
 * fetch/restore/normalize; handled exception; matching; helpers for common
 * errors (NoMemory, BadArgument, errno, ImportError); NewException; printing
 * (Display/Print/WriteUnraisable) and Py_FatalError. */

#include <stdio.h>

/* -------------------------------------------------------- the indicator */

static PyThreadState *
err_ts(const char *func)
{
    PyThreadState *ts = ts_get();

    if (RT_UNLIKELY(ts == NULL))
        _Py_FatalErrorFunc(func, "the function must be called with an attached thread state");
    return ts;
}

/* Replaces the indicator with 'exc' (stolen, may be NULL). */
static void
err_restore(PyThreadState *ts, PyObject *exc)
{
    PyObject *old = ts->exc;

    ts->exc = exc;
    Py_XDECREF(old);
}

PyObject *
PyErr_Occurred(void)
{
    PyThreadState *ts = ts_get();

    if (ts == NULL || ts->exc == NULL)
        return NULL;
    return (PyObject *)Py_TYPE(ts->exc);
}

void
PyErr_Clear(void)
{
    PyThreadState *ts = ts_get();

    if (ts != NULL)
        err_restore(ts, NULL);
}

PyObject *
PyErr_GetRaisedException(void)
{
    PyThreadState *ts = err_ts("PyErr_GetRaisedException");
    PyObject *exc = ts->exc;

    ts->exc = NULL;
    return exc;
}

void
PyErr_SetRaisedException(PyObject *exc)
{
    err_restore(err_ts("PyErr_SetRaisedException"), exc);
}

/* ------------------------------------------------------------- setting */

/* type(value) with CPython's rules: no value or None calls type(), a tuple is
 * spread as the arguments, anything else is the single argument. */
static PyObject *
err_create(PyObject *type, PyObject *value)
{
    PyObject *exc;

    if (value == NULL || value == Py_None)
        exc = PyObject_CallNoArgs(type);
    else if (PyTuple_Check(value))
        exc = PyObject_Call(type, value, NULL);
    else
        exc = PyObject_CallOneArg(type, value);
    if (exc != NULL && !PyExceptionInstance_Check(exc)) {
        PyErr_Format(PyExc_TypeError,
                     "calling %R should have returned an instance of BaseException, not %s",
                     type, Py_TYPE(exc)->tp_name);
        Py_CLEAR(exc);
    }
    return exc;
}

/* Sets handled as exc.__context__ unless that would make a cycle: if exc is
 * already in handled's context chain, the chain is cut just before it.  A
 * pre-existing cycle in the chain is detected (Floyd) and left alone. */
static void
err_chain_context(PyObject *exc, PyObject *handled)
{
    PyObject *o = handled, *slow = handled;
    int advance_slow = 0;

    if (handled == exc || exc == exc_nomem_static())
        return;
    for (;;) {
        PyObject *ctx = PyException_GetContext(o);
        if (ctx == NULL)
            break;
        /* The chain keeps 'ctx' alive: borrow it. */
        Py_DECREF(ctx);
        if (ctx == exc) {
            PyException_SetContext(o, NULL);
            break;
        }
        o = ctx;
        if (o == slow)
            break;
        if (advance_slow) {
            PyObject *s = PyException_GetContext(slow);
            Py_XDECREF(s);
            slow = s;
        }
        advance_slow = !advance_slow;
    }
    PyException_SetContext(exc, Py_NewRef(handled));
}

void
PyErr_SetObject(PyObject *type, PyObject *value)
{
    PyThreadState *ts = err_ts("PyErr_SetObject");
    PyObject *exc;

    if (type == NULL) {
        err_restore(ts, NULL);
        return;
    }
    if (!PyExceptionClass_Check(type)) {
        PyErr_Format(PyExc_SystemError,
                     "_PyErr_SetObject: exception %R is not a BaseException subclass", type);
        return;
    }
    if (value != NULL && PyExceptionInstance_Check(value) &&
        PyType_IsSubtype(Py_TYPE(value), (PyTypeObject *)type)) {
        exc = Py_NewRef(value);
    } else {
        exc = err_create(type, value);
        if (exc == NULL)
            return;
    }
    if (ts->handled != NULL)
        err_chain_context(exc, ts->handled);
    err_restore(ts, exc);
}

void
PyErr_SetNone(PyObject *type)
{
    PyErr_SetObject(type, NULL);
}

void
PyErr_SetString(PyObject *type, const char *string)
{
    PyObject *value = PyUnicode_FromString(string);

    if (value == NULL)
        return;
    PyErr_SetObject(type, value);
    Py_DECREF(value);
}

PyObject *
PyErr_FormatV(PyObject *type, const char *format, va_list vargs)
{
    PyObject *msg;

    /* As CPython: formatting must not run with an exception set (a %R or %S
     * could otherwise see it), and the pending one is replaced anyway. */
    PyErr_Clear();
    msg = PyUnicode_FromFormatV(format, vargs);
    if (msg != NULL) {
        PyErr_SetObject(type, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

PyObject *
PyErr_Format(PyObject *type, const char *format, ...)
{
    va_list va;

    va_start(va, format);
    PyErr_FormatV(type, format, va);
    va_end(va);
    return NULL;
}

PyObject *
err_format_from_cause(PyObject *type, const char *fmt, ...)
{
    PyObject *cause = PyErr_GetRaisedException(), *exc;
    va_list va;

    va_start(va, fmt);
    PyErr_FormatV(type, fmt, va);
    va_end(va);
    if (cause == NULL)
        return NULL;
    exc = PyErr_GetRaisedException();
    if (exc == NULL) {
        Py_DECREF(cause);
        return NULL;
    }
    PyException_SetCause(exc, Py_NewRef(cause));
    PyException_SetContext(exc, cause);
    PyErr_SetRaisedException(exc);
    return NULL;
}

/* ------------------------------------------------ fetch / restore (legacy) */

void
PyErr_Fetch(PyObject **ptype, PyObject **pvalue, PyObject **ptraceback)
{
    PyObject *exc = PyErr_GetRaisedException();

    *pvalue = exc;
    if (exc == NULL) {
        *ptype = NULL;
        *ptraceback = NULL;
        return;
    }
    *ptype = Py_NewRef((PyObject *)Py_TYPE(exc));
    *ptraceback = PyException_GetTraceback(exc);
}

void
PyErr_Restore(PyObject *type, PyObject *value, PyObject *traceback)
{
    PyThreadState *ts = err_ts("PyErr_Restore");
    PyObject *exc;

    /* pymodrt has no traceback objects: whatever was fetched was NULL. */
    Py_XDECREF(traceback);
    if (type == NULL) {
        Py_XDECREF(value);
        err_restore(ts, NULL);
        return;
    }
    if (value != NULL && PyExceptionInstance_Check(value) && PyExceptionClass_Check(type) &&
        PyType_IsSubtype(Py_TYPE(value), (PyTypeObject *)type)) {
        Py_DECREF(type);
        err_restore(ts, value);
        return;
    }
    /* An unnormalized pair: build the instance now. */
    err_restore(ts, NULL);
    if (!PyExceptionClass_Check(type)) {
        PyErr_Format(PyExc_SystemError,
                     "_PyErr_SetObject: exception %R is not a BaseException subclass", type);
        Py_DECREF(type);
        Py_XDECREF(value);
        return;
    }
    exc = err_create(type, value);
    Py_DECREF(type);
    Py_XDECREF(value);
    if (exc != NULL)
        err_restore(ts, exc);
}

void
PyErr_NormalizeException(PyObject **ptype, PyObject **pvalue, PyObject **ptb)
{
    PyObject *type = *ptype, *value = *pvalue, *exc;

    if (type == NULL)
        return;
    if (value != NULL && PyExceptionInstance_Check(value)) {
        PyTypeObject *cls = Py_TYPE(value);
        if (!PyExceptionClass_Check(type) ||
            PyType_IsSubtype(cls, (PyTypeObject *)type)) {
            if ((PyObject *)cls != type)
                Py_SETREF(*ptype, Py_NewRef((PyObject *)cls));
            return;
        }
    }
    if (!PyExceptionClass_Check(type))
        return;
    /* Build the instance; a failure replaces the triple with its error. */
    {
        PyObject *saved = PyErr_GetRaisedException();
        exc = err_create(type, value);
        if (exc == NULL) {
            PyObject *err = PyErr_GetRaisedException();
            Py_XDECREF(saved);
            Py_SETREF(*ptype, Py_NewRef((PyObject *)Py_TYPE(err)));
            Py_XSETREF(*pvalue, err);
            if (ptb != NULL)
                Py_CLEAR(*ptb);
            return;
        }
        PyErr_SetRaisedException(saved);
    }
    Py_SETREF(*ptype, Py_NewRef((PyObject *)Py_TYPE(exc)));
    Py_XSETREF(*pvalue, exc);
}

/* ------------------------------------------------------ handled exception */

PyObject *
PyErr_GetHandledException(void)
{
    PyThreadState *ts = err_ts("PyErr_GetHandledException");

    return Py_XNewRef(ts->handled);
}

void
PyErr_SetHandledException(PyObject *exc)
{
    PyThreadState *ts = err_ts("PyErr_SetHandledException");
    PyObject *old = ts->handled;

    ts->handled = (exc == NULL || exc == Py_None) ? NULL : Py_NewRef(exc);
    Py_XDECREF(old);
}

void
PyErr_GetExcInfo(PyObject **ptype, PyObject **pvalue, PyObject **ptraceback)
{
    PyObject *exc = PyErr_GetHandledException();

    *pvalue = exc;
    *ptype = exc != NULL ? Py_NewRef((PyObject *)Py_TYPE(exc)) : NULL;
    *ptraceback = exc != NULL ? PyException_GetTraceback(exc) : NULL;
}

void
PyErr_SetExcInfo(PyObject *type, PyObject *value, PyObject *traceback)
{
    PyErr_SetHandledException(value);
    Py_XDECREF(value);
    Py_XDECREF(type);
    Py_XDECREF(traceback);
}

/* ---------------------------------------------------------------- matching */

int
PyErr_GivenExceptionMatches(PyObject *given, PyObject *exc)
{
    if (given == NULL || exc == NULL)
        return 0;
    if (PyTuple_Check(exc)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(exc); i++) {
            if (PyErr_GivenExceptionMatches(given, PyTuple_GET_ITEM(exc, i)))
                return 1;
        }
        return 0;
    }
    if (PyExceptionInstance_Check(given))
        given = (PyObject *)Py_TYPE(given);
    if (PyExceptionClass_Check(given) && PyExceptionClass_Check(exc))
        return PyType_IsSubtype((PyTypeObject *)given, (PyTypeObject *)exc);
    return given == exc;
}

int
PyErr_ExceptionMatches(PyObject *exc)
{
    return PyErr_GivenExceptionMatches(PyErr_Occurred(), exc);
}

/* ------------------------------------------------------ common error kinds */

static _Thread_local int err_in_nomemory;   /* owner thread only */

PyObject *
PyErr_NoMemory(void)
{
    PyThreadState *ts = err_ts("PyErr_NoMemory");
    PyObject *exc = NULL;

    /* A fresh instance when memory allows (so that chaining and notes stay
     * per raise); the static one otherwise, or when re-entered because
     * building the fresh one ran out of memory too. */
    if (!err_in_nomemory &&
        (((PyTypeObject *)PyExc_MemoryError)->tp_flags & Py_TPFLAGS_READY)) {
        err_in_nomemory = 1;
        exc = PyObject_CallNoArgs(PyExc_MemoryError);
        err_in_nomemory = 0;
    }
    if (exc == NULL)
        exc = exc_nomem_static();
    err_restore(ts, exc);
    return NULL;
}

int
PyErr_BadArgument(void)
{
    PyErr_SetString(PyExc_TypeError, "bad argument type for built-in operation");
    return 0;
}

void
_PyErr_BadInternalCall(const char *filename, int lineno)
{
    PyErr_Format(PyExc_SystemError, "%s:%d: bad argument to internal function",
                 filename, lineno);
}

/* The function form, for callers that do not see the macro. */
#undef PyErr_BadInternalCall
void
PyErr_BadInternalCall(void)
{
    PyErr_SetString(PyExc_SystemError, "bad argument to internal function");
}

int
PyErr_CheckSignals(void)
{
    /* pymodrt installs no signal handlers: nothing can be pending. */
    return 0;
}

void
PyErr_SetInterrupt(void)
{
}

PyObject *
PyErr_SetFromErrnoWithFilenameObjects(PyObject *type, PyObject *filename, PyObject *filename2)
{
    int saved = errno;
    PyObject *message, *v, *args, *items[5];
    Py_ssize_t n = 2;
    PyObject *no;

    if (saved == EINTR && PyErr_CheckSignals() != 0)
        return NULL;
    if (saved == 0) {
        message = PyUnicode_FromString("Error");
    } else {
        char buf[256];
        const char *s = strerror_r(saved, buf, sizeof(buf));
        message = PyUnicode_DecodeLocale(s, "surrogateescape");
    }
    if (message == NULL)
        return NULL;
    no = PyLong_FromLong(saved);
    if (no == NULL) {
        Py_DECREF(message);
        return NULL;
    }
    items[0] = no;
    items[1] = message;
    if (filename != NULL || filename2 != NULL) {
        items[2] = filename != NULL ? filename : Py_None;
        n = 3;
        if (filename2 != NULL) {
            items[3] = Py_None;  /* winerror */
            items[4] = filename2;
            n = 5;
        }
    }
    args = PyTuple_FromArray(items, n);
    Py_DECREF(no);
    Py_DECREF(message);
    if (args == NULL)
        return NULL;
    v = PyObject_Call(type, args, NULL);
    Py_DECREF(args);
    if (v != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(v), v);
        Py_DECREF(v);
    }
    errno = saved;
    return NULL;
}

PyObject *
PyErr_SetFromErrnoWithFilenameObject(PyObject *type, PyObject *filename)
{
    return PyErr_SetFromErrnoWithFilenameObjects(type, filename, NULL);
}

PyObject *
PyErr_SetFromErrno(PyObject *type)
{
    return PyErr_SetFromErrnoWithFilenameObjects(type, NULL, NULL);
}

PyObject *
PyErr_SetFromErrnoWithFilename(PyObject *type, const char *filename)
{
    int saved = errno;
    PyObject *name = NULL, *r;

    if (filename != NULL) {
        name = PyUnicode_DecodeFSDefault(filename);
        if (name == NULL)
            return NULL;
    }
    errno = saved;
    r = PyErr_SetFromErrnoWithFilenameObjects(type, name, NULL);
    Py_XDECREF(name);
    return r;
}

PyObject *
PyErr_SetImportErrorSubclass(PyObject *type, PyObject *msg, PyObject *name, PyObject *path)
{
    PyObject *kwargs, *args, *error;

    if (type == NULL || !PyExceptionClass_Check(type) ||
        !PyType_IsSubtype((PyTypeObject *)type, (PyTypeObject *)PyExc_ImportError)) {
        PyErr_SetString(PyExc_TypeError, "expected a subclass of ImportError");
        return NULL;
    }
    if (msg == NULL) {
        PyErr_SetString(PyExc_TypeError, "expected a message argument");
        return NULL;
    }
    kwargs = PyDict_New();
    if (kwargs == NULL)
        return NULL;
    if (PyDict_SetItemString(kwargs, "name", name != NULL ? name : Py_None) < 0 ||
        PyDict_SetItemString(kwargs, "path", path != NULL ? path : Py_None) < 0) {
        Py_DECREF(kwargs);
        return NULL;
    }
    args = PyTuple_FromArray(&msg, 1);
    if (args == NULL) {
        Py_DECREF(kwargs);
        return NULL;
    }
    error = PyObject_Call(type, args, kwargs);
    Py_DECREF(args);
    Py_DECREF(kwargs);
    if (error != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(error), error);
        Py_DECREF(error);
    }
    return NULL;
}

PyObject *
PyErr_SetImportError(PyObject *msg, PyObject *name, PyObject *path)
{
    return PyErr_SetImportErrorSubclass(PyExc_ImportError, msg, name, path);
}

/* ----------------------------------------------------------- NewException
 *
 * CPython makes the class with type(name, bases, dict).  pymodrt builds the
 * same heap type directly: a PyHeapTypeObject from PyType_Type's allocator,
 * named by the part after the last dot, __module__ = the part before it (in
 * the class dict), readied with PyType_Ready and released by type_dealloc
 * when its last reference goes.  Its instances hold a reference to it
 * (PyType_GenericAlloc increfs heap types), dropped by exc_heap_dealloc. */

static void
exc_heap_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self), *base = type->tp_base;

    while (base->tp_dealloc == exc_heap_dealloc)
        base = base->tp_base;
    base->tp_dealloc(self);
    /* A heap base with its own dealloc (from a spec) drops the type itself. */
    if (!(base->tp_flags & Py_TPFLAGS_HEAPTYPE))
        Py_DECREF(type);
}

static PyObject *
err_new_heap_type(const char *shortname, const char *doc, PyObject *bases, PyObject *dict)
{
    PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(bases, 0);
    PyHeapTypeObject *ht;
    PyTypeObject *tp;
    PyObject *name;

    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(bases); i++) {
        PyObject *b = PyTuple_GET_ITEM(bases, i);
        if (!PyType_Check(b) || !PyExceptionClass_Check(b)) {
            PyErr_Format(PyExc_TypeError, "bases must be exception classes, not %R", b);
            return NULL;
        }
        if (!(((PyTypeObject *)b)->tp_flags & Py_TPFLAGS_BASETYPE)) {
            PyErr_Format(PyExc_TypeError, "type '%s' is not an acceptable base type",
                         ((PyTypeObject *)b)->tp_name);
            return NULL;
        }
    }
    name = PyUnicode_FromString(shortname);
    if (name == NULL)
        return NULL;
    ht = (PyHeapTypeObject *)PyType_Type.tp_alloc(&PyType_Type, 0);
    if (ht == NULL) {
        Py_DECREF(name);
        return NULL;
    }
    tp = &ht->ht_type;
    ht->ht_name = name;
    ht->ht_qualname = Py_NewRef(name);
    tp->tp_name = PyUnicode_AsUTF8(name);
    tp->tp_basicsize = base->tp_basicsize;
    tp->tp_itemsize = base->tp_itemsize;
    tp->tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_BASETYPE |
                   Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASE_EXC_SUBCLASS;
    tp->tp_as_async = &ht->as_async;
    tp->tp_as_number = &ht->as_number;
    tp->tp_as_sequence = &ht->as_sequence;
    tp->tp_as_mapping = &ht->as_mapping;
    tp->tp_as_buffer = &ht->as_buffer;
    tp->tp_base = (PyTypeObject *)Py_NewRef((PyObject *)base);
    tp->tp_bases = Py_NewRef(bases);
    tp->tp_dict = Py_NewRef(dict);
    tp->tp_dealloc = exc_heap_dealloc;
    if (doc != NULL) {
        /* type_dealloc frees tp_doc with PyMem_Free; Ready makes __doc__. */
        char *d = PyMem_Malloc(strlen(doc) + 1);
        if (d == NULL) {
            Py_DECREF(tp);
            return PyErr_NoMemory();
        }
        strcpy(d, doc);
        tp->tp_doc = d;
    }
    if (tp->tp_name == NULL || PyType_Ready(tp) < 0) {
        Py_DECREF(tp);
        return NULL;
    }
    return (PyObject *)tp;
}

PyObject *
PyErr_NewExceptionWithDoc(const char *name, const char *doc, PyObject *base, PyObject *dict)
{
    const char *dot = name != NULL ? strrchr(name, '.') : NULL;
    PyObject *mydict = NULL, *bases = NULL, *result = NULL;
    int has;

    if (dot == NULL) {
        PyErr_SetString(PyExc_SystemError, "PyErr_NewException: name must be module.class");
        return NULL;
    }
    if (base == NULL)
        base = PyExc_Exception;
    mydict = dict != NULL ? PyDict_Copy(dict) : PyDict_New();
    if (mydict == NULL)
        return NULL;
    has = PyDict_ContainsString(mydict, "__module__");
    if (has < 0)
        goto done;
    if (!has) {
        PyObject *mod = PyUnicode_FromStringAndSize(name, dot - name);
        if (mod == NULL)
            goto done;
        int rc = PyDict_SetItemString(mydict, "__module__", mod);
        Py_DECREF(mod);
        if (rc < 0)
            goto done;
    }
    if (PyTuple_Check(base)) {
        if (PyTuple_GET_SIZE(base) == 0) {
            PyErr_SetString(PyExc_TypeError, "bases must not be empty");
            goto done;
        }
        bases = Py_NewRef(base);
    } else {
        bases = PyTuple_FromArray(&base, 1);
        if (bases == NULL)
            goto done;
    }
    result = err_new_heap_type(dot + 1, doc, bases, mydict);
done:
    Py_XDECREF(bases);
    Py_XDECREF(mydict);
    return result;
}

PyObject *
PyErr_NewException(const char *name, PyObject *base, PyObject *dict)
{
    return PyErr_NewExceptionWithDoc(name, NULL, base, dict);
}

/* ---------------------------------------------------------------- printing
 *
 * pymodrt has no sys.stderr object and no tracebacks: output goes to the C
 * stderr stream, one exception at a time under flockfile so that two
 * threads' reports do not interleave. */

static void
err_puts(const char *s)
{
    fputs(s, stderr);
}

/* "module.Name" for classes outside builtins (CPython's rule), else "Name". */
static void
err_put_type_name(PyTypeObject *tp)
{
    const char *qual = tp->tp_name, *dot;

    if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)tp;
        PyObject *mod = tp->tp_dict != NULL ? PyDict_GetItemString(tp->tp_dict, "__module__")
                                            : NULL;
        const char *q = ht->ht_qualname != NULL ? PyUnicode_AsUTF8(ht->ht_qualname) : NULL;
        if (q == NULL) {
            PyErr_Clear();
            q = tp->tp_name;
        }
        if (mod != NULL && PyUnicode_Check(mod) && !PyUnicode_EqualToUTF8(mod, "builtins") &&
            !PyUnicode_EqualToUTF8(mod, "__main__")) {
            const char *m = PyUnicode_AsUTF8(mod);
            if (m != NULL) {
                err_puts(m);
                err_puts(".");
            } else {
                PyErr_Clear();
            }
        }
        err_puts(q);
        return;
    }
    dot = strrchr(qual, '.');
    if (dot != NULL && !(dot - qual == 8 && strncmp(qual, "builtins", 8) == 0)) {
        err_puts(qual);   /* static type "module.Name": printed as is */
        return;
    }
    err_puts(dot != NULL ? dot + 1 : qual);
}

static void
err_put_str(PyObject *obj, const char *fallback)
{
    PyObject *s = PyObject_Str(obj);
    const char *u = s != NULL ? PyUnicode_AsUTF8(s) : NULL;

    if (u == NULL) {
        PyErr_Clear();
        err_puts(fallback);
    } else {
        err_puts(u);
    }
    Py_XDECREF(s);
}

/* One exception without its chain: "Type: message" and its notes. */
static void
err_put_one(PyObject *exc)
{
    PyObject *s, *notes;
    const char *u;

    err_put_type_name(Py_TYPE(exc));
    s = PyObject_Str(exc);
    u = s != NULL ? PyUnicode_AsUTF8(s) : NULL;
    if (u == NULL) {
        PyErr_Clear();
        err_puts(": <exception str() failed>");
    } else if (u[0] != '\0') {
        err_puts(": ");
        err_puts(u);
    }
    Py_XDECREF(s);
    err_puts("\n");
    notes = ((PyBaseExceptionObject *)exc)->notes;
    if (notes != NULL && (PyList_Check(notes) || PyTuple_Check(notes))) {
        Py_INCREF(notes);
        Py_ssize_t n = PyList_Check(notes) ? PyList_Size(notes) : PyTuple_GET_SIZE(notes);
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *note = PyList_Check(notes) ? PyList_GetItemRef(notes, i)
                                                 : Py_NewRef(PyTuple_GET_ITEM(notes, i));
            if (note == NULL) {
                PyErr_Clear();
                break;
            }
            if (PyUnicode_Check(note)) {
                err_put_str(note, "<note str() failed>");
            } else {
                PyObject *r = PyObject_Repr(note);
                const char *t = r != NULL ? PyUnicode_AsUTF8(r) : NULL;
                if (t == NULL)
                    PyErr_Clear();
                err_puts(t != NULL ? t : "<note repr() failed>");
                Py_XDECREF(r);
            }
            err_puts("\n");
            Py_DECREF(note);
        }
        Py_DECREF(notes);
    } else if (notes != NULL) {
        err_puts("<__notes__ is not a sequence>\n");
    }
}

#define ERR_CHAIN_MAX 64

static const char err_cause_sep[] =
    "\nThe above exception was the direct cause of the following exception:\n\n";
static const char err_context_sep[] =
    "\nDuring handling of the above exception, another exception occurred:\n\n";

/* Prints the chain oldest first; 'seen' stops cycles, as CPython's set. */
static void
err_put_chain(PyObject *exc, PyObject **seen, int *nseen)
{
    PyObject *cause, *context;

    if (*nseen < ERR_CHAIN_MAX)
        seen[(*nseen)++] = exc;
    cause = PyException_GetCause(exc);
    context = PyException_GetContext(exc);
    if (cause != NULL) {
        int dup = 0;
        for (int i = 0; i < *nseen; i++)
            dup |= seen[i] == cause;
        if (!dup && *nseen < ERR_CHAIN_MAX) {
            err_put_chain(cause, seen, nseen);
            err_puts(err_cause_sep);
        }
    } else if (context != NULL && !((PyBaseExceptionObject *)exc)->suppress_context) {
        int dup = 0;
        for (int i = 0; i < *nseen; i++)
            dup |= seen[i] == context;
        if (!dup && *nseen < ERR_CHAIN_MAX) {
            err_put_chain(context, seen, nseen);
            err_puts(err_context_sep);
        }
    }
    Py_XDECREF(cause);
    Py_XDECREF(context);
    err_put_one(exc);
}

void
err_display(PyObject *exc)
{
    PyObject *seen[ERR_CHAIN_MAX];
    int nseen = 0;
    PyObject *saved = PyErr_GetRaisedException();

    flockfile(stderr);
    if (exc == NULL || !PyExceptionInstance_Check(exc)) {
        err_puts("TypeError: print_exception(): Exception expected for value, ");
        err_puts(exc != NULL ? Py_TYPE(exc)->tp_name : "NoneType");
        err_puts(" found\n");
    } else {
        err_put_chain(exc, seen, &nseen);
    }
    fflush(stderr);
    funlockfile(stderr);
    PyErr_SetRaisedException(saved);
}

void
PyErr_DisplayException(PyObject *exc)
{
    err_display(exc);
}

void
PyErr_Display(PyObject *unused, PyObject *value, PyObject *tb)
{
    (void)unused;
    (void)tb;
    err_display(value);
}

/* SystemExit reaching PyErr_Print ends the process, as in CPython: code None
 * exits 0, an int exits with it, anything else is printed and exits 1. */
_Py_NO_RETURN static void
err_handle_system_exit(PyObject *exc)
{
    PyObject *code = ((PySystemExitObject *)exc)->code;
    int status = 0;

    if (code != NULL && code != Py_None) {
        if (PyLong_Check(code)) {
            status = (int)PyLong_AsLong(code);
            if (status == -1 && PyErr_Occurred()) {
                PyErr_Clear();
                status = 1;
            }
        } else {
            flockfile(stderr);
            err_put_str(code, "<exit code str() failed>");
            err_puts("\n");
            fflush(stderr);
            funlockfile(stderr);
            status = 1;
        }
    }
    Py_DECREF(exc);
    if (Py_FinalizeEx() < 0)
        status = 120;
    exit(status);
}

void
PyErr_PrintEx(int set_sys_last_vars)
{
    PyObject *exc = PyErr_GetRaisedException();

    /* There is no sys module to hold last_exc: 'set_sys_last_vars' is
     * accepted and ignored. */
    (void)set_sys_last_vars;
    if (exc == NULL)
        return;
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SystemExit))
        err_handle_system_exit(exc);
    err_display(exc);
    Py_DECREF(exc);
}

void
PyErr_Print(void)
{
    PyErr_PrintEx(1);
}

/* "Exception ignored in: <repr>" (or "<msg>:"), then the exception. */
static void
err_write_unraisable(PyObject *msg, PyObject *obj)
{
    PyObject *exc = PyErr_GetRaisedException();

    if (exc == NULL)
        return;
    flockfile(stderr);
    if (obj != NULL && obj != Py_None) {
        if (msg != NULL) {
            err_put_str(msg, "<msg str() failed>");
            err_puts(": ");
        } else {
            err_puts("Exception ignored in: ");
        }
        PyObject *r = PyObject_Repr(obj);
        const char *u = r != NULL ? PyUnicode_AsUTF8(r) : NULL;
        if (u == NULL)
            PyErr_Clear();
        err_puts(u != NULL ? u : "<object repr() failed>");
        Py_XDECREF(r);
        err_puts("\n");
    } else if (msg != NULL) {
        err_put_str(msg, "<msg str() failed>");
        err_puts(":\n");
    }
    funlockfile(stderr);
    err_display(exc);
    Py_DECREF(exc);
}

void
PyErr_WriteUnraisable(PyObject *obj)
{
    err_write_unraisable(NULL, obj);
}

void
PyErr_FormatUnraisable(const char *format, ...)
{
    PyObject *exc = PyErr_GetRaisedException(), *msg = NULL;
    va_list va;

    if (format != NULL) {
        va_start(va, format);
        msg = PyUnicode_FromFormatV(format, va);
        va_end(va);
        if (msg == NULL)
            PyErr_Clear();
    }
    PyErr_SetRaisedException(exc);
    if (msg != NULL) {
        err_write_unraisable(msg, NULL);
        Py_DECREF(msg);
    } else {
        err_write_unraisable(NULL, NULL);
    }
}

/* ------------------------------------------------------------ fatal errors */

void
_Py_FatalErrorFunc(const char *func, const char *message)
{
    static _Thread_local int reentered;
    PyThreadState *ts = ts_get();

    fprintf(stderr, "Fatal Python error: ");
    if (func != NULL)
        fprintf(stderr, "%s: ", func);
    fprintf(stderr, "%s\n", message);
    /* The pending exception, unless printing it is what failed. */
    if (!reentered && ts != NULL && ts->exc != NULL) {
        reentered = 1;
        fputs("\n", stderr);
        err_display(ts->exc);
    }
    fflush(stderr);
    abort();
}

#undef Py_FatalError
void
Py_FatalError(const char *message)
{
    _Py_FatalErrorFunc(NULL, message);
}
