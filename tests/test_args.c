/* test_args.c: PyArg_* parsing, Py_BuildValue, PyObject_CallFunction/CallMethod.  ctest-labels: unit */
#include "testutil.h"

#include <float.h>
#include <limits.h>

/* ------------------------------------------------------------ helpers */

/* A tuple of the given values, built without Py_BuildValue so the parse
 * tests do not depend on it. */
static PyObject *
tup(Py_ssize_t n, ...)
{
    va_list va;
    PyObject *t = PyTuple_New(n);

    assert_non_null(t);
    va_start(va, n);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = va_arg(va, PyObject *);   /* stolen */
        assert_non_null(o);
        PyTuple_SET_ITEM(t, i, o);
    }
    va_end(va);
    return t;
}

static PyObject *
I(long long v)
{
    PyObject *o = PyLong_FromLongLong(v);
    assert_non_null(o);
    return o;
}

static PyObject *
U(unsigned long long v)
{
    PyObject *o = PyLong_FromUnsignedLongLong(v);
    assert_non_null(o);
    return o;
}

static PyObject *
S(const char *s)
{
    PyObject *o = PyUnicode_FromString(s);
    assert_non_null(o);
    return o;
}

static PyObject *
B(const char *s, Py_ssize_t n)
{
    PyObject *o = PyBytes_FromStringAndSize(s, n);
    assert_non_null(o);
    return o;
}

/* A one-argument tuple holding 'o' (stolen). */
static PyObject *
one(PyObject *o)
{
    return tup(1, o);
}

/* A dict from NULL-terminated (const char *key, PyObject *value) pairs;
 * values are stolen. */
static PyObject *
kw(const char *key, ...)
{
    va_list va;
    PyObject *d = PyDict_New();

    assert_non_null(d);
    va_start(va, key);
    while (key != NULL) {
        PyObject *v = va_arg(va, PyObject *);
        assert_int_equal(PyDict_SetItemString(d, key, v), 0);
        Py_DECREF(v);
        key = va_arg(va, const char *);
    }
    va_end(va);
    return d;
}

static long long
as_ll(PyObject *o)
{
    long long v = PyLong_AsLongLong(o);
    tu_assert_no_exc();
    return v;
}

/* ------------------------------------------------------ integer units */

static void
test_parse_int_units(void **state)
{
    (void)state;
    unsigned char b = 7;
    unsigned short H;
    short h;
    int i;
    unsigned int ui;
    long l;
    unsigned long k;
    long long L;
    unsigned long long K;
    Py_ssize_t n;
    PyObject *a;

    /* b: unsigned char, range-checked */
    a = tup(2, I(0), I(255));
    unsigned char b2;
    assert_true(PyArg_ParseTuple(a, "bb", &b, &b2));
    assert_int_equal(b, 0);
    assert_int_equal(b2, 255);
    Py_DECREF(a);
    a = one(I(-1));
    assert_false(PyArg_ParseTuple(a, "b", &b));
    tu_assert_exc(PyExc_OverflowError, "unsigned byte integer is less than minimum");
    Py_DECREF(a);
    a = one(I(256));
    assert_false(PyArg_ParseTuple(a, "b", &b));
    tu_assert_exc(PyExc_OverflowError, "unsigned byte integer is greater than maximum");
    Py_DECREF(a);

    /* B: truncated, no range check */
    unsigned char B1, B2;
    a = tup(2, I(-1), I(256 + 42));
    assert_true(PyArg_ParseTuple(a, "BB", &B1, &B2));
    assert_int_equal(B1, 255);
    assert_int_equal(B2, 42);
    Py_DECREF(a);

    /* h: short, range-checked */
    short h2;
    a = tup(2, I(SHRT_MIN), I(SHRT_MAX));
    assert_true(PyArg_ParseTuple(a, "hh", &h, &h2));
    assert_int_equal(h, SHRT_MIN);
    assert_int_equal(h2, SHRT_MAX);
    Py_DECREF(a);
    a = one(I(SHRT_MIN - 1));
    assert_false(PyArg_ParseTuple(a, "h", &h));
    tu_assert_exc(PyExc_OverflowError, "signed short integer is less than minimum");
    Py_DECREF(a);
    a = one(I(SHRT_MAX + 1));
    assert_false(PyArg_ParseTuple(a, "h", &h));
    tu_assert_exc(PyExc_OverflowError, "signed short integer is greater than maximum");
    Py_DECREF(a);

    /* H: truncated */
    unsigned short H2;
    a = tup(2, I(-1), I(USHRT_MAX + 1));
    assert_true(PyArg_ParseTuple(a, "HH", &H, &H2));
    assert_int_equal(H, USHRT_MAX);
    assert_int_equal(H2, 0);
    Py_DECREF(a);

    /* i: int, range-checked */
    int i2;
    a = tup(2, I(INT_MIN), I(INT_MAX));
    assert_true(PyArg_ParseTuple(a, "ii", &i, &i2));
    assert_int_equal(i, INT_MIN);
    assert_int_equal(i2, INT_MAX);
    Py_DECREF(a);
    a = one(I((long long)INT_MAX + 1));
    assert_false(PyArg_ParseTuple(a, "i", &i));
    tu_assert_exc(PyExc_OverflowError, "signed integer is greater than maximum");
    Py_DECREF(a);
    a = one(I((long long)INT_MIN - 1));
    assert_false(PyArg_ParseTuple(a, "i", &i));
    tu_assert_exc(PyExc_OverflowError, "signed integer is less than minimum");
    Py_DECREF(a);
    a = one(S("12"));
    assert_false(PyArg_ParseTuple(a, "i", &i));
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    Py_DECREF(a);
    a = one(PyFloat_FromDouble(1.5));
    assert_false(PyArg_ParseTuple(a, "i", &i));
    tu_assert_exc(PyExc_TypeError, "'float' object cannot be interpreted as an integer");
    Py_DECREF(a);

    /* I: truncated */
    unsigned int ui2;
    a = tup(2, I(-1), U((unsigned long long)UINT_MAX + 3));
    assert_true(PyArg_ParseTuple(a, "II", &ui, &ui2));
    assert_true(ui == UINT_MAX);
    assert_int_equal(ui2, 2);
    Py_DECREF(a);

    /* l: long, the int protocol's range check */
    long l2;
    a = tup(2, I(LONG_MIN), I(LONG_MAX));
    assert_true(PyArg_ParseTuple(a, "ll", &l, &l2));
    assert_true(l == LONG_MIN && l2 == LONG_MAX);
    Py_DECREF(a);
    a = one(U((unsigned long long)LONG_MAX + 1));
    assert_false(PyArg_ParseTuple(a, "l", &l));
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C long");
    Py_DECREF(a);

    /* k: unsigned long bitfield, int only */
    unsigned long k2;
    a = tup(2, I(-1), U(ULONG_MAX));
    assert_true(PyArg_ParseTuple(a, "kk", &k, &k2));
    assert_true(k == ULONG_MAX && k2 == ULONG_MAX);
    Py_DECREF(a);
    a = one(S("x"));
    assert_false(PyArg_ParseTuple(a, "k", &k));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be int, not str");
    assert_false(PyArg_ParseTuple(a, "k:name", &k));
    tu_assert_exc(PyExc_TypeError, "name() argument 1 must be int, not str");
    Py_DECREF(a);
    a = one(PyFloat_FromDouble(2.0));
    assert_false(PyArg_ParseTuple(a, "k", &k));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be int, not float");
    Py_DECREF(a);

    /* L: long long */
    long long L2;
    a = tup(2, I(LLONG_MIN), I(LLONG_MAX));
    assert_true(PyArg_ParseTuple(a, "LL", &L, &L2));
    assert_true(L == LLONG_MIN && L2 == LLONG_MAX);
    Py_DECREF(a);
    a = one(U((unsigned long long)LLONG_MAX + 1));
    assert_false(PyArg_ParseTuple(a, "L", &L));
    tu_assert_exc(PyExc_OverflowError, NULL);
    Py_DECREF(a);

    /* K: unsigned long long bitfield */
    unsigned long long K2;
    a = tup(2, I(-2), U(ULLONG_MAX));
    assert_true(PyArg_ParseTuple(a, "KK", &K, &K2));
    assert_true(K == ULLONG_MAX - 1 && K2 == ULLONG_MAX);
    Py_DECREF(a);
    a = one(Py_NewRef(Py_None));
    assert_false(PyArg_ParseTuple(a, "K", &K));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be int, not None");
    Py_DECREF(a);

    /* n: Py_ssize_t through __index__ */
    Py_ssize_t n2;
    a = tup(2, I(PY_SSIZE_T_MIN), I(PY_SSIZE_T_MAX));
    assert_true(PyArg_ParseTuple(a, "nn", &n, &n2));
    assert_true(n == PY_SSIZE_T_MIN && n2 == PY_SSIZE_T_MAX);
    Py_DECREF(a);
    a = one(U((unsigned long long)PY_SSIZE_T_MAX + 1));
    assert_false(PyArg_ParseTuple(a, "n", &n));
    tu_assert_exc(PyExc_OverflowError, NULL);
    Py_DECREF(a);
    a = one(S("1"));
    assert_false(PyArg_ParseTuple(a, "n", &n));
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    Py_DECREF(a);

    /* bool is an int */
    a = one(Py_NewRef(Py_True));
    assert_true(PyArg_ParseTuple(a, "i", &i));
    assert_int_equal(i, 1);
    Py_DECREF(a);
}

/* ------------------------------------------- float, char, bool units */

static void
test_parse_float_char_bool(void **state)
{
    (void)state;
    float f;
    double d;
    char c;
    int C, p, p2, p3;
    PyObject *a;

    a = tup(2, PyFloat_FromDouble(1.5), I(3));
    assert_true(PyArg_ParseTuple(a, "fd", &f, &d));
    assert_true(f == 1.5f && d == 3.0);
    Py_DECREF(a);
    a = one(S("1.0"));
    assert_false(PyArg_ParseTuple(a, "d", &d));
    tu_assert_exc(PyExc_TypeError, "must be real number, not str");
    assert_false(PyArg_ParseTuple(a, "f", &f));
    tu_assert_exc(PyExc_TypeError, "must be real number, not str");
    Py_DECREF(a);

    a = one(B("a", 1));
    assert_true(PyArg_ParseTuple(a, "c", &c));
    assert_int_equal(c, 'a');
    Py_DECREF(a);
    a = one(B("ab", 2));
    assert_false(PyArg_ParseTuple(a, "c", &c));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be a byte string of length 1, not bytes");
    Py_DECREF(a);
    a = one(S("a"));
    assert_false(PyArg_ParseTuple(a, "c", &c));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be a byte string of length 1, not str");

    assert_true(PyArg_ParseTuple(a, "C", &C));
    assert_int_equal(C, 'a');
    Py_DECREF(a);
    a = one(S("\xe2\x82\xac"));   /* U+20AC */
    assert_true(PyArg_ParseTuple(a, "C", &C));
    assert_int_equal(C, 0x20ac);
    Py_DECREF(a);
    a = one(S("ab"));
    assert_false(PyArg_ParseTuple(a, "C", &C));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be a unicode character, not str");
    Py_DECREF(a);
    a = one(I(97));
    assert_false(PyArg_ParseTuple(a, "C", &C));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be a unicode character, not int");
    Py_DECREF(a);

    a = tup(3, PyList_New(0), I(5), Py_NewRef(Py_None));
    p = p2 = p3 = 7;
    assert_true(PyArg_ParseTuple(a, "ppp", &p, &p2, &p3));
    assert_int_equal(p, 0);
    assert_int_equal(p2, 1);
    assert_int_equal(p3, 0);
    Py_DECREF(a);
}

/* ------------------------------------------------------ string units */

/* A bytes-like test type: 'getbuffer' exposes "buf"; the "locked" variant
 * also has a release hook, which makes it unusable for s#/y/y#. */
static int buf_releases;

static int
buf_get(PyObject *self, Py_buffer *view, int flags)
{
    (void)flags;
    static char data[] = "buf";
    memset(view, 0, sizeof(*view));
    view->buf = data;
    view->len = 3;
    view->obj = Py_NewRef(self);
    view->readonly = 1;
    view->itemsize = 1;
    view->ndim = 1;
    return 0;
}

static void
buf_release(PyObject *self, Py_buffer *view)
{
    (void)self;
    (void)view;
    buf_releases++;
}

static PyBufferProcs buf_procs = {buf_get, NULL};
static PyBufferProcs locked_procs = {buf_get, buf_release};

static PyTypeObject BufType = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "test.Buf",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_as_buffer = &buf_procs,
    .tp_new = PyType_GenericNew,
};

static PyTypeObject LockedBufType = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "test.LockedBuf",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_as_buffer = &locked_procs,
    .tp_new = PyType_GenericNew,
};

static void
test_parse_string_units(void **state)
{
    (void)state;
    const char *s, *s2;
    Py_ssize_t n, n2;
    PyObject *a, *o;

    /* s: UTF-8 owned by the str, no embedded NUL */
    a = one(S("h\xc3\xa9llo"));
    assert_true(PyArg_ParseTuple(a, "s", &s));
    assert_string_equal(s, "h\xc3\xa9llo");
    assert_ptr_equal(s, PyUnicode_AsUTF8(PyTuple_GET_ITEM(a, 0)));
    Py_DECREF(a);
    a = one(PyUnicode_FromStringAndSize("a\0b", 3));
    assert_false(PyArg_ParseTuple(a, "s", &s));
    tu_assert_exc(PyExc_ValueError, "embedded null character");
    assert_false(PyArg_ParseTuple(a, "z", &s));
    tu_assert_exc(PyExc_ValueError, "embedded null character");
    /* s# and z# take it, with its length */
    assert_true(PyArg_ParseTuple(a, "s#", &s, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\0b", 3);
    assert_true(PyArg_ParseTuple(a, "z#", &s, &n));
    assert_int_equal(n, 3);
    Py_DECREF(a);
    a = one(B("xy", 2));
    assert_false(PyArg_ParseTuple(a, "s", &s));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be str, not bytes");
    assert_true(PyArg_ParseTuple(a, "s#", &s, &n));
    assert_int_equal(n, 2);
    assert_memory_equal(s, "xy", 2);
    Py_DECREF(a);
    a = one(Py_NewRef(Py_None));
    assert_false(PyArg_ParseTuple(a, "s", &s));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be str, not None");
    assert_false(PyArg_ParseTuple(a, "s#", &s, &n));
    tu_assert_exc(PyExc_TypeError, "a bytes-like object is required, not 'NoneType'");
    /* z, z#: None gives NULL */
    s = "x";
    assert_true(PyArg_ParseTuple(a, "z", &s));
    assert_null(s);
    s = "x";
    n = 5;
    assert_true(PyArg_ParseTuple(a, "z#", &s, &n));
    assert_null(s);
    assert_int_equal(n, 0);
    Py_DECREF(a);
    a = one(I(1));
    assert_false(PyArg_ParseTuple(a, "z", &s));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be str or None, not int");
    assert_false(PyArg_ParseTuple(a, "s#", &s, &n));
    tu_assert_exc(PyExc_TypeError, "a bytes-like object is required, not 'int'");
    Py_DECREF(a);

    /* y, y#: bytes only */
    a = tup(2, B("abc", 3), B("a\0c", 3));
    assert_true(PyArg_ParseTuple(a, "yy#", &s, &s2, &n2));
    assert_string_equal(s, "abc");
    assert_ptr_equal(s, PyBytes_AS_STRING(PyTuple_GET_ITEM(a, 0)));
    assert_int_equal(n2, 3);
    assert_memory_equal(s2, "a\0c", 3);
    assert_false(PyArg_ParseTuple(a, "yy", &s, &s2));
    tu_assert_exc(PyExc_ValueError, "embedded null byte");
    Py_DECREF(a);
    a = one(S("abc"));
    assert_false(PyArg_ParseTuple(a, "y", &s));
    tu_assert_exc(PyExc_TypeError, "a bytes-like object is required, not 'str'");
    assert_false(PyArg_ParseTuple(a, "y#", &s, &n));
    tu_assert_exc(PyExc_TypeError, "a bytes-like object is required, not 'str'");
    Py_DECREF(a);

    /* other bytes-like objects */
    assert_int_equal(PyType_Ready(&BufType), 0);
    assert_int_equal(PyType_Ready(&LockedBufType), 0);
    o = PyObject_CallNoArgs((PyObject *)&BufType);
    assert_non_null(o);
    a = one(o);
    assert_true(PyArg_ParseTuple(a, "y#", &s, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(s, "buf", 3);
    assert_true(PyArg_ParseTuple(a, "s#", &s, &n));
    assert_int_equal(n, 3);
    assert_true(PyArg_ParseTuple(a, "y", &s));
    assert_string_equal(s, "buf");
    assert_int_equal(Py_REFCNT(o), 1);   /* only the tuple's: every view was released */
    Py_DECREF(a);
    o = PyObject_CallNoArgs((PyObject *)&LockedBufType);
    assert_non_null(o);
    a = one(o);
    assert_false(PyArg_ParseTuple(a, "y#", &s, &n));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be read-only bytes-like object, not test.LockedBuf");
    assert_false(PyArg_ParseTuple(a, "s#:f", &s, &n));
    tu_assert_exc(PyExc_TypeError,
                  "f() argument 1 must be read-only bytes-like object, not test.LockedBuf");
    assert_int_equal(buf_releases, 0);
    Py_DECREF(a);

    /* U, S */
    PyObject *u, *bb;
    a = tup(2, S("t"), B("b", 1));
    assert_true(PyArg_ParseTuple(a, "US", &u, &bb));
    assert_ptr_equal(u, PyTuple_GET_ITEM(a, 0));
    assert_ptr_equal(bb, PyTuple_GET_ITEM(a, 1));
    assert_false(PyArg_ParseTuple(a, "SU", &bb, &u));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be bytes, not str");
    assert_false(PyArg_ParseTuple(a, "UU", &u, &u));
    tu_assert_exc(PyExc_TypeError, "argument 2 must be str, not bytes");
    Py_DECREF(a);
}

/* ------------------------------------------------- object units, O& */

static int conv_calls, conv_cleanups;

/* Accepts ints, stores a new reference to the int's double in *addr. */
static int
conv_double(PyObject *obj, void *addr)
{
    PyObject **out = addr;

    if (obj == NULL) {          /* cleanup after a later failure */
        conv_cleanups++;
        Py_CLEAR(*out);
        return 0;
    }
    conv_calls++;
    if (!PyLong_Check(obj)) {
        PyErr_SetString(PyExc_ValueError, "conv wants an int");
        return 0;
    }
    *out = PyFloat_FromDouble((double)PyLong_AsLong(obj) * 2);
    return *out == NULL ? 0 : Py_CLEANUP_SUPPORTED;
}

/* Fails without setting an exception. */
static int
conv_silent(PyObject *obj, void *addr)
{
    (void)obj;
    (void)addr;
    return 0;
}

static int
conv_plain(PyObject *obj, void *addr)
{
    *(PyObject **)addr = obj;
    return 1;
}

static void
test_parse_object_units(void **state)
{
    (void)state;
    PyObject *a, *o, *o2, *conv = NULL;
    int i;

    a = tup(2, S("x"), Py_NewRef(Py_True));
    assert_true(PyArg_ParseTuple(a, "OO!", &o, &PyLong_Type, &o2));
    assert_ptr_equal(o, PyTuple_GET_ITEM(a, 0));
    assert_ptr_equal(o2, Py_True);   /* bool is a subtype of int */
    assert_false(PyArg_ParseTuple(a, "O!O", &PyLong_Type, &o, &o2));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be int, not str");
    assert_false(PyArg_ParseTuple(a, "O!O:fn", &PyLong_Type, &o, &o2));
    tu_assert_exc(PyExc_TypeError, "fn() argument 1 must be int, not str");
    assert_false(PyArg_ParseTuple(a, "OO!", &o, &PyUnicode_Type, &o2));
    tu_assert_exc(PyExc_TypeError, "argument 2 must be str, not bool");
    Py_DECREF(a);

    /* O& success, and the converter's own exception on failure */
    a = tup(2, I(21), S("s"));
    assert_true(PyArg_ParseTuple(a, "O&O&", conv_double, &conv, conv_plain, &o));
    assert_true(PyFloat_Check(conv) && PyFloat_AS_DOUBLE(conv) == 42.0);
    assert_ptr_equal(o, PyTuple_GET_ITEM(a, 1));
    Py_CLEAR(conv);
    assert_false(PyArg_ParseTuple(a, "O&O&", conv_plain, &o, conv_double, &conv));
    tu_assert_exc(PyExc_ValueError, "conv wants an int");
    assert_null(conv);
    assert_false(PyArg_ParseTuple(a, "O&O", conv_silent, NULL, &o));
    tu_assert_exc(PyExc_SystemError, "argument 1 (unspecified)");

    /* Py_CLEANUP_SUPPORTED: a later failure calls the converter again */
    conv_calls = conv_cleanups = 0;
    assert_false(PyArg_ParseTuple(a, "O&i", conv_double, &conv, &i));
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    assert_int_equal(conv_calls, 1);
    assert_int_equal(conv_cleanups, 1);
    assert_null(conv);
    Py_DECREF(a);

    /* More converters than the on-stack cleanup records (9 > 8). */
    PyObject *cv[9] = {NULL};
    a = tup(10, I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), S("bad"));
    conv_calls = conv_cleanups = 0;
    assert_false(PyArg_ParseTuple(a, "O&O&O&O&O&O&O&O&O&i", conv_double, &cv[0], conv_double,
                                  &cv[1], conv_double, &cv[2], conv_double, &cv[3], conv_double,
                                  &cv[4], conv_double, &cv[5], conv_double, &cv[6], conv_double,
                                  &cv[7], conv_double, &cv[8], &i));
    tu_assert_exc(PyExc_TypeError, NULL);
    assert_int_equal(conv_calls, 9);
    assert_int_equal(conv_cleanups, 9);
    for (int j = 0; j < 9; j++)
        assert_null(cv[j]);
    Py_DECREF(a);
}

/* -------------------------------------------------- counts and format */

static void
test_parse_counts_and_format(void **state)
{
    (void)state;
    int x = 0, y = 0;
    PyObject *a0 = PyTuple_New(0), *a1 = one(I(1)), *a3 = tup(3, I(1), I(2), I(3));
    PyObject *as = one(S("s"));

    assert_false(PyArg_ParseTuple(a1, "ii", &x, &y));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 2 arguments (1 given)");
    assert_false(PyArg_ParseTuple(a3, "i|i", &x, &y));
    tu_assert_exc(PyExc_TypeError, "function takes at most 2 arguments (3 given)");
    assert_false(PyArg_ParseTuple(a0, "i|i", &x, &y));
    tu_assert_exc(PyExc_TypeError, "function takes at least 1 argument (0 given)");
    assert_false(PyArg_ParseTuple(a3, "i", &x));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 1 argument (3 given)");
    assert_false(PyArg_ParseTuple(a1, "ii:foo", &x, &y));
    tu_assert_exc(PyExc_TypeError, "foo() takes exactly 2 arguments (1 given)");
    assert_false(PyArg_ParseTuple(a1, "ii;need two ints", &x, &y));
    tu_assert_exc(PyExc_TypeError, "need two ints");
    assert_false(PyArg_ParseTuple(as, "k;need an int", &x));
    tu_assert_exc(PyExc_TypeError, "need an int");
    assert_false(PyArg_ParseTuple(a1, ":noargs"));
    tu_assert_exc(PyExc_TypeError, "noargs() takes exactly 0 arguments (1 given)");
    assert_true(PyArg_ParseTuple(a0, ""));
    assert_true(PyArg_ParseTuple(a0, "|i", &x));

    /* optional arguments keep their values */
    x = 5;
    y = 6;
    assert_true(PyArg_ParseTuple(a1, "i|i:f", &x, &y));
    assert_int_equal(x, 1);
    assert_int_equal(y, 6);

    /* bugs in the caller's format or arguments */
    PyObject *notuple = I(0);
    assert_false(PyArg_ParseTuple(notuple, "i", &x));
    tu_assert_exc(PyExc_SystemError, "new style getargs format but argument is not a tuple");
    Py_DECREF(notuple);
    assert_false(PyArg_ParseTuple(a1, "i%", &x));
    tu_assert_exc(PyExc_SystemError, "bad format string: i%");
    assert_false(PyArg_ParseTuple(a1, "w", &x));
    tu_assert_exc(PyExc_SystemError, "argument 1 (impossible<bad format char>)");
    assert_false(PyArg_ParseTuple(a1, "s*", &x));
    tu_assert_exc(PyExc_SystemError, "argument 1 (impossible<bad format char>)");
    assert_false(PyArg_ParseTuple(a1, "i)", &x));
    tu_assert_exc(PyExc_SystemError, "excess ')' in getargs format");
    assert_false(PyArg_ParseTuple(a1, "(i", &x));
    tu_assert_exc(PyExc_SystemError, "missing ')' in getargs format");

    Py_DECREF(a0);
    Py_DECREF(a1);
    Py_DECREF(a3);
    Py_DECREF(as);
}

static void
test_parse_nested(void **state)
{
    (void)state;
    int x = 0, y = 0, z = 0;
    unsigned long k;
    PyObject *a;

    a = tup(2, tup(2, I(1), I(2)), I(3));
    assert_true(PyArg_ParseTuple(a, "(ii)i", &x, &y, &z));
    assert_true(x == 1 && y == 2 && z == 3);
    Py_DECREF(a);

    /* a list is a sequence too */
    PyObject *lst = PyList_New(0), *seven = I(7), *eight = I(8);
    assert_int_equal(PyList_Append(lst, seven), 0);
    assert_int_equal(PyList_Append(lst, eight), 0);
    Py_DECREF(seven);
    Py_DECREF(eight);
    a = one(lst);
    assert_true(PyArg_ParseTuple(a, "(ii)", &x, &y));
    assert_true(x == 7 && y == 8);
    Py_DECREF(a);

    a = tup(2, one(I(1)), I(3));
    assert_false(PyArg_ParseTuple(a, "(ii)i", &x, &y, &z));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be sequence of length 2, not 1");
    Py_DECREF(a);
    a = tup(2, I(5), I(3));
    assert_false(PyArg_ParseTuple(a, "(ii)i", &x, &y, &z));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be 2-item sequence, not int");
    assert_false(PyArg_ParseTuple(a, "i(ii):g", &x, &y, &z));
    tu_assert_exc(PyExc_TypeError, "g() argument 2 must be 2-item sequence, not int");
    Py_DECREF(a);
    a = one(B("ab", 2));
    assert_false(PyArg_ParseTuple(a, "(cc)", &x, &y));
    tu_assert_exc(PyExc_TypeError, "argument 1 must be 2-item sequence, not bytes");
    Py_DECREF(a);

    a = one(tup(2, I(1), S("x")));
    assert_false(PyArg_ParseTuple(a, "(ik)", &x, &k));
    tu_assert_exc(PyExc_TypeError, "argument 1, item 1 must be int, not str");
    Py_DECREF(a);
    a = tup(2, I(0), one(tup(2, I(1), S("x"))));
    assert_false(PyArg_ParseTuple(a, "i((ik)):h", &z, &x, &k));
    tu_assert_exc(PyExc_TypeError, "h() argument 2, item 0, item 1 must be int, not str");
    Py_DECREF(a);

    /* an optional nested tuple */
    a = one(I(4));
    x = y = -1;
    assert_true(PyArg_ParseTuple(a, "i|(ii)", &z, &x, &y));
    assert_true(z == 4 && x == -1 && y == -1);
    Py_DECREF(a);
}

static void
test_parse_compat(void **state)
{
    (void)state;
    int x = 0;
    unsigned long k;
    PyObject *o = I(12), *s = S("s"), *t = tup(2, I(1), I(2));

    assert_true(PyArg_Parse(o, "i", &x));
    assert_int_equal(x, 12);
    assert_true(PyArg_Parse(NULL, ""));
    assert_false(PyArg_Parse(o, ""));
    tu_assert_exc(PyExc_TypeError, "function takes no arguments");
    assert_false(PyArg_Parse(o, ":f"));
    tu_assert_exc(PyExc_TypeError, "f() takes no arguments");
    assert_false(PyArg_Parse(o, "ii", &x, &x));
    tu_assert_exc(PyExc_SystemError, "old style getargs format uses new features");
    assert_false(PyArg_Parse(NULL, "i:f", &x));
    tu_assert_exc(PyExc_TypeError, "f() takes at least one argument");
    assert_false(PyArg_Parse(s, "k", &k));
    tu_assert_exc(PyExc_TypeError, "argument must be int, not str");
    int y;
    assert_true(PyArg_Parse(t, "(ii)", &x, &y));
    assert_true(x == 1 && y == 2);
    assert_true(_PyArg_Parse_SizeT(o, "i", &x));
    Py_DECREF(o);
    Py_DECREF(s);
    Py_DECREF(t);
}

/* ------------------------------------------------------ keywords */

static char *kw_abc[] = {"a", "b", "c", NULL};

static void
test_keywords_basic(void **state)
{
    (void)state;
    int a = 0, b = -1, c = -1;
    PyObject *args, *kwargs;

    args = tup(1, I(1));
    kwargs = kw("c", I(3), NULL);
    assert_true(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii", kw_abc, &a, &b, &c));
    assert_true(a == 1 && b == -1 && c == 3);
    Py_DECREF(kwargs);
    assert_true(PyArg_ParseTupleAndKeywords(args, NULL, "i|ii", kw_abc, &a, &b, &c));
    Py_DECREF(args);

    args = PyTuple_New(0);
    kwargs = kw("b", I(20), "a", I(10), NULL);
    b = c = -1;
    assert_true(PyArg_ParseTupleAndKeywords(args, kwargs, "ii|i", kw_abc, &a, &b, &c));
    assert_true(a == 10 && b == 20 && c == -1);
    Py_DECREF(kwargs);

    /* an empty dict is no keywords */
    kwargs = PyDict_New();
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "ii|i", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "function missing required argument 'a' (pos 1)");
    Py_DECREF(kwargs);
    Py_DECREF(args);

    /* invalid keyword */
    args = tup(1, I(1));
    kwargs = kw("x", I(1), NULL);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "'x' is an invalid keyword argument for this function");
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii:func", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "'x' is an invalid keyword argument for func()");
    Py_DECREF(kwargs);

    /* given twice */
    kwargs = kw("a", I(1), NULL);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "argument for function given by name ('a') and position (1)");
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii:g", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "argument for g() given by name ('a') and position (1)");
    Py_DECREF(kwargs);

    /* missing required */
    kwargs = kw("c", I(3), NULL);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "ii|i", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "function missing required argument 'b' (pos 2)");
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "ii|i:h", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "h() missing required argument 'b' (pos 2)");
    Py_DECREF(kwargs);

    /* too many */
    kwargs = kw("b", I(2), "c", I(3), NULL);
    Py_DECREF(args);
    args = tup(2, I(1), I(2));
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "function takes at most 3 arguments (4 given)");
    Py_DECREF(args);
    args = PyTuple_New(0);
    static char *kw_a[] = {"a", NULL};
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "|i:one", kw_a, &a));
    tu_assert_exc(PyExc_TypeError, "one() takes at most 1 keyword argument (2 given)");
    Py_DECREF(kwargs);
    Py_DECREF(args);

    /* conversion errors name the parameter position */
    args = tup(1, I(1));
    kwargs = kw("c", S("x"), NULL);
    unsigned long k;
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ik:f", kw_abc, &a, &b, &k));
    tu_assert_exc(PyExc_TypeError, "f() argument 3 must be int, not str");
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ik;custom text", kw_abc, &a, &b, &k));
    tu_assert_exc(PyExc_TypeError, "custom text");
    Py_DECREF(kwargs);

    /* keys must be str */
    kwargs = PyDict_New();
    PyObject *five = I(5);
    assert_int_equal(PyDict_SetItem(kwargs, five, five), 0);
    Py_DECREF(five);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|ii", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_TypeError, "keywords must be strings");
    Py_DECREF(kwargs);
    Py_DECREF(args);

    /* non-ASCII parameter names (UTF-8 in kwlist) */
    static char *kw_u[] = {"\xc3\xa4", NULL};
    args = PyTuple_New(0);
    kwargs = kw("\xc3\xa4", I(9), NULL);
    assert_true(PyArg_ParseTupleAndKeywords(args, kwargs, "i", kw_u, &a));
    assert_int_equal(a, 9);
    Py_DECREF(kwargs);
    kwargs = kw("\xc3\xab", I(9), NULL);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "|i", kw_u, &a));
    tu_assert_exc(PyExc_TypeError, "'\xc3\xab' is an invalid keyword argument for this function");
    Py_DECREF(kwargs);
    Py_DECREF(args);

    /* the _SizeT alias */
    args = tup(1, I(4));
    assert_true(_PyArg_ParseTupleAndKeywords_SizeT(args, NULL, "i", kw_a, &a));
    assert_int_equal(a, 4);
    Py_DECREF(args);
}

static void
test_keywords_only_and_positional_only(void **state)
{
    (void)state;
    static char *kw_ak[] = {"a", "k", NULL};
    static char *kw_pos[] = {"", "b", NULL};
    int a = -1, k = -1, b = -1;
    PyObject *args, *kwargs;

    /* keyword-only after $ */
    args = tup(1, I(1));
    kwargs = kw("k", I(2), NULL);
    assert_true(PyArg_ParseTupleAndKeywords(args, kwargs, "i|$i", kw_ak, &a, &k));
    assert_true(a == 1 && k == 2);
    Py_DECREF(kwargs);
    Py_DECREF(args);

    args = tup(2, I(1), I(2));
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "i|$i", kw_ak, &a, &k));
    tu_assert_exc(PyExc_TypeError, "function takes at most 1 positional argument (2 given)");
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "i$i", kw_ak, &a, &k));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 1 positional argument (2 given)");
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "|$ii:kwo", kw_ak, &a, &k));
    tu_assert_exc(PyExc_TypeError, "kwo() takes no positional arguments");
    Py_DECREF(args);

    /* required keyword-only */
    args = tup(1, I(1));
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "i$i", kw_ak, &a, &k));
    tu_assert_exc(PyExc_TypeError, "function missing required argument 'k' (pos 2)");
    Py_DECREF(args);

    /* positional-only (empty names first) */
    args = tup(2, I(1), I(2));
    assert_true(PyArg_ParseTupleAndKeywords(args, NULL, "i|i", kw_pos, &a, &b));
    assert_true(a == 1 && b == 2);
    Py_DECREF(args);
    args = PyTuple_New(0);
    kwargs = kw("b", I(3), NULL);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|i", kw_pos, &a, &b));
    tu_assert_exc(PyExc_TypeError, "function takes at least 1 positional argument (0 given)");
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "i|i:p", kw_pos, &a, &b));
    tu_assert_exc(PyExc_TypeError, "p() takes at least 1 positional argument (0 given)");
    /* CPython says "at least" here too: the count stops at the first
     * missing positional-only parameter. */
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "ii", kw_pos, &a, &b));
    tu_assert_exc(PyExc_TypeError, "function takes at least 1 positional argument (0 given)");
    static char *kw_pp[] = {"", "", NULL};
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "ii", kw_pp, &a, &b));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 2 positional arguments (0 given)");
    assert_false(PyArg_ParseTupleAndKeywords(args, NULL, "i|$i", kw_pos, &a, &b));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 1 positional argument (0 given)");
    Py_DECREF(kwargs);
    Py_DECREF(args);
    args = tup(1, I(1));
    kwargs = kw("", I(3), NULL);
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "i|i", kw_pos, &a, &b));
    tu_assert_exc(PyExc_TypeError, "'' is an invalid keyword argument for this function");
    Py_DECREF(kwargs);
    Py_DECREF(args);
}

static void
test_keywords_format_errors(void **state)
{
    (void)state;
    static char *kw_ab[] = {"a", "b", NULL};
    static char *kw_bad[] = {"a", "", NULL};
    static char *kw_posb[] = {"", "b", NULL};
    static char *kw_a[] = {"a", NULL};
    int a, b, c;
    PyObject *a3 = tup(3, I(1), I(2), I(3)), *a0 = PyTuple_New(0), *a1 = tup(1, I(1));
    PyObject *kab = kw("a", I(1), "b", I(2), NULL), *kzz = kw("zz", I(1), NULL);

    assert_false(PyArg_ParseTupleAndKeywords(a3, NULL, "i|i|i", kw_abc, &a, &b, &c));
    tu_assert_exc(PyExc_SystemError, "Invalid format string (| specified twice)");
    assert_false(PyArg_ParseTupleAndKeywords(a0, kab, "$i|i", kw_ab, &a, &b));
    tu_assert_exc(PyExc_SystemError, "Invalid format string ($ before |)");
    assert_false(PyArg_ParseTupleAndKeywords(a0, kab, "|$i$i", kw_ab, &a, &b));
    tu_assert_exc(PyExc_SystemError, "Invalid format string ($ specified twice)");
    assert_false(PyArg_ParseTupleAndKeywords(a3, NULL, "ii", kw_abc, &a, &b));
    tu_assert_exc(PyExc_SystemError, "More keyword list entries (3) than format specifiers (2)");
    assert_false(PyArg_ParseTupleAndKeywords(a1, NULL, "ii", kw_a, &a, &b));
    tu_assert_exc(PyExc_SystemError,
                  "more argument specifiers than keyword list entries (remaining format:'i')");
    assert_false(PyArg_ParseTupleAndKeywords(a1, NULL, "ii", kw_bad, &a, &b));
    tu_assert_exc(PyExc_SystemError, "Empty keyword parameter name");
    assert_false(PyArg_ParseTupleAndKeywords(a1, NULL, "$ii", kw_posb, &a, &b));
    tu_assert_exc(PyExc_SystemError, "Empty parameter name after $");
    assert_false(PyArg_ParseTupleAndKeywords(a1, kzz, "i|w", kw_ab, &a, &b));
    tu_assert_exc(PyExc_SystemError, "impossible<bad format char>: 'w'");
    assert_false(PyArg_ParseTupleAndKeywords(a1, kzz, "i|(ii", kw_ab, &a, &b, &c));
    tu_assert_exc(PyExc_SystemError, "Unmatched left paren in format string: '(ii'");

    /* bad calls */
    assert_false(PyArg_ParseTupleAndKeywords(a1, NULL, "i", NULL, &a));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_false(PyArg_ParseTupleAndKeywords(a1, a1, "i", kw_a, &a));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_false(PyArg_ParseTupleAndKeywords(kab, NULL, "i", kw_a, &a));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_false(PyArg_ParseTupleAndKeywords(a1, NULL, NULL, kw_a, &a));
    tu_assert_exc(PyExc_SystemError, NULL);

    Py_DECREF(a3);
    Py_DECREF(a0);
    Py_DECREF(a1);
    Py_DECREF(kab);
    Py_DECREF(kzz);
}

/* Keyword parsing with O& cleanups: a failure after a keyword argument was
 * converted cleans it up. */
static void
test_keywords_cleanup(void **state)
{
    (void)state;
    static char *kw_ab[] = {"a", "b", NULL};
    PyObject *conv = NULL, *args = PyTuple_New(0);
    PyObject *kwargs = kw("a", I(3), "b", S("no"), NULL);
    int b;

    conv_calls = conv_cleanups = 0;
    assert_false(PyArg_ParseTupleAndKeywords(args, kwargs, "O&i", kw_ab, conv_double, &conv, &b));
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    assert_int_equal(conv_calls, 1);
    assert_int_equal(conv_cleanups, 1);
    assert_null(conv);
    Py_DECREF(kwargs);
    Py_DECREF(args);
}

static int
va_parse_helper(PyObject *args, const char *format, ...)
{
    va_list va;
    int r;

    va_start(va, format);
    r = PyArg_VaParse(args, format, va);
    va_end(va);
    return r;
}

static int
va_parse_kw_helper(PyObject *args, PyObject *kwargs, const char *format, char **kwlist, ...)
{
    va_list va;
    int r;

    va_start(va, kwlist);
    r = PyArg_VaParseTupleAndKeywords(args, kwargs, format, kwlist, va);
    va_end(va);
    return r;
}

static void
test_va_forms(void **state)
{
    (void)state;
    static char *kw_ab[] = {"a", "b", NULL};
    int a = 0, b = 0;
    PyObject *args = tup(1, I(5)), *kwargs = kw("b", I(6), NULL);

    assert_true(va_parse_helper(args, "i", &a));
    assert_int_equal(a, 5);
    assert_false(va_parse_helper(args, "ii", &a, &b));
    tu_assert_exc(PyExc_TypeError, "function takes exactly 2 arguments (1 given)");
    assert_true(va_parse_kw_helper(args, kwargs, "ii", kw_ab, &a, &b));
    assert_true(a == 5 && b == 6);
    assert_false(va_parse_kw_helper(args, NULL, "ii:v", kw_ab, &a, &b));
    tu_assert_exc(PyExc_TypeError, "v() missing required argument 'b' (pos 2)");
    Py_DECREF(args);
    Py_DECREF(kwargs);
}

static void
test_unpack_and_validate(void **state)
{
    (void)state;
    PyObject *o1 = NULL, *o2 = NULL;
    PyObject *a0 = PyTuple_New(0), *a1 = tup(1, I(1)), *a3 = tup(3, I(1), I(2), I(3));
    PyObject *a2 = tup(2, I(1), I(2));

    assert_true(PyArg_UnpackTuple(a2, "f", 1, 2, &o1, &o2));
    assert_ptr_equal(o1, PyTuple_GET_ITEM(a2, 0));
    assert_ptr_equal(o2, PyTuple_GET_ITEM(a2, 1));
    o2 = NULL;
    assert_true(PyArg_UnpackTuple(a1, "f", 1, 2, &o1, &o2));
    assert_null(o2);
    assert_true(PyArg_UnpackTuple(a0, "f", 0, 0));
    assert_false(PyArg_UnpackTuple(a0, "f", 1, 2, &o1, &o2));
    tu_assert_exc(PyExc_TypeError, "f expected at least 1 argument, got 0");
    assert_false(PyArg_UnpackTuple(a3, "f", 1, 2, &o1, &o2));
    tu_assert_exc(PyExc_TypeError, "f expected at most 2 arguments, got 3");
    assert_false(PyArg_UnpackTuple(a1, "f", 2, 2, &o1, &o2));
    tu_assert_exc(PyExc_TypeError, "f expected 2 arguments, got 1");
    assert_false(PyArg_UnpackTuple(a3, "f", 1, 1, &o1));
    tu_assert_exc(PyExc_TypeError, "f expected 1 argument, got 3");
    assert_false(PyArg_UnpackTuple(a0, NULL, 1, 3, &o1));
    tu_assert_exc(PyExc_TypeError, "unpacked tuple should have at least 1 element, but has 0");
    assert_false(PyArg_UnpackTuple(a3, NULL, 2, 2, &o1, &o2));
    tu_assert_exc(PyExc_TypeError, "unpacked tuple should have 2 elements, but has 3");
    assert_false(PyArg_UnpackTuple(o1, "f", 0, 1, &o2));
    tu_assert_exc(PyExc_SystemError, "PyArg_UnpackTuple() argument list is not a tuple");

    PyObject *d = kw("a", I(1), NULL);
    assert_true(PyArg_ValidateKeywordArguments(d));
    PyObject *key = I(3);
    assert_int_equal(PyDict_SetItem(d, key, key), 0);
    Py_DECREF(key);
    assert_false(PyArg_ValidateKeywordArguments(d));
    tu_assert_exc(PyExc_TypeError, "keywords must be strings");
    assert_false(PyArg_ValidateKeywordArguments(a0));
    tu_assert_exc(PyExc_SystemError, NULL);
    Py_DECREF(d);

    Py_DECREF(a0);
    Py_DECREF(a1);
    Py_DECREF(a2);
    Py_DECREF(a3);
}

/* -------------------------------------------------------- BuildValue */

static PyObject *
make_answer(void *arg)
{
    return PyLong_FromLong(*(int *)arg);
}

static void
test_build_scalars(void **state)
{
    (void)state;
    PyObject *v;

    v = Py_BuildValue("");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);
    v = Py_BuildValue("  ");
    assert_ptr_equal(v, Py_None);
    Py_DECREF(v);

    v = Py_BuildValue("i", -7);
    assert_true(PyLong_CheckExact(v) && as_ll(v) == -7);
    Py_DECREF(v);

    v = Py_BuildValue("bBhHiIlkLKn", (char)-1, (unsigned char)255, (short)-300,
                      (unsigned short)65535, INT_MIN, (unsigned int)UINT_MAX, LONG_MIN,
                      (unsigned long)ULONG_MAX, (long long)LLONG_MAX,
                      (unsigned long long)ULLONG_MAX, (Py_ssize_t)PY_SSIZE_T_MIN);
    assert_non_null(v);
    assert_true(PyTuple_CheckExact(v) && PyTuple_GET_SIZE(v) == 11);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 0)) == -1);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 1)) == 255);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 2)) == -300);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 3)) == 65535);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 4)) == INT_MIN);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 5)) == UINT_MAX);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 6)) == LONG_MIN);
    assert_true(PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(v, 7)) == ULONG_MAX);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 8)) == LLONG_MAX);
    assert_true(PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(v, 9)) == ULLONG_MAX);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 10)) == PY_SSIZE_T_MIN);
    tu_assert_no_exc();
    Py_DECREF(v);

    v = Py_BuildValue("(fd)", 1.5f, DBL_MAX);
    assert_true(PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(v, 0)) == 1.5);
    assert_true(PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(v, 1)) == DBL_MAX);
    Py_DECREF(v);

    v = Py_BuildValue("c", 'x');
    assert_true(PyBytes_CheckExact(v) && PyBytes_GET_SIZE(v) == 1 && PyBytes_AS_STRING(v)[0] == 'x');
    Py_DECREF(v);
    v = Py_BuildValue("C", 0x20ac);
    assert_true(PyUnicode_CheckExact(v));
    assert_string_equal(PyUnicode_AsUTF8(v), "\xe2\x82\xac");
    Py_DECREF(v);
    v = Py_BuildValue("pp", 0, 42);
    assert_ptr_equal(PyTuple_GET_ITEM(v, 0), Py_False);
    assert_ptr_equal(PyTuple_GET_ITEM(v, 1), Py_True);
    Py_DECREF(v);

    /* strings */
    v = Py_BuildValue("s", "h\xc3\xa9");
    assert_string_equal(PyUnicode_AsUTF8(v), "h\xc3\xa9");
    Py_DECREF(v);
    v = Py_BuildValue("s#", "abcdef", (Py_ssize_t)3);
    assert_string_equal(PyUnicode_AsUTF8(v), "abc");
    Py_DECREF(v);
    v = Py_BuildValue("(szUz#)", (char *)NULL, "z", "u", (char *)NULL, (Py_ssize_t)4);
    assert_ptr_equal(PyTuple_GET_ITEM(v, 0), Py_None);
    assert_string_equal(PyUnicode_AsUTF8(PyTuple_GET_ITEM(v, 1)), "z");
    assert_string_equal(PyUnicode_AsUTF8(PyTuple_GET_ITEM(v, 2)), "u");
    assert_ptr_equal(PyTuple_GET_ITEM(v, 3), Py_None);
    Py_DECREF(v);
    v = Py_BuildValue("y#", "a\0b", (Py_ssize_t)3);
    assert_true(PyBytes_CheckExact(v) && PyBytes_GET_SIZE(v) == 3);
    assert_memory_equal(PyBytes_AS_STRING(v), "a\0b", 3);
    Py_DECREF(v);
    v = Py_BuildValue("(yy)", "xyz", (char *)NULL);
    assert_int_equal(PyBytes_GET_SIZE(PyTuple_GET_ITEM(v, 0)), 3);
    assert_ptr_equal(PyTuple_GET_ITEM(v, 1), Py_None);
    Py_DECREF(v);
    v = Py_BuildValue("s", "\xff");   /* not UTF-8: the str layer's decode error */
    assert_null(v);
    assert_non_null(PyErr_Occurred());
    PyErr_Clear();

    /* objects: O adds a reference, N steals one, S is O, O& converts */
    PyObject *lst = PyList_New(0);
    Py_ssize_t rc = Py_REFCNT(lst);
    v = Py_BuildValue("O", lst);
    assert_ptr_equal(v, lst);
    assert_int_equal(Py_REFCNT(lst), rc + 1);
    Py_DECREF(v);
    v = Py_BuildValue("S", lst);
    assert_int_equal(Py_REFCNT(lst), rc + 1);
    Py_DECREF(v);
    Py_INCREF(lst);
    v = Py_BuildValue("(N)", lst);
    assert_int_equal(Py_REFCNT(lst), rc + 1);
    Py_DECREF(v);
    assert_int_equal(Py_REFCNT(lst), rc);
    Py_DECREF(lst);
    int answer = 42;
    v = Py_BuildValue("O&", make_answer, &answer);
    assert_true(as_ll(v) == 42);
    Py_DECREF(v);

    /* separators are ignored */
    v = Py_BuildValue("i, i : i\t", 1, 2, 3);
    assert_true(PyTuple_CheckExact(v) && PyTuple_GET_SIZE(v) == 3);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 2)) == 3);
    Py_DECREF(v);

    /* the _SizeT alias */
    v = _Py_BuildValue_SizeT("s#", "abc", (Py_ssize_t)2);
    assert_string_equal(PyUnicode_AsUTF8(v), "ab");
    Py_DECREF(v);
}

static void
test_build_nested(void **state)
{
    (void)state;
    PyObject *v, *d, *x;

    v = Py_BuildValue("()");
    assert_true(PyTuple_CheckExact(v) && PyTuple_GET_SIZE(v) == 0);
    Py_DECREF(v);
    v = Py_BuildValue("[]");
    assert_true(PyList_CheckExact(v) && PyList_GET_SIZE(v) == 0);
    Py_DECREF(v);
    v = Py_BuildValue("{}");
    assert_true(PyDict_CheckExact(v) && PyDict_Size(v) == 0);
    Py_DECREF(v);
    v = Py_BuildValue("(i)", 5);
    assert_true(PyTuple_CheckExact(v) && PyTuple_GET_SIZE(v) == 1);
    Py_DECREF(v);

    v = Py_BuildValue("(is[i]{s:i})", 1, "two", 3, "four", 4);
    assert_true(PyTuple_CheckExact(v) && PyTuple_GET_SIZE(v) == 4);
    assert_true(as_ll(PyTuple_GET_ITEM(v, 0)) == 1);
    assert_string_equal(PyUnicode_AsUTF8(PyTuple_GET_ITEM(v, 1)), "two");
    x = PyTuple_GET_ITEM(v, 2);
    assert_true(PyList_CheckExact(x) && PyList_GET_SIZE(x) == 1);
    assert_true(as_ll(PyList_GET_ITEM(x, 0)) == 3);
    d = PyTuple_GET_ITEM(v, 3);
    assert_true(PyDict_CheckExact(d) && PyDict_Size(d) == 1);
    x = PyDict_GetItemString(d, "four");
    assert_non_null(x);
    assert_true(as_ll(x) == 4);
    Py_DECREF(v);

    v = Py_BuildValue("[(ii)(i[s{s:(ii),s:[]}])]", 1, 2, 3, "s", "k", 4, 5, "e");
    assert_true(PyList_CheckExact(v) && PyList_GET_SIZE(v) == 2);
    x = PyList_GET_ITEM(v, 1);
    assert_true(PyTuple_GET_SIZE(x) == 2);
    x = PyTuple_GET_ITEM(x, 1);
    assert_true(PyList_GET_SIZE(x) == 2);
    d = PyList_GET_ITEM(x, 1);
    assert_int_equal(PyDict_Size(d), 2);
    x = PyDict_GetItemString(d, "k");
    assert_true(PyTuple_CheckExact(x) && as_ll(PyTuple_GET_ITEM(x, 1)) == 5);
    assert_true(PyList_CheckExact(PyDict_GetItemString(d, "e")));
    Py_DECREF(v);

    /* dict of several pairs, insertion-ordered */
    v = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    assert_int_equal(PyDict_Size(v), 2);
    Py_DECREF(v);
}

static void
test_build_errors(void **state)
{
    (void)state;
    PyObject *v;

    v = Py_BuildValue("O", (PyObject *)NULL);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "NULL object passed to Py_BuildValue");
    /* a pending error (the failed call that produced NULL) is kept */
    PyErr_SetString(PyExc_KeyError, "from the caller");
    v = Py_BuildValue("(iN)", 1, (PyObject *)NULL);
    assert_null(v);
    tu_assert_exc(PyExc_KeyError, "'from the caller'");

    v = Py_BuildValue("w", 1);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "bad format char passed to Py_BuildValue");
    v = Py_BuildValue("(i", 1);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "unmatched paren in format");
    v = Py_BuildValue("[i}", 1);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, NULL);
    v = Py_BuildValue("{i}", 1);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "Bad dict format");
    PyObject *lst = PyList_New(0);
    v = Py_BuildValue("{O:i}", lst, 1);
    assert_null(v);
    tu_assert_exc(PyExc_TypeError, NULL);   /* the dict's unhashable-key error */
    Py_DECREF(lst);
}

/* 'N' steals its reference even when the build fails, wherever it is. */
static void
test_build_n_steals_on_failure(void **state)
{
    (void)state;
    PyObject *objs[4], *v;
    Py_ssize_t rc[4];

    for (int i = 0; i < 4; i++) {
        objs[i] = PyList_New(0);
        assert_non_null(objs[i]);
        rc[i] = Py_REFCNT(objs[i]);
        Py_INCREF(objs[i]);   /* the reference each build hands over */
    }
    /* failure before the N unit: it is consumed in skip mode */
    v = Py_BuildValue("(ON)", (PyObject *)NULL, objs[0]);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "NULL object passed to Py_BuildValue");
    assert_int_equal(Py_REFCNT(objs[0]), rc[0]);

    /* failure after N units already stored in containers, nested */
    v = Py_BuildValue("[N{s:N}(O)]", objs[1], "k", objs[2], (PyObject *)NULL);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "NULL object passed to Py_BuildValue");
    assert_int_equal(Py_REFCNT(objs[1]), rc[1]);
    assert_int_equal(Py_REFCNT(objs[2]), rc[2]);

    /* an odd dict still consumes its N values */
    v = Py_BuildValue("{N}", objs[3]);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, "Bad dict format");
    assert_int_equal(Py_REFCNT(objs[3]), rc[3]);

    for (int i = 0; i < 4; i++)
        Py_DECREF(objs[i]);
}

/* ---------------------------------------- CallFunction / CallMethod */

static PyObject *
fn_varargs(PyObject *self, PyObject *args)
{
    (void)self;
    return Py_NewRef(args);
}

static PyObject *
fn_o(PyObject *self, PyObject *arg)
{
    (void)self;
    return Py_NewRef(arg);
}

static PyMethodDef def_varargs = {"va", fn_varargs, METH_VARARGS, NULL};
static PyMethodDef def_o = {"one", fn_o, METH_O, NULL};

static void
assert_ints(PyObject *t, Py_ssize_t n, ...)
{
    va_list va;

    assert_non_null(t);
    assert_true(PyTuple_CheckExact(t));
    assert_int_equal(PyTuple_GET_SIZE(t), n);
    va_start(va, n);
    for (Py_ssize_t i = 0; i < n; i++)
        assert_true(as_ll(PyTuple_GET_ITEM(t, i)) == va_arg(va, int));
    va_end(va);
}

static void
test_call_function(void **state)
{
    (void)state;
    PyObject *va = PyCFunction_New(&def_varargs, NULL), *fo = PyCFunction_New(&def_o, NULL);
    PyObject *r, *t;

    assert_non_null(va);
    assert_non_null(fo);
    r = PyObject_CallFunction(va, "ii", 1, 2);
    assert_ints(r, 2, 1, 2);
    Py_DECREF(r);
    r = PyObject_CallFunction(va, "(ii)", 3, 4);
    assert_ints(r, 2, 3, 4);
    Py_DECREF(r);
    r = PyObject_CallFunction(va, "i", 5);
    assert_ints(r, 1, 5);
    Py_DECREF(r);
    r = PyObject_CallFunction(va, NULL);
    assert_ints(r, 0);
    Py_DECREF(r);
    r = PyObject_CallFunction(va, "");
    assert_ints(r, 0);
    Py_DECREF(r);
    /* a single tuple object is the argument list */
    t = tup(2, I(6), I(7));
    r = PyObject_CallFunction(va, "O", t);
    assert_ints(r, 2, 6, 7);
    Py_DECREF(r);
    /* ... unless nested in another tuple */
    r = PyObject_CallFunction(va, "(O)", t);
    assert_non_null(r);
    assert_int_equal(PyTuple_GET_SIZE(r), 1);
    assert_ptr_equal(PyTuple_GET_ITEM(r, 0), t);
    Py_DECREF(r);
    r = PyObject_CallFunction(va, "[i]", 8);
    assert_non_null(r);
    assert_true(PyList_CheckExact(PyTuple_GET_ITEM(r, 0)));
    Py_DECREF(r);

    r = PyObject_CallFunction(fo, "s", "x");
    assert_string_equal(PyUnicode_AsUTF8(r), "x");
    Py_DECREF(r);
    r = PyObject_CallFunction(fo, "ii", 1, 2);
    assert_null(r);
    tu_assert_exc(PyExc_TypeError, "one() takes exactly one argument (2 given)");
    r = PyObject_CallFunction(fo, NULL);
    assert_null(r);
    tu_assert_exc(PyExc_TypeError, "one() takes exactly one argument (0 given)");

    r = PyObject_CallFunction(NULL, "i", 1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, "null argument to internal routine");
    r = PyObject_CallFunction(va, "iw", 1, 2);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, "bad format char passed to Py_BuildValue");
    r = PyObject_CallFunction(t, "i", 1);
    assert_null(r);
    tu_assert_exc(PyExc_TypeError, "'tuple' object is not callable");

    r = _PyObject_CallFunction_SizeT(va, "s#", "abc", (Py_ssize_t)1);
    assert_non_null(r);
    assert_string_equal(PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 0)), "a");
    Py_DECREF(r);

    Py_DECREF(t);
    Py_DECREF(va);
    Py_DECREF(fo);
}

static void
test_call_method(void **state)
{
    (void)state;
    PyObject *mod = PyModule_New("argsmod"), *va = PyCFunction_New(&def_varargs, NULL);
    PyObject *fo = PyCFunction_New(&def_o, NULL), *r;

    assert_non_null(mod);
    assert_int_equal(PyObject_SetAttrString(mod, "va", va), 0);
    assert_int_equal(PyObject_SetAttrString(mod, "one", fo), 0);
    PyObject *n = I(3);
    assert_int_equal(PyObject_SetAttrString(mod, "num", n), 0);
    Py_DECREF(n);

    r = PyObject_CallMethod(mod, "va", "isi", 1, "s", 2);
    assert_non_null(r);
    assert_int_equal(PyTuple_GET_SIZE(r), 3);
    Py_DECREF(r);
    r = PyObject_CallMethod(mod, "va", NULL);
    assert_ints(r, 0);
    Py_DECREF(r);
    r = PyObject_CallMethod(mod, "one", "i", 9);
    assert_true(as_ll(r) == 9);
    Py_DECREF(r);
    r = _PyObject_CallMethod_SizeT(mod, "one", "i", 10);
    assert_true(as_ll(r) == 10);
    Py_DECREF(r);

    r = PyObject_CallMethod(mod, "num", "i", 1);
    assert_null(r);
    tu_assert_exc(PyExc_TypeError, "attribute of type 'int' is not callable");
    r = PyObject_CallMethod(mod, "nope", "i", 1);
    assert_null(r);
    tu_assert_exc(PyExc_AttributeError, NULL);
    r = PyObject_CallMethod(NULL, "va", "i", 1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, "null argument to internal routine");
    r = PyObject_CallMethod(mod, NULL, "i", 1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, "null argument to internal routine");

    Py_DECREF(va);
    Py_DECREF(fo);
    Py_DECREF(mod);
}

/* ------------------------------------------------ allocation failures */

static int
op_parse_keywords(void *ctx)
{
    static char *kwl[] = {"a", "b", "c", "d", NULL};
    (void)ctx;
    int a = 0, d = 0;
    const char *b = NULL;
    PyObject *c = NULL;
    int ok;

    PyObject *args = PyTuple_New(1);
    if (args == NULL)
        return -1;
    PyObject *one_ = PyLong_FromLong(100000);
    if (one_ == NULL) {
        Py_DECREF(args);
        return -1;
    }
    PyTuple_SET_ITEM(args, 0, one_);
    PyObject *kwargs = Py_BuildValue("{s:s,s:[i],s:i}", "b", "text", "c", 1, "d", 4);
    if (kwargs == NULL) {
        Py_DECREF(args);
        return -1;
    }
    ok = PyArg_ParseTupleAndKeywords(args, kwargs, "i|sO$i:f", kwl, &a, &b, &c, &d);
    if (ok) {
        assert_int_equal(a, 100000);
        assert_string_equal(b, "text");
        assert_true(PyList_Check(c));
        assert_int_equal(d, 4);
    }
    Py_DECREF(args);
    Py_DECREF(kwargs);
    return ok ? 0 : -1;
}

static int
op_build(void *ctx)
{
    PyObject **out = ctx;

    *out = Py_BuildValue("(is[i]{s:i})", 123456, "str", 654321, "key", 777777);
    return *out == NULL ? -1 : 0;
}

static void
undo_build(void *ctx)
{
    Py_CLEAR(*(PyObject **)ctx);
}

/* N with an object the operation itself created: the failure paths must
 * release it. */
static int
op_build_steal(void *ctx)
{
    PyObject **out = ctx, *l = PyList_New(0), *m;

    if (l == NULL)
        return -1;
    m = PyList_New(0);
    if (m == NULL) {
        Py_DECREF(l);
        return -1;
    }
    *out = Py_BuildValue("[N(sN)]", l, "x", m);
    return *out == NULL ? -1 : 0;
}

static int
op_call(void *ctx)
{
    PyObject *f = ctx, *r = PyObject_CallFunction(f, "is[i]", 1000000, "abc", 2000000);

    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static void
test_alloc_failures(void **state)
{
    (void)state;
    PyObject *out = NULL;

    assert_true(tu_alloc_failure_sweep(op_parse_keywords, NULL, NULL, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_build, undo_build, &out, PyExc_MemoryError) > 0);
    assert_true(tu_alloc_failure_sweep(op_build_steal, undo_build, &out, PyExc_MemoryError) > 0);
    PyObject *va = PyCFunction_New(&def_varargs, NULL);
    assert_non_null(va);
    assert_true(tu_alloc_failure_sweep(op_call, NULL, va, PyExc_MemoryError) > 0);
    Py_DECREF(va);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int_units),
        cmocka_unit_test(test_parse_float_char_bool),
        cmocka_unit_test(test_parse_string_units),
        cmocka_unit_test(test_parse_object_units),
        cmocka_unit_test(test_parse_counts_and_format),
        cmocka_unit_test(test_parse_nested),
        cmocka_unit_test(test_parse_compat),
        cmocka_unit_test(test_keywords_basic),
        cmocka_unit_test(test_keywords_only_and_positional_only),
        cmocka_unit_test(test_keywords_format_errors),
        cmocka_unit_test(test_keywords_cleanup),
        cmocka_unit_test(test_va_forms),
        cmocka_unit_test(test_unpack_and_validate),
        cmocka_unit_test(test_build_scalars),
        cmocka_unit_test(test_build_nested),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_build_n_steals_on_failure),
        cmocka_unit_test(test_call_function),
        cmocka_unit_test(test_call_method),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, tu_runtime_up, tu_runtime_down);
}
