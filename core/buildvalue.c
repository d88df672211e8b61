/* buildvalue.c: Py_BuildValue / Py_VaBuildValue, and the format-string
 * call helpers PyObject_CallFunction / PyObject_CallMethod built on them.
 *
 * Behaviour and error texts follow CPython 3.14's Python/modsupport.c and
 * Objects/call.c; the code is pymodrt's own.
 *
 * Invariants
 *   - No shared state; everything lives in a per-call 'struct bv' on the C
 *     stack, so any number of threads may build at once.
 *   - 'N' steals a reference, always: once any unit fails, the builder
 *     enters skip mode (bv.failed) and walks the rest of the format anyway,
 *     consuming every C argument and dropping the reference of each
 *     remaining 'N' object, so a failed build leaks nothing the caller
 *     handed over.  The first error stays the raised one.  O& converters
 *     are not called in skip mode (what they would return is never used).
 *   - Containers are allocated at their full size (counted from the format)
 *     before their items are built; a slot left empty by a failure is
 *     filled with None before the container is dropped.
 *
 * Map of the file
 *   1. counting the items of a level
 *   2. building one unit, and tuples / lists / dicts of units
 *   3. the public builders and _SizeT aliases
 *   4. PyObject_CallFunction, PyObject_CallMethod
 */
#include "internal/pycore.h"

struct bv {
    va_list va;       /* the caller's arguments (a copy this file owns) */
    int failed;       /* an error is raised: consume, build nothing */
};

/* ------------------------------------------------------ 1. counting */

/* Number of items at the current level of 'format' up to 'end' (a
 * closing bracket, or '\0' for the top level); -1 with SystemError if the
 * brackets do not match (raised unless 'quiet'). */
static Py_ssize_t
bv_count(const char *format, char end, int quiet)
{
    Py_ssize_t n = 0;
    int depth = 0;

    for (; depth > 0 || *format != end; format++) {
        switch (*format) {
        case '\0':
            if (!quiet)
                PyErr_SetString(PyExc_SystemError, "unmatched paren in format");
            return -1;
        case '(': case '[': case '{':
            if (depth++ == 0)
                n++;
            break;
        case ')': case ']': case '}':
            depth--;
            break;
        case '#': case '&': case ',': case ':': case ' ': case '\t':
            break;
        default:
            if (depth == 0)
                n++;
            break;
        }
    }
    return n;
}

/* ------------------------------------------------------- 2. building */

static PyObject *bv_unit(const char **pf, struct bv *b);
static void bv_skip_separators(const char **pf);

static PyObject *
bv_fail(struct bv *b)
{
    b->failed = 1;
    return NULL;
}

/* Marks the build failed when 'v' is NULL; returns 'v'. */
static PyObject *
bv_check(struct bv *b, PyObject *v)
{
    if (v == NULL)
        b->failed = 1;
    return v;
}

/* Builds the 'n' items of a '(' or '[' level (or the top-level tuple, end
 * '\0') into a new tuple or list. */
static PyObject *
bv_sequence(const char **pf, struct bv *b, char end, int as_list)
{
    Py_ssize_t n = bv_count(*pf, end, b->failed), i;
    PyObject *seq = NULL;

    if (n < 0)
        return bv_fail(b);
    if (!b->failed)
        seq = bv_check(b, as_list ? PyList_New(n) : PyTuple_New(n));
    for (i = 0; i < n; i++) {
        PyObject *item = bv_unit(pf, b);
        if (item == NULL)
            continue;
        if (b->failed)
            Py_DECREF(item);
        else if (as_list)
            PyList_SET_ITEM(seq, i, item);
        else
            PyTuple_SET_ITEM(seq, i, item);
    }
    bv_skip_separators(pf);
    if (**pf != end) {
        if (!b->failed)
            PyErr_SetString(PyExc_SystemError, "Unmatched paren in format");
        b->failed = 1;
    } else if (end != '\0') {
        (*pf)++;
    }
    if (b->failed && seq != NULL) {
        /* Fill the slots a failure left empty, then drop everything. */
        for (i = 0; i < n; i++) {
            PyObject **slot = as_list ? &((PyListObject *)seq)->ob_item[i]
                                      : &((PyTupleObject *)seq)->ob_item[i];
            if (*slot == NULL)
                *slot = Py_None;
        }
        Py_CLEAR(seq);
    }
    return seq;
}

static PyObject *
bv_dict(const char **pf, struct bv *b)
{
    Py_ssize_t n = bv_count(*pf, '}', b->failed), i;
    PyObject *d = NULL;

    if (n < 0)
        return bv_fail(b);
    if (n % 2 != 0 && !b->failed) {
        PyErr_SetString(PyExc_SystemError, "Bad dict format");
        b->failed = 1;
    }
    if (!b->failed)
        d = bv_check(b, PyDict_New());
    for (i = 0; i < n; i += 2) {
        PyObject *k = bv_unit(pf, b);
        PyObject *v = i + 1 < n ? bv_unit(pf, b) : NULL;
        if (!b->failed && PyDict_SetItem(d, k, v) < 0)
            b->failed = 1;
        Py_XDECREF(k);
        Py_XDECREF(v);
    }
    bv_skip_separators(pf);
    if (**pf != '}') {
        if (!b->failed)
            PyErr_SetString(PyExc_SystemError, "Unmatched paren in format");
        b->failed = 1;
    } else {
        (*pf)++;
    }
    if (b->failed)
        Py_CLEAR(d);
    return d;
}

/* Steps over separators, which may also trail the last unit of a level
 * (CPython only skips them before a unit). */
static void
bv_skip_separators(const char **pf)
{
    while (**pf == ',' || **pf == ':' || **pf == ' ' || **pf == '\t')
        (*pf)++;
}

/* Reads the optional '#' length that follows s/z/y/U. */
static Py_ssize_t
bv_length(const char **pf, struct bv *b)
{
    if (**pf != '#')
        return -1;
    (*pf)++;
    return va_arg(b->va, Py_ssize_t);
}

/* Builds one unit.  In skip mode consumes its arguments (dropping 'N'
 * references) and returns NULL; otherwise returns a new reference, or
 * NULL with the build marked failed. */
static PyObject *
bv_unit(const char **pf, struct bv *b)
{
    for (;;) {
        char c = *(*pf)++;
        switch (c) {
        case '(':
            return bv_sequence(pf, b, ')', 0);
        case '[':
            return bv_sequence(pf, b, ']', 1);
        case '{':
            return bv_dict(pf, b);
        case 'b': case 'B': case 'h': case 'i': {
            int v = va_arg(b->va, int);
            return b->failed ? NULL : bv_check(b, PyLong_FromLong(v));
        }
        case 'H': case 'I': {
            unsigned int v = va_arg(b->va, unsigned int);
            return b->failed ? NULL : bv_check(b, PyLong_FromUnsignedLong(v));
        }
        case 'n': {
            Py_ssize_t v = va_arg(b->va, Py_ssize_t);
            return b->failed ? NULL : bv_check(b, PyLong_FromSsize_t(v));
        }
        case 'l': {
            long v = va_arg(b->va, long);
            return b->failed ? NULL : bv_check(b, PyLong_FromLong(v));
        }
        case 'k': {
            unsigned long v = va_arg(b->va, unsigned long);
            return b->failed ? NULL : bv_check(b, PyLong_FromUnsignedLong(v));
        }
        case 'L': {
            long long v = va_arg(b->va, long long);
            return b->failed ? NULL : bv_check(b, PyLong_FromLongLong(v));
        }
        case 'K': {
            unsigned long long v = va_arg(b->va, unsigned long long);
            return b->failed ? NULL : bv_check(b, PyLong_FromUnsignedLongLong(v));
        }
        case 'f': case 'd': {
            double v = va_arg(b->va, double);
            return b->failed ? NULL : bv_check(b, PyFloat_FromDouble(v));
        }
        case 'p': {
            int v = va_arg(b->va, int);
            return b->failed ? NULL : PyBool_FromLong(v);
        }
        case 'c': {
            char ch = (char)va_arg(b->va, int);
            return b->failed ? NULL : bv_check(b, PyBytes_FromStringAndSize(&ch, 1));
        }
        case 'C': {
            int v = va_arg(b->va, int);
            return b->failed ? NULL : bv_check(b, PyUnicode_FromOrdinal(v));
        }
        case 's': case 'z': case 'U': case 'y': {
            const char *s = va_arg(b->va, const char *);
            Py_ssize_t n = bv_length(pf, b);
            if (b->failed)
                return NULL;
            if (s == NULL)
                Py_RETURN_NONE;
            if (n < 0) {
                size_t m = strlen(s);
                if (m > (size_t)PY_SSIZE_T_MAX) {
                    PyErr_SetString(PyExc_OverflowError, c == 'y'
                                    ? "string too long for Python bytes"
                                    : "string too long for Python string");
                    return bv_fail(b);
                }
                n = (Py_ssize_t)m;
            }
            return bv_check(b, c == 'y' ? PyBytes_FromStringAndSize(s, n)
                                        : PyUnicode_FromStringAndSize(s, n));
        }
        case 'N': case 'S': case 'O':
            if (**pf == '&') {
                PyObject *(*fn)(void *) = va_arg(b->va, PyObject *(*)(void *));
                void *arg = va_arg(b->va, void *);
                (*pf)++;
                return b->failed ? NULL : bv_check(b, fn(arg));
            } else {
                PyObject *v = va_arg(b->va, PyObject *);
                if (b->failed) {
                    if (c == 'N')
                        Py_XDECREF(v);
                    return NULL;
                }
                if (v == NULL) {
                    if (!PyErr_Occurred())
                        PyErr_SetString(PyExc_SystemError, "NULL object passed to Py_BuildValue");
                    return bv_fail(b);
                }
                return c == 'N' ? v : Py_NewRef(v);
            }
        case ':': case ',': case ' ': case '\t':
            continue;
        default:
            if (!b->failed)
                PyErr_SetString(PyExc_SystemError, "bad format char passed to Py_BuildValue");
            return bv_fail(b);
        }
    }
}

/* ------------------------------------------------ 3. public builders */

static PyObject *
bv_build(const char *format, va_list va)
{
    struct bv b;
    const char *f = format;
    Py_ssize_t n;
    PyObject *r;

    if (format == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    n = bv_count(format, '\0', 0);
    if (n < 0)
        return NULL;
    if (n == 0)
        Py_RETURN_NONE;
    b.failed = 0;
    va_copy(b.va, va);
    r = n == 1 ? bv_unit(&f, &b) : bv_sequence(&f, &b, '\0', 0);
    va_end(b.va);
    if (b.failed) {
        Py_CLEAR(r);
        assert(PyErr_Occurred());
    }
    return r;
}

PyObject *
Py_VaBuildValue(const char *format, va_list va)
{
    return bv_build(format, va);
}

PyObject *
Py_BuildValue(const char *format, ...)
{
    va_list va;
    PyObject *r;

    va_start(va, format);
    r = bv_build(format, va);
    va_end(va);
    return r;
}

PyObject *
_Py_VaBuildValue_SizeT(const char *format, va_list va)
{
    return bv_build(format, va);
}

PyObject *
_Py_BuildValue_SizeT(const char *format, ...)
{
    va_list va;
    PyObject *r;

    va_start(va, format);
    r = bv_build(format, va);
    va_end(va);
    return r;
}

/* ------------------------------------------------- 4. format calls */

static PyObject *
bv_null_error(void)
{
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "null argument to internal routine");
    return NULL;
}

/* Calls 'callable' with the arguments 'format' builds: none for a NULL or
 * empty format; a tuple result is the argument list; any other single
 * value is the one argument. */
static PyObject *
bv_call(PyObject *callable, const char *format, va_list va)
{
    PyObject *args, *r;

    if (callable == NULL)
        return bv_null_error();
    if (format == NULL || *format == '\0')
        return PyObject_CallNoArgs(callable);
    args = bv_build(format, va);
    if (args == NULL)
        return NULL;
    if (PyTuple_Check(args))
        r = PyObject_Call(callable, args, NULL);
    else
        r = PyObject_CallOneArg(callable, args);
    Py_DECREF(args);
    return r;
}

static PyObject *
bv_call_method(PyObject *obj, const char *name, const char *format, va_list va)
{
    PyObject *meth, *r;

    if (obj == NULL || name == NULL)
        return bv_null_error();
    meth = PyObject_GetAttrString(obj, name);
    if (meth == NULL)
        return NULL;
    if (!PyCallable_Check(meth)) {
        PyErr_Format(PyExc_TypeError, "attribute of type '%.200s' is not callable",
                     Py_TYPE(meth)->tp_name);
        Py_DECREF(meth);
        return NULL;
    }
    r = bv_call(meth, format, va);
    Py_DECREF(meth);
    return r;
}

PyObject *
PyObject_CallFunction(PyObject *callable, const char *format, ...)
{
    va_list va;
    PyObject *r;

    va_start(va, format);
    r = bv_call(callable, format, va);
    va_end(va);
    return r;
}

PyObject *
_PyObject_CallFunction_SizeT(PyObject *callable, const char *format, ...)
{
    va_list va;
    PyObject *r;

    va_start(va, format);
    r = bv_call(callable, format, va);
    va_end(va);
    return r;
}

PyObject *
PyObject_CallMethod(PyObject *obj, const char *name, const char *format, ...)
{
    va_list va;
    PyObject *r;

    va_start(va, format);
    r = bv_call_method(obj, name, format, va);
    va_end(va);
    return r;
}

PyObject *
_PyObject_CallMethod_SizeT(PyObject *obj, const char *name, const char *format, ...)
{
    va_list va;
    PyObject *r;

    va_start(va, format);
    r = bv_call_method(obj, name, format, va);
    va_end(va);
    return r;
}
