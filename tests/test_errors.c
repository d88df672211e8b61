/* test_errors.c: exceptions, the error indicator, printing, warnings.  ctest-labels: unit tsan */
#define PYMODRT_BUILD_CORE 1
#include "testutil.h"
#include "internal/pycore.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

/* stderr capture: fd 2 goes to a temporary file until cap_end(). */
static int cap_saved = -1;
static FILE *cap_file;

static void
cap_begin(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(2);
    assert_true(cap_saved >= 0);
    assert_true(dup2(fileno(cap_file), 2) >= 0);
}

/* Returns the captured text (static buffer). */
static const char *
cap_end(void)
{
    static char buf[8192];
    size_t n;

    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    cap_saved = -1;
    rewind(cap_file);
    n = fread(buf, 1, sizeof(buf) - 1, cap_file);
    buf[n] = '\0';
    fclose(cap_file);
    return buf;
}

static void
assert_str_of(PyObject *obj, const char *expected)
{
    PyObject *s = PyObject_Str(obj);
    assert_non_null(s);
    assert_string_equal(PyUnicode_AsUTF8(s), expected);
    Py_DECREF(s);
}

static void
assert_repr_of(PyObject *obj, const char *expected)
{
    PyObject *s = PyObject_Repr(obj);
    assert_non_null(s);
    assert_string_equal(PyUnicode_AsUTF8(s), expected);
    Py_DECREF(s);
}

/* Argument tuples without Py_BuildValue (not this area's): 's' str, 'i' int,
 * 'n' Py_ssize_t, 'O' object (borrowed). */
static PyObject *
vbuild(const char *fmt, va_list va)
{
    PyObject *items[8] = {NULL};
    Py_ssize_t n = 0;

    for (; *fmt; fmt++, n++) {
        switch (*fmt) {
        case 's': items[n] = PyUnicode_FromString(va_arg(va, const char *)); break;
        case 'i': items[n] = PyLong_FromLong(va_arg(va, int)); break;
        case 'n': items[n] = PyLong_FromSsize_t(va_arg(va, Py_ssize_t)); break;
        default: items[n] = Py_NewRef(va_arg(va, PyObject *)); break;
        }
        assert_non_null(items[n]);
    }
    PyObject *t = PyTuple_FromArray(items, n);
    for (Py_ssize_t i = 0; i < n; i++)
        Py_DECREF(items[i]);
    assert_non_null(t);
    return t;
}

static PyObject *
build(const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    PyObject *t = vbuild(fmt, va);
    va_end(va);
    return t;
}

static PyObject *
callf(PyObject *callable, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    PyObject *t = vbuild(fmt, va);
    va_end(va);
    PyObject *r = PyObject_Call(callable, t, NULL);
    Py_DECREF(t);
    return r;
}

static PyObject *
callm(PyObject *obj, const char *name, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    PyObject *t = vbuild(fmt, va);
    va_end(va);
    PyObject *m = PyObject_GetAttrString(obj, name);
    assert_non_null(m);
    PyObject *r = PyObject_Call(m, t, NULL);
    Py_DECREF(m);
    Py_DECREF(t);
    return r;
}

/* A dict of 1 or 2 items (key, borrowed value). */
static PyObject *
kwargs(const char *k1, PyObject *v1, const char *k2, PyObject *v2)
{
    PyObject *d = PyDict_New();
    assert_non_null(d);
    assert_int_equal(PyDict_SetItemString(d, k1, v1), 0);
    if (k2 != NULL)
        assert_int_equal(PyDict_SetItemString(d, k2, v2), 0);
    return d;
}

static PyObject *
make_exc(PyObject *type, const char *msg)
{
    PyObject *e = callf(type, "s", msg);
    assert_non_null(e);
    return e;
}

/* ----------------------------------------------------------- hierarchy */

static void
test_hierarchy(void **state)
{
    struct { PyObject **cls, **parent; } pairs[] = {
        {&PyExc_Exception, &PyExc_BaseException},
        {&PyExc_BaseExceptionGroup, &PyExc_BaseException},
        {&PyExc_GeneratorExit, &PyExc_BaseException},
        {&PyExc_KeyboardInterrupt, &PyExc_BaseException},
        {&PyExc_SystemExit, &PyExc_BaseException},
        {&PyExc_ArithmeticError, &PyExc_Exception},
        {&PyExc_FloatingPointError, &PyExc_ArithmeticError},
        {&PyExc_OverflowError, &PyExc_ArithmeticError},
        {&PyExc_ZeroDivisionError, &PyExc_ArithmeticError},
        {&PyExc_AssertionError, &PyExc_Exception},
        {&PyExc_AttributeError, &PyExc_Exception},
        {&PyExc_BufferError, &PyExc_Exception},
        {&PyExc_EOFError, &PyExc_Exception},
        {&PyExc_ImportError, &PyExc_Exception},
        {&PyExc_ModuleNotFoundError, &PyExc_ImportError},
        {&PyExc_LookupError, &PyExc_Exception},
        {&PyExc_IndexError, &PyExc_LookupError},
        {&PyExc_KeyError, &PyExc_LookupError},
        {&PyExc_MemoryError, &PyExc_Exception},
        {&PyExc_NameError, &PyExc_Exception},
        {&PyExc_UnboundLocalError, &PyExc_NameError},
        {&PyExc_OSError, &PyExc_Exception},
        {&PyExc_BlockingIOError, &PyExc_OSError},
        {&PyExc_ChildProcessError, &PyExc_OSError},
        {&PyExc_ConnectionError, &PyExc_OSError},
        {&PyExc_BrokenPipeError, &PyExc_ConnectionError},
        {&PyExc_ConnectionAbortedError, &PyExc_ConnectionError},
        {&PyExc_ConnectionRefusedError, &PyExc_ConnectionError},
        {&PyExc_ConnectionResetError, &PyExc_ConnectionError},
        {&PyExc_FileExistsError, &PyExc_OSError},
        {&PyExc_FileNotFoundError, &PyExc_OSError},
        {&PyExc_InterruptedError, &PyExc_OSError},
        {&PyExc_IsADirectoryError, &PyExc_OSError},
        {&PyExc_NotADirectoryError, &PyExc_OSError},
        {&PyExc_PermissionError, &PyExc_OSError},
        {&PyExc_ProcessLookupError, &PyExc_OSError},
        {&PyExc_TimeoutError, &PyExc_OSError},
        {&PyExc_ReferenceError, &PyExc_Exception},
        {&PyExc_RuntimeError, &PyExc_Exception},
        {&PyExc_NotImplementedError, &PyExc_RuntimeError},
        {&PyExc_PythonFinalizationError, &PyExc_RuntimeError},
        {&PyExc_RecursionError, &PyExc_RuntimeError},
        {&PyExc_StopAsyncIteration, &PyExc_Exception},
        {&PyExc_StopIteration, &PyExc_Exception},
        {&PyExc_SyntaxError, &PyExc_Exception},
        {&PyExc_IndentationError, &PyExc_SyntaxError},
        {&PyExc_TabError, &PyExc_IndentationError},
        {&PyExc_SystemError, &PyExc_Exception},
        {&PyExc_TypeError, &PyExc_Exception},
        {&PyExc_ValueError, &PyExc_Exception},
        {&PyExc_UnicodeError, &PyExc_ValueError},
        {&PyExc_UnicodeDecodeError, &PyExc_UnicodeError},
        {&PyExc_UnicodeEncodeError, &PyExc_UnicodeError},
        {&PyExc_UnicodeTranslateError, &PyExc_UnicodeError},
        {&PyExc_Warning, &PyExc_Exception},
        {&PyExc_BytesWarning, &PyExc_Warning},
        {&PyExc_DeprecationWarning, &PyExc_Warning},
        {&PyExc_EncodingWarning, &PyExc_Warning},
        {&PyExc_FutureWarning, &PyExc_Warning},
        {&PyExc_ImportWarning, &PyExc_Warning},
        {&PyExc_PendingDeprecationWarning, &PyExc_Warning},
        {&PyExc_ResourceWarning, &PyExc_Warning},
        {&PyExc_RuntimeWarning, &PyExc_Warning},
        {&PyExc_SyntaxWarning, &PyExc_Warning},
        {&PyExc_UnicodeWarning, &PyExc_Warning},
        {&PyExc_UserWarning, &PyExc_Warning},
    };
    unsigned long want = Py_TPFLAGS_BASE_EXC_SUBCLASS | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC;

    (void)state;
    assert_ptr_equal(((PyTypeObject *)PyExc_BaseException)->tp_base, &PyBaseObject_Type);
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        PyTypeObject *c = (PyTypeObject *)*pairs[i].cls, *p = (PyTypeObject *)*pairs[i].parent;
        if (c->tp_base != p)
            fail_msg("%s: base %s, expected %s", c->tp_name, c->tp_base->tp_name, p->tp_name);
        assert_true(PyType_IsSubtype(c, p));
        assert_true(PyType_IsSubtype(c, (PyTypeObject *)PyExc_BaseException));
        assert_false(PyType_IsSubtype(p, c));
        assert_true((c->tp_flags & want) == want);
        assert_true(PyExceptionClass_Check((PyObject *)c));
        assert_null(strchr(c->tp_name, '.'));
    }
    assert_ptr_equal(PyExc_EnvironmentError, PyExc_OSError);
    assert_ptr_equal(PyExc_IOError, PyExc_OSError);
    assert_false(PyExceptionClass_Check((PyObject *)&PyLong_Type));
    assert_string_equal(PyExceptionClass_Name(PyExc_KeyError), "KeyError");
    assert_false(PyType_IsSubtype((PyTypeObject *)PyExc_SystemExit,
                                  (PyTypeObject *)PyExc_Exception));
}

/* --------------------------------------------------------- str / repr */

static void
test_str_repr(void **state)
{
    PyObject *e;

    (void)state;
    e = PyObject_CallNoArgs(PyExc_ValueError);
    assert_non_null(e);
    assert_str_of(e, "");
    assert_repr_of(e, "ValueError()");
    Py_DECREF(e);

    e = make_exc(PyExc_ValueError, "x");
    assert_str_of(e, "x");
    assert_repr_of(e, "ValueError('x')");
    assert_true(PyExceptionInstance_Check(e));
    Py_DECREF(e);

    e = callf(PyExc_TypeError, "si", "a", 1);
    assert_str_of(e, "('a', 1)");
    assert_repr_of(e, "TypeError('a', 1)");
    PyObject *args = PyException_GetArgs(e);
    assert_int_equal(PyTuple_GET_SIZE(args), 2);
    Py_DECREF(args);
    Py_DECREF(e);

    e = make_exc(PyExc_KeyError, "k");
    assert_str_of(e, "'k'");
    assert_repr_of(e, "KeyError('k')");
    Py_DECREF(e);
    e = callf(PyExc_KeyError, "ii", 1, 2);
    assert_str_of(e, "(1, 2)");
    Py_DECREF(e);

    /* Keywords are refused by BaseException.__init__. */
    PyObject *one = PyLong_FromLong(1);
    PyObject *kw = kwargs("x", one, NULL, NULL);
    Py_DECREF(one);
    PyObject *empty = PyTuple_New(0);
    assert_null(PyObject_Call(PyExc_ValueError, empty, kw));
    tu_assert_exc(PyExc_TypeError, "ValueError() takes no keyword arguments");
    Py_DECREF(kw);
    Py_DECREF(empty);
}

static void
test_attributes(void **state)
{
    PyObject *e, *v, *cause;

    (void)state;
    e = make_exc(PyExc_ValueError, "x");
    v = PyObject_GetAttrString(e, "__traceback__");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "__cause__");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "__suppress_context__");
    assert_ptr_equal(v, Py_False);
    Py_DECREF(v);

    assert_int_equal(PyObject_SetAttrString(e, "__cause__", Py_True), -1);
    tu_assert_exc(PyExc_TypeError, "exception cause must be None or derive from BaseException");
    assert_int_equal(PyObject_SetAttrString(e, "__context__", Py_True), -1);
    tu_assert_exc(PyExc_TypeError, "exception context must be None or derive from BaseException");
    assert_int_equal(PyObject_SetAttrString(e, "__traceback__", Py_True), -1);
    tu_assert_exc(PyExc_TypeError, "__traceback__ must be a traceback or None");
    assert_int_equal(PyObject_SetAttrString(e, "__traceback__", Py_None), 0);
    assert_int_equal(PyObject_DelAttrString(e, "args"), -1);
    tu_assert_exc(PyExc_TypeError, "args may not be deleted");

    cause = make_exc(PyExc_KeyError, "c");
    assert_int_equal(PyObject_SetAttrString(e, "__cause__", cause), 0);
    v = PyException_GetCause(e);
    assert_ptr_equal(v, cause);
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "__suppress_context__");
    assert_ptr_equal(v, Py_True);
    Py_DECREF(v);
    assert_int_equal(PyObject_SetAttrString(e, "__cause__", Py_None), 0);
    assert_null(PyException_GetCause(e));

    /* args setter converts to a tuple. */
    PyObject *lst = PyList_New(0), *tmp = build("ii", 1, 2);
    assert_int_equal(PyList_Append(lst, PyTuple_GET_ITEM(tmp, 0)), 0);
    assert_int_equal(PyList_Append(lst, PyTuple_GET_ITEM(tmp, 1)), 0);
    Py_DECREF(tmp);
    assert_int_equal(PyObject_SetAttrString(e, "args", lst), 0);
    Py_DECREF(lst);
    assert_str_of(e, "(1, 2)");
    PyObject *t = build("s", "new");
    PyException_SetArgs(e, t);
    Py_DECREF(t);
    assert_str_of(e, "new");

    /* Instance __dict__ and arbitrary attributes. */
    assert_int_equal(PyObject_SetAttrString(e, "extra", Py_True), 0);
    v = PyObject_GetAttrString(e, "extra");
    assert_ptr_equal(v, Py_True);
    Py_DECREF(v);

    /* add_note and __notes__ */
    v = PyObject_GetAttrString(e, "__notes__");
    assert_null(v);
    tu_assert_exc(PyExc_AttributeError, NULL);
    v = callm(e, "add_note", "s", "note one");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    assert_null(callm(e, "add_note", "i", 3));
    tu_assert_exc(PyExc_TypeError, "note must be a str, not 'int'");
    v = PyObject_GetAttrString(e, "__notes__");
    assert_true(PyList_Check(v));
    assert_int_equal(PyList_Size(v), 1);
    Py_DECREF(v);

    v = callm(e, "with_traceback", "O", Py_None);
    assert_ptr_equal(v, e);
    Py_DECREF(v);
    Py_DECREF(cause);
    Py_DECREF(e);
}

static void
test_special_classes(void **state)
{
    PyObject *e, *v;

    (void)state;
    /* StopIteration.value */
    e = callf(PyExc_StopIteration, "i", 7);
    v = PyObject_GetAttrString(e, "value");
    assert_int_equal(PyLong_AsLong(v), 7);
    Py_DECREF(v);
    Py_DECREF(e);
    e = PyObject_CallNoArgs(PyExc_StopIteration);
    v = PyObject_GetAttrString(e, "value");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    Py_DECREF(e);

    /* SystemExit.code */
    e = PyObject_CallNoArgs(PyExc_SystemExit);
    v = PyObject_GetAttrString(e, "code");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    Py_DECREF(e);
    e = callf(PyExc_SystemExit, "i", 3);
    v = PyObject_GetAttrString(e, "code");
    assert_int_equal(PyLong_AsLong(v), 3);
    Py_DECREF(v);
    Py_DECREF(e);
    e = callf(PyExc_SystemExit, "ii", 3, 4);
    v = PyObject_GetAttrString(e, "code");
    assert_true(PyTuple_Check(v));
    Py_DECREF(v);
    Py_DECREF(e);

    /* AttributeError(name=, obj=) */
    PyObject *foo = PyUnicode_FromString("foo"), *five = PyLong_FromLong(5);
    PyObject *args = build("s", "no attr"), *kw = kwargs("name", foo, "obj", five);
    Py_DECREF(foo);
    Py_DECREF(five);
    e = PyObject_Call(PyExc_AttributeError, args, kw);
    assert_non_null(e);
    v = PyObject_GetAttrString(e, "name");
    assert_string_equal(PyUnicode_AsUTF8(v), "foo");
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "obj");
    assert_int_equal(PyLong_AsLong(v), 5);
    Py_DECREF(v);
    assert_str_of(e, "no attr");
    Py_DECREF(e);
    Py_DECREF(kw);
    kw = kwargs("bogus", Py_True, NULL, NULL);
    assert_null(PyObject_Call(PyExc_AttributeError, args, kw));
    tu_assert_exc(PyExc_TypeError, "'bogus' is an invalid keyword argument for AttributeError()");
    assert_null(PyObject_Call(PyExc_ImportError, args, kw));
    tu_assert_exc(PyExc_TypeError, "'bogus' is an invalid keyword argument for ImportError()");
    Py_DECREF(kw);
    Py_DECREF(args);

    /* OSError picks the subclass from errno and drops filenames from args. */
    e = callf(PyExc_OSError, "is", ENOENT, "No such file or directory");
    assert_ptr_equal(Py_TYPE(e), PyExc_FileNotFoundError);
    assert_str_of(e, "[Errno 2] No such file or directory");
    Py_DECREF(e);
    e = callf(PyExc_OSError, "iss", EACCES, "Permission denied", "f.txt");
    assert_ptr_equal(Py_TYPE(e), PyExc_PermissionError);
    assert_str_of(e, "[Errno 13] Permission denied: 'f.txt'");
    v = PyException_GetArgs(e);
    assert_int_equal(PyTuple_GET_SIZE(v), 2);
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "filename");
    assert_string_equal(PyUnicode_AsUTF8(v), "f.txt");
    Py_DECREF(v);
    Py_DECREF(e);
    e = callf(PyExc_OSError, "issOs", EEXIST, "File exists", "a", Py_None, "b");
    assert_ptr_equal(Py_TYPE(e), PyExc_FileExistsError);
    assert_str_of(e, "[Errno 17] File exists: 'a' -> 'b'");
    Py_DECREF(e);
    e = callf(PyExc_OSError, "s", "plain");
    assert_ptr_equal(Py_TYPE(e), PyExc_OSError);
    assert_str_of(e, "plain");
    Py_DECREF(e);

    /* NameError.name */
    args = PyTuple_New(0);
    PyObject *x = PyUnicode_FromString("x");
    kw = kwargs("name", x, NULL, NULL);
    Py_DECREF(x);
    e = PyObject_Call(PyExc_NameError, args, kw);
    v = PyObject_GetAttrString(e, "name");
    assert_string_equal(PyUnicode_AsUTF8(v), "x");
    Py_DECREF(v);
    Py_DECREF(e);
    Py_DECREF(kw);
    Py_DECREF(args);
}

static void
test_unicode_errors(void **state)
{
    PyObject *e, *v;
    Py_ssize_t n;

    (void)state;
    e = PyUnicodeDecodeError_Create("utf-8", "\xff", 1, 0, 1, "invalid start byte");
    assert_non_null(e);
    assert_str_of(e, "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    assert_int_equal(PyUnicodeDecodeError_GetStart(e, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(PyUnicodeDecodeError_GetEnd(e, &n), 0);
    assert_int_equal(n, 1);
    v = PyUnicodeDecodeError_GetEncoding(e);
    assert_string_equal(PyUnicode_AsUTF8(v), "utf-8");
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "reason");
    assert_string_equal(PyUnicode_AsUTF8(v), "invalid start byte");
    Py_DECREF(v);
    Py_DECREF(e);

    e = PyUnicodeDecodeError_Create("ascii", "ab\x80\x81", 4, 2, 4, "ordinal not in range(128)");
    assert_str_of(e, "'ascii' codec can't decode bytes in position 2-3: ordinal not in range(128)");
    Py_DECREF(e);
    assert_null(PyUnicodeDecodeError_GetEncoding(Py_None));
    tu_assert_exc(PyExc_TypeError, NULL);

    e = callf(PyExc_UnicodeEncodeError, "ssnns", "ascii", "a\xc3\xa9", (Py_ssize_t)1,
                              (Py_ssize_t)2, "ordinal not in range(128)");
    assert_non_null(e);
    assert_str_of(e, "'ascii' codec can't encode character '\\xe9' in position 1: ordinal not in range(128)");
    Py_DECREF(e);
    e = callf(PyExc_UnicodeEncodeError, "ssnns", "ascii", "\xe2\x82\xac", (Py_ssize_t)0,
                              (Py_ssize_t)1, "r");
    assert_str_of(e, "'ascii' codec can't encode character '\\u20ac' in position 0: r");
    Py_DECREF(e);
    e = callf(PyExc_UnicodeEncodeError, "ssnns", "latin-1", "abc", (Py_ssize_t)0,
                              (Py_ssize_t)3, "r");
    assert_str_of(e, "'latin-1' codec can't encode characters in position 0-2: r");
    Py_DECREF(e);
    e = callf(PyExc_UnicodeTranslateError, "snns", "\xf0\x9f\x98\x80", (Py_ssize_t)0,
                              (Py_ssize_t)1, "r");
    assert_str_of(e, "can't translate character '\\U0001f600' in position 0: r");
    Py_DECREF(e);
    assert_null(callf(PyExc_UnicodeDecodeError, "ss", "a", "b"));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 5 arguments (2 given)");
    assert_null(callf(PyExc_UnicodeDecodeError, "ssnns", "a", "b",
                                      (Py_ssize_t)0, (Py_ssize_t)1, "r"));
    tu_assert_exc(PyExc_TypeError, "argument 2 must be bytes, not str");
}

/* ------------------------------------------------------- the indicator */

static void
test_set_and_occurred(void **state)
{
    PyObject *e;

    (void)state;
    assert_null(PyErr_Occurred());
    PyErr_SetString(PyExc_ValueError, "bad value");
    assert_ptr_equal(PyErr_Occurred(), PyExc_ValueError);
    assert_true(PyErr_ExceptionMatches(PyExc_Exception));
    tu_assert_exc(PyExc_ValueError, "bad value");

    PyErr_SetNone(PyExc_KeyboardInterrupt);
    tu_assert_exc(PyExc_KeyboardInterrupt, "");

    /* SetObject with a value: instantiates, or uses an instance as is. */
    PyObject *v = PyLong_FromLong(42);
    PyErr_SetObject(PyExc_KeyError, v);
    e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_KeyError);
    assert_str_of(e, "42");
    Py_DECREF(v);
    PyErr_SetObject(PyExc_LookupError, e);   /* subclass instance: kept */
    v = PyErr_GetRaisedException();
    assert_ptr_equal(v, e);
    Py_DECREF(v);
    PyObject *tup = build("si", "a", 2);
    PyErr_SetObject(PyExc_ValueError, tup);   /* tuple: spread */
    Py_DECREF(tup);
    tu_assert_exc(PyExc_ValueError, "('a', 2)");
    PyErr_SetObject(PyExc_ValueError, e);   /* instance of another class: wrapped */
    tu_assert_exc(PyExc_ValueError, "42");
    Py_DECREF(e);

    PyObject *s = PyUnicode_FromString("x");
    PyErr_SetObject(s, NULL);
    tu_assert_exc(PyExc_SystemError,
                  "_PyErr_SetObject: exception 'x' is not a BaseException subclass");
    Py_DECREF(s);

    assert_int_equal(PyErr_BadArgument(), 0);
    tu_assert_exc(PyExc_TypeError, "bad argument type for built-in operation");
    _PyErr_BadInternalCall("file.c", 12);
    tu_assert_exc(PyExc_SystemError, "file.c:12: bad argument to internal function");
    (PyErr_BadInternalCall)();
    tu_assert_exc(PyExc_SystemError, "bad argument to internal function");
    assert_int_equal(PyErr_CheckSignals(), 0);
    PyErr_SetInterrupt();
    assert_null(PyErr_Occurred());
}

static void
test_fetch_restore(void **state)
{
    PyObject *t, *v, *tb, *e;

    (void)state;
    PyErr_Fetch(&t, &v, &tb);
    assert_null(t);
    assert_null(v);
    assert_null(tb);

    PyErr_SetString(PyExc_IndexError, "out");
    PyErr_Fetch(&t, &v, &tb);
    assert_null(PyErr_Occurred());
    assert_ptr_equal(t, PyExc_IndexError);
    assert_ptr_equal(Py_TYPE(v), PyExc_IndexError);
    assert_null(tb);
    e = v;
    Py_INCREF(e);
    PyErr_Restore(t, v, tb);
    assert_ptr_equal(PyErr_Occurred(), PyExc_IndexError);
    v = PyErr_GetRaisedException();
    assert_ptr_equal(v, e);   /* the same instance went round */
    Py_DECREF(v);
    Py_DECREF(e);

    /* Unnormalized: (type, str) is instantiated on restore. */
    PyErr_Restore(Py_NewRef(PyExc_ValueError), PyUnicode_FromString("later"), NULL);
    tu_assert_exc(PyExc_ValueError, "later");
    PyErr_Restore(Py_NewRef(PyExc_ValueError), NULL, NULL);
    tu_assert_exc(PyExc_ValueError, "");
    /* Restore(NULL) clears. */
    PyErr_SetString(PyExc_ValueError, "x");
    PyErr_Restore(NULL, NULL, NULL);
    assert_null(PyErr_Occurred());

    /* NormalizeException */
    t = Py_NewRef(PyExc_LookupError);
    v = PyUnicode_FromString("k");
    tb = NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    assert_ptr_equal(t, PyExc_LookupError);
    assert_ptr_equal(Py_TYPE(v), PyExc_LookupError);
    assert_str_of(v, "k");
    Py_DECREF(t);
    t = Py_NewRef(PyExc_Exception);   /* an instance of a subclass: class updated */
    PyErr_NormalizeException(&t, &v, &tb);
    assert_ptr_equal(t, PyExc_LookupError);
    Py_DECREF(t);
    Py_DECREF(v);
    /* A constructor failure replaces the triple. */
    t = Py_NewRef(PyExc_UnicodeDecodeError);
    v = PyUnicode_FromString("k");
    PyErr_NormalizeException(&t, &v, &tb);
    assert_ptr_equal(t, PyExc_TypeError);
    assert_str_of(v, "function takes exactly 5 arguments (1 given)");
    Py_DECREF(t);
    Py_DECREF(v);
    assert_null(PyErr_Occurred());
}

static void
test_raised_and_handled(void **state)
{
    PyObject *e, *h, *t, *v, *tb;

    (void)state;
    assert_null(PyErr_GetRaisedException());
    e = make_exc(PyExc_RuntimeError, "r");
    PyErr_SetRaisedException(Py_NewRef(e));
    assert_ptr_equal(PyErr_Occurred(), PyExc_RuntimeError);
    PyErr_SetRaisedException(NULL);
    assert_null(PyErr_Occurred());

    assert_null(PyErr_GetHandledException());
    PyErr_SetHandledException(e);
    h = PyErr_GetHandledException();
    assert_ptr_equal(h, e);
    Py_DECREF(h);
    PyErr_GetExcInfo(&t, &v, &tb);
    assert_ptr_equal(t, PyExc_RuntimeError);
    assert_ptr_equal(v, e);
    assert_null(tb);
    /* SetExcInfo steals: hand the same references back. */
    PyErr_SetExcInfo(t, v, tb);
    h = PyErr_GetHandledException();
    assert_ptr_equal(h, e);
    Py_DECREF(h);

    /* A new exception raised while 'e' is handled gets it as __context__. */
    PyErr_SetString(PyExc_TypeError, "inner");
    v = PyErr_GetRaisedException();
    h = PyException_GetContext(v);
    assert_ptr_equal(h, e);
    Py_DECREF(h);
    Py_DECREF(v);

    /* No cycle: raising the handled exception's own context cuts the link. */
    PyObject *b = make_exc(PyExc_KeyError, "b");
    PyException_SetContext(e, Py_NewRef(b));
    PyErr_SetObject(PyExc_KeyError, b);
    v = PyErr_GetRaisedException();
    assert_ptr_equal(v, b);
    h = PyException_GetContext(b);
    assert_ptr_equal(h, e);
    Py_DECREF(h);
    assert_null(PyException_GetContext(e));
    Py_DECREF(v);
    /* Break the b -> e reference so both are freed. */
    PyException_SetContext(b, NULL);
    Py_DECREF(b);

    PyErr_SetHandledException(Py_None);
    assert_null(PyErr_GetHandledException());
    PyErr_SetString(PyExc_TypeError, "no context");
    v = PyErr_GetRaisedException();
    assert_null(PyException_GetContext(v));
    Py_DECREF(v);
    Py_DECREF(e);
}

static void
test_matches(void **state)
{
    PyObject *inst, *tup, *nested;

    (void)state;
    inst = make_exc(PyExc_KeyError, "k");
    tup = PyTuple_Pack(2, PyExc_TypeError, PyExc_LookupError);
    nested = PyTuple_Pack(2, PyExc_OSError, tup);
    assert_true(PyErr_GivenExceptionMatches(PyExc_KeyError, PyExc_KeyError));
    assert_true(PyErr_GivenExceptionMatches(PyExc_KeyError, PyExc_LookupError));
    assert_false(PyErr_GivenExceptionMatches(PyExc_LookupError, PyExc_KeyError));
    assert_true(PyErr_GivenExceptionMatches(inst, PyExc_Exception));
    assert_true(PyErr_GivenExceptionMatches(inst, tup));
    assert_true(PyErr_GivenExceptionMatches(inst, nested));
    assert_false(PyErr_GivenExceptionMatches(PyExc_ValueError, nested));
    assert_false(PyErr_GivenExceptionMatches(NULL, PyExc_Exception));
    assert_false(PyErr_GivenExceptionMatches(PyExc_Exception, NULL));
    assert_true(PyErr_GivenExceptionMatches(Py_None, Py_None));
    assert_false(PyErr_ExceptionMatches(PyExc_Exception));   /* nothing set */
    PyErr_SetString(PyExc_IndexError, "i");
    assert_true(PyErr_ExceptionMatches(tup));
    assert_false(PyErr_ExceptionMatches(PyExc_KeyError));
    PyErr_Clear();
    Py_DECREF(nested);
    Py_DECREF(tup);
    Py_DECREF(inst);
}

static void
test_format(void **state)
{
    PyObject *o = PyUnicode_FromString("obj");

    (void)state;
    assert_null(PyErr_Format(PyExc_ValueError, "%s|%d|%i|%ld|%zd|%u|%x|%c|%%|%R|%S|%U",
                             "s", -1, 2, 3L, (Py_ssize_t)-4, 5u, 255, 'c', o, o, o));
    tu_assert_exc(PyExc_ValueError, "s|-1|2|3|-4|5|ff|c|%|'obj'|obj|obj");
    /* Format replaces a pending exception (and does not chain it). */
    PyErr_SetString(PyExc_KeyError, "old");
    PyErr_Format(PyExc_TypeError, "new %d", 1);
    PyObject *e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_TypeError);
    assert_null(PyException_GetContext(e));
    Py_DECREF(e);
    Py_DECREF(o);

    /* err_format_from_cause: the pending exception becomes __cause__. */
    PyErr_SetString(PyExc_KeyError, "inner");
    assert_null(err_format_from_cause(PyExc_SystemError, "initialization of %s failed", "spam"));
    e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_SystemError);
    assert_str_of(e, "initialization of spam failed");
    PyObject *c = PyException_GetCause(e);
    assert_ptr_equal(Py_TYPE(c), PyExc_KeyError);
    Py_DECREF(c);
    Py_DECREF(e);
}

static void
test_errno_and_import_errors(void **state)
{
    PyObject *e, *v, *msg, *name, *path;

    (void)state;
    errno = ENOENT;
    assert_null(PyErr_SetFromErrno(PyExc_OSError));
    tu_assert_exc(PyExc_FileNotFoundError, "[Errno 2] No such file or directory");
    errno = ENOENT;
    assert_null(PyErr_SetFromErrnoWithFilename(PyExc_OSError, "missing.txt"));
    tu_assert_exc(PyExc_FileNotFoundError, "[Errno 2] No such file or directory: 'missing.txt'");
    errno = 0;
    PyErr_SetFromErrno(PyExc_OSError);
    tu_assert_exc(PyExc_OSError, "[Errno 0] Error");

    msg = PyUnicode_FromString("No module named 'spam'");
    name = PyUnicode_FromString("spam");
    path = PyUnicode_FromString("/x/spam.so");
    assert_null(PyErr_SetImportError(msg, name, path));
    e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_ImportError);
    assert_str_of(e, "No module named 'spam'");
    assert_repr_of(e, "ImportError(\"No module named 'spam'\", name='spam', path='/x/spam.so')");
    v = PyObject_GetAttrString(e, "name");
    assert_ptr_equal(v, name);
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "path");
    assert_ptr_equal(v, path);
    Py_DECREF(v);
    v = PyObject_GetAttrString(e, "msg");
    assert_ptr_equal(v, msg);
    Py_DECREF(v);
    Py_DECREF(e);

    assert_null(PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL));
    e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_ModuleNotFoundError);
    v = PyObject_GetAttrString(e, "path");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    assert_repr_of(e, "ModuleNotFoundError(\"No module named 'spam'\", name='spam', path=None)");
    Py_DECREF(e);

    assert_null(PyErr_SetImportErrorSubclass(PyExc_ValueError, msg, name, path));
    tu_assert_exc(PyExc_TypeError, "expected a subclass of ImportError");
    assert_null(PyErr_SetImportError(NULL, name, path));
    tu_assert_exc(PyExc_TypeError, "expected a message argument");

    /* ImportError with no keywords: repr like any exception; msg None. */
    e = make_exc(PyExc_ImportError, "plain");
    assert_repr_of(e, "ImportError('plain')");
    Py_DECREF(e);
    e = PyObject_CallNoArgs(PyExc_ImportError);
    v = PyObject_GetAttrString(e, "msg");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    Py_DECREF(e);
    Py_DECREF(msg);
    Py_DECREF(name);
    Py_DECREF(path);
}

/* ------------------------------------------------------------ NoMemory */

static void
test_no_memory(void **state)
{
    PyObject *e;

    (void)state;
    assert_null(PyErr_NoMemory());
    e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_MemoryError);
    assert_ptr_not_equal(e, exc_nomem_static());   /* memory allowed a fresh one */
    Py_DECREF(e);

    pymodrt_mem_fail_nth(1);
    assert_null(PyErr_NoMemory());
    pymodrt_mem_fail_nth(0);
    e = PyErr_GetRaisedException();
    assert_ptr_equal(Py_TYPE(e), PyExc_MemoryError);
    assert_ptr_equal(e, exc_nomem_static());
    assert_str_of(e, "");
    assert_repr_of(e, "MemoryError()");
    Py_DECREF(e);

    /* Every allocation failing: still a MemoryError, never a crash. */
    pymodrt_mem_fail_rate(1.0, 1);
    PyErr_NoMemory();
    PyErr_SetString(PyExc_ValueError, "x");   /* the str fails: MemoryError */
    pymodrt_mem_fail_rate(0.0, 0);
    tu_assert_exc(PyExc_MemoryError, NULL);

    /* A raised static MemoryError does not take a handled exception as its
     * context (it is shared). */
    PyObject *h = make_exc(PyExc_ValueError, "h");
    PyErr_SetHandledException(h);
    PyErr_SetObject(PyExc_MemoryError, exc_nomem_static());
    PyErr_SetHandledException(NULL);
    e = PyErr_GetRaisedException();
    assert_null(PyException_GetContext(e));
    Py_DECREF(e);
    Py_DECREF(h);
}

/* -------------------------------------------------------- NewException */

static void
test_new_exception(void **state)
{
    PyObject *cls, *cls2, *v, *e, *tup;

    (void)state;
    cls = PyErr_NewException("spam.error", NULL, NULL);
    assert_non_null(cls);
    assert_true(PyExceptionClass_Check(cls));
    assert_true(((PyTypeObject *)cls)->tp_flags & Py_TPFLAGS_HEAPTYPE);
    assert_string_equal(PyExceptionClass_Name(cls), "error");
    assert_ptr_equal(((PyTypeObject *)cls)->tp_base, PyExc_Exception);
    v = PyObject_GetAttrString(cls, "__module__");
    assert_string_equal(PyUnicode_AsUTF8(v), "spam");
    Py_DECREF(v);
    assert_repr_of(cls, "<class 'spam.error'>");

    PyErr_SetString(cls, "boom");
    assert_true(PyErr_ExceptionMatches(PyExc_Exception));
    e = PyErr_GetRaisedException();
    assert_repr_of(e, "error('boom')");
    assert_str_of(e, "boom");
    Py_DECREF(e);

    /* Subclass of a heap exception, with doc and dict; dotted package. */
    PyObject *ft = PyLong_FromLong(42), *dict = kwargs("answer", ft, NULL, NULL);
    Py_DECREF(ft);
    cls2 = PyErr_NewExceptionWithDoc("pkg.sub.Special", "Special doc.", cls, dict);
    Py_DECREF(dict);
    assert_non_null(cls2);
    assert_true(PyType_IsSubtype((PyTypeObject *)cls2, (PyTypeObject *)cls));
    v = PyObject_GetAttrString(cls2, "__module__");
    assert_string_equal(PyUnicode_AsUTF8(v), "pkg.sub");
    Py_DECREF(v);
    v = PyObject_GetAttrString(cls2, "__doc__");
    assert_string_equal(PyUnicode_AsUTF8(v), "Special doc.");
    Py_DECREF(v);
    v = PyObject_GetAttrString(cls2, "answer");
    assert_int_equal(PyLong_AsLong(v), 42);
    Py_DECREF(v);
    e = make_exc(cls2, "s");
    assert_true(PyErr_GivenExceptionMatches(e, cls));
    Py_DECREF(e);

    /* A tuple of bases. */
    tup = PyTuple_Pack(1, PyExc_ValueError);
    PyObject *cls3 = PyErr_NewException("m.E3", tup, NULL);
    Py_DECREF(tup);
    assert_non_null(cls3);
    assert_true(PyType_IsSubtype((PyTypeObject *)cls3, (PyTypeObject *)PyExc_ValueError));
    Py_DECREF(cls3);

    assert_null(PyErr_NewException("nodot", NULL, NULL));
    tu_assert_exc(PyExc_SystemError, "PyErr_NewException: name must be module.class");
    assert_null(PyErr_NewException("m.bad", Py_None, NULL));
    tu_assert_exc(PyExc_TypeError, NULL);

    Py_DECREF(cls2);
    Py_DECREF(cls);
}

/* ------------------------------------------------------------ printing */

static void
test_print(void **state)
{
    const char *out;
    PyObject *cls, *e, *c;

    (void)state;
    cap_begin();
    PyErr_SetString(PyExc_ValueError, "boom");
    PyErr_Print();
    out = cap_end();
    assert_string_equal(out, "ValueError: boom\n");
    assert_null(PyErr_Occurred());

    cap_begin();
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    PyErr_PrintEx(0);
    PyErr_Print();   /* nothing pending: prints nothing */
    out = cap_end();
    assert_string_equal(out, "KeyboardInterrupt\n");

    /* Module-qualified names for non-builtins. */
    cls = PyErr_NewException("spam.error", NULL, NULL);
    cap_begin();
    PyErr_SetString(cls, "msg");
    PyErr_Print();
    out = cap_end();
    assert_string_equal(out, "spam.error: msg\n");

    /* A cause chain, oldest first. */
    c = make_exc(PyExc_KeyError, "k");
    e = make_exc(PyExc_RuntimeError, "outer");
    PyException_SetCause(e, Py_NewRef(c));
    PyObject *root = make_exc(cls, "root");
    PyException_SetContext(c, root);
    cap_begin();
    PyErr_SetRaisedException(e);
    PyErr_Print();
    out = cap_end();
    assert_string_equal(out,
        "spam.error: root\n"
        "\nDuring handling of the above exception, another exception occurred:\n\n"
        "KeyError: 'k'\n"
        "\nThe above exception was the direct cause of the following exception:\n\n"
        "RuntimeError: outer\n");

    /* __suppress_context__ hides the context; notes follow the message. */
    e = make_exc(PyExc_TypeError, "t");
    PyException_SetContext(e, Py_NewRef(c));
    assert_int_equal(PyObject_SetAttrString(e, "__suppress_context__", Py_True), 0);
    Py_DECREF(callm(e, "add_note", "s", "a note"));
    cap_begin();
    PyErr_DisplayException(e);
    PyErr_Display(NULL, e, NULL);
    out = cap_end();
    assert_string_equal(out, "TypeError: t\na note\nTypeError: t\na note\n");
    Py_DECREF(e);

    /* A context cycle terminates. */
    e = make_exc(PyExc_ValueError, "a");
    PyObject *b = make_exc(PyExc_ValueError, "b");
    PyException_SetContext(e, Py_NewRef(b));
    PyException_SetContext(b, Py_NewRef(e));
    cap_begin();
    PyErr_DisplayException(e);
    out = cap_end();
    assert_string_equal(out,
        "ValueError: b\n"
        "\nDuring handling of the above exception, another exception occurred:\n\n"
        "ValueError: a\n");
    PyException_SetContext(b, NULL);
    Py_DECREF(b);
    Py_DECREF(e);
    Py_DECREF(c);

    /* Unraisable. */
    PyObject *obj = PyUnicode_FromString("where");
    cap_begin();
    PyErr_SetString(PyExc_ValueError, "x");
    PyErr_WriteUnraisable(obj);
    PyErr_SetString(PyExc_ValueError, "y");
    PyErr_FormatUnraisable("Exception ignored while %s", "closing");
    PyErr_WriteUnraisable(obj);   /* nothing pending: nothing */
    out = cap_end();
    assert_string_equal(out,
        "Exception ignored in: 'where'\nValueError: x\n"
        "Exception ignored while closing:\nValueError: y\n");
    assert_null(PyErr_Occurred());
    Py_DECREF(obj);
    Py_DECREF(cls);
}

static int
run_child(void (*fn)(void), const char *expect_out, int expect_status, int expect_signal)
{
    int fds[2], status;
    char buf[4096];
    ssize_t n, total = 0;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(99);
    }
    close(fds[1]);
    while ((n = read(fds[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
        total += n;
    buf[total] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (strcmp(buf, expect_out) != 0)
        fail_msg("child wrote '%s', expected '%s'", buf, expect_out);
    if (expect_signal) {
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), expect_signal);
    } else {
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), expect_status);
    }
    return 0;
}

static void
child_fatal(void)
{
    Py_FatalError("something broke");
}

static void
child_exit_code(void)
{
    PyObject *e = callf(PyExc_SystemExit, "i", 7);
    PyErr_SetRaisedException(e);
    PyErr_Print();
}

static void
child_exit_str(void)
{
    PyErr_SetString(PyExc_SystemExit, "bye");
    PyErr_Print();
}

static void
test_fatal_and_exit(void **state)
{
    (void)state;
    run_child(child_fatal, "Fatal Python error: child_fatal: something broke\n", 0, SIGABRT);
    run_child(child_exit_code, "", 7, 0);
    run_child(child_exit_str, "bye\n", 1, 0);
}

/* ------------------------------------------------------------ warnings */

static void
test_warnings(void **state)
{
    const char *out;

    (void)state;
    cap_begin();
    assert_int_equal(PyErr_WarnEx(PyExc_RuntimeWarning, "once only", 1), 0);
    assert_int_equal(PyErr_WarnEx(PyExc_RuntimeWarning, "once only", 1), 0);
    assert_int_equal(PyErr_WarnEx(PyExc_UserWarning, "once only", 1), 0);
    assert_int_equal(PyErr_WarnFormat(PyExc_UserWarning, 1, "n=%d", 5), 0);
    assert_int_equal(PyErr_WarnEx(NULL, "no category", 1), 0);
    /* Ignored by CPython's default filters. */
    assert_int_equal(PyErr_WarnEx(PyExc_DeprecationWarning, "old api", 1), 0);
    assert_int_equal(PyErr_WarnEx(PyExc_PendingDeprecationWarning, "old api", 1), 0);
    assert_int_equal(PyErr_WarnEx(PyExc_ImportWarning, "imp", 1), 0);
    assert_int_equal(PyErr_ResourceWarning(Py_None, 1, "leak %s", "x"), 0);
    /* Explicit locations; DeprecationWarning shows from __main__. */
    assert_int_equal(PyErr_WarnExplicit(PyExc_DeprecationWarning, "dep", "f.c", 12, "__main__", NULL), 0);
    assert_int_equal(PyErr_WarnExplicit(PyExc_SyntaxWarning, "syn", "g.c", 3, "mod", NULL), 0);
    assert_int_equal(PyErr_WarnExplicit(PyExc_SyntaxWarning, "syn", "g.c", 4, "mod", NULL), 0);
    out = cap_end();
    assert_string_equal(out,
        "<sys>:0: RuntimeWarning: once only\n"
        "<sys>:0: UserWarning: once only\n"
        "<sys>:0: UserWarning: n=5\n"
        "<sys>:0: RuntimeWarning: no category\n"
        "f.c:12: DeprecationWarning: dep\n"
        "g.c:3: SyntaxWarning: syn\n"
        "g.c:4: SyntaxWarning: syn\n");
    assert_null(PyErr_Occurred());

    assert_int_equal(PyErr_WarnEx(PyExc_ValueError, "x", 1), -1);
    tu_assert_exc(PyExc_TypeError, "category must be a Warning subclass, not 'type'");
    assert_int_equal(PyErr_WarnEx(Py_None, "x", 1), -1);
    tu_assert_exc(PyExc_TypeError, "category must be a Warning subclass, not 'NoneType'");

    /* Warnings as errors (warnoptions "error"). */
    rt_runtime.warnings_error = 1;
    cap_begin();
    assert_int_equal(PyErr_WarnEx(PyExc_RuntimeWarning, "fatal now", 1), -1);
    tu_assert_exc(PyExc_RuntimeWarning, "fatal now");
    assert_int_equal(PyErr_WarnEx(PyExc_DeprecationWarning, "dep too", 1), -1);
    tu_assert_exc(PyExc_DeprecationWarning, "dep too");
    assert_int_equal(PyErr_WarnFormat(PyExc_UserWarning, 1, "v%d", 2), -1);
    tu_assert_exc(PyExc_UserWarning, "v2");
    out = cap_end();
    rt_runtime.warnings_error = 0;
    assert_string_equal(out, "");
}

/* ------------------------------------------------ allocation failures */

static int
op_set_string(void *ctx)
{
    (void)ctx;
    PyErr_SetString(PyExc_ValueError, "some message");
    if (PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

static int
op_format(void *ctx)
{
    PyObject *o = ctx;

    PyErr_Format(PyExc_KeyError, "key %R of %s at %d", o, "table", 3);
    if (PyErr_ExceptionMatches(PyExc_KeyError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

static int
op_new_exception(void *ctx)
{
    PyObject *cls = PyErr_NewExceptionWithDoc("spam.error", "doc", NULL, NULL);

    (void)ctx;
    if (cls == NULL)
        return -1;
    Py_DECREF(cls);
    return 0;
}

static int
op_chained_raise(void *ctx)
{
    PyObject *h = ctx;

    PyErr_SetHandledException(h);
    PyErr_SetString(PyExc_TypeError, "inner");
    PyErr_SetHandledException(NULL);
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

static int
op_import_error(void *ctx)
{
    PyObject *msg = ctx;

    PyErr_SetImportError(msg, msg, NULL);
    if (PyErr_ExceptionMatches(PyExc_ImportError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

static int
op_warn_error(void *ctx)
{
    (void)ctx;
    rt_runtime.warnings_error = 1;
    int rc = PyErr_WarnEx(PyExc_UserWarning, "w", 1);
    rt_runtime.warnings_error = 0;
    if (rc < 0 && PyErr_ExceptionMatches(PyExc_UserWarning)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

static void
test_alloc_failures(void **state)
{
    PyObject *o = PyUnicode_FromString("k"), *h = make_exc(PyExc_ValueError, "h");

    (void)state;
    assert_true(tu_alloc_failure_sweep(op_set_string, NULL, NULL, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_format, NULL, o, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_new_exception, NULL, NULL, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_chained_raise, NULL, h, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_import_error, NULL, o, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_warn_error, NULL, NULL, PyExc_MemoryError) > 0);
    Py_DECREF(h);
    Py_DECREF(o);
}

/* -------------------------------------------------------------- threads */

#define NTHREADS 8
#define NROUNDS 2000

static PyObject *shared_exc;

static void *
raiser(void *arg)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *mine = make_exc(PyExc_KeyError, "mine");

    (void)arg;
    for (int i = 0; i < NROUNDS; i++) {
        /* Every thread raises the same instance while handling its own:
         * __context__ of the shared exception is written concurrently. */
        PyErr_SetHandledException(mine);
        PyErr_SetObject(PyExc_ValueError, shared_exc);
        PyErr_SetHandledException(NULL);
        PyObject *e = PyErr_GetRaisedException();
        PyObject *ctx = PyException_GetContext(e);
        assert_non_null(ctx);
        assert_ptr_equal(Py_TYPE(ctx), PyExc_KeyError);
        Py_DECREF(ctx);
        PyObject *s = PyObject_Str(e);
        Py_DECREF(s);
        Py_DECREF(e);
        if (i % 100 == 0)
            PyErr_WarnEx(PyExc_RuntimeWarning, "threaded warning", 1);
    }
    Py_DECREF(mine);
    PyGILState_Release(g);
    return NULL;
}

static void
test_threads(void **state)
{
    pthread_t th[NTHREADS];

    (void)state;
    shared_exc = make_exc(PyExc_ValueError, "shared");
    cap_begin();
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, raiser, NULL), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    const char *out = cap_end();
    assert_string_equal(out, "<sys>:0: RuntimeWarning: threaded warning\n");
    PyException_SetContext(shared_exc, NULL);
    Py_CLEAR(shared_exc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hierarchy),
        cmocka_unit_test(test_str_repr),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_special_classes),
        cmocka_unit_test(test_unicode_errors),
        cmocka_unit_test(test_set_and_occurred),
        cmocka_unit_test(test_fetch_restore),
        cmocka_unit_test(test_raised_and_handled),
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_errno_and_import_errors),
        cmocka_unit_test(test_no_memory),
        cmocka_unit_test(test_new_exception),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_fatal_and_exit),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, tu_runtime_up, tu_runtime_down);
}
