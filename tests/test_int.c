/* test_int.c: int, bool, float and the PyNumber_* protocol.  ctest-labels: unit
 *
 * Conversions at every limit with CPython 3.14's exact messages, small-int
 * identity and immortality, PyLong_FromString syntax, overflow past pymodrt's
 * 64-bit magnitude, numeric hashing, float repr and conversions, bool, and
 * allocation failure in every allocating operation. */
#define PYMODRT_BUILD_CORE 1
#include "testutil.h"
#include "internal/pycore.h"

#include <float.h>
#include <math.h>

/* ------------------------------------------------------------- helpers */

static void
assert_str_of(PyObject *o, const char *expected, int use_repr, const char *file, int line)
{
    PyObject *r = use_repr ? PyObject_Repr(o) : PyObject_Str(o);

    if (r == NULL) {
        tu_assert_no_exc_at(file, line);
        _fail(file, line);
    }
    const char *s = PyUnicode_AsUTF8(r);
    if (s == NULL || strcmp(s, expected) != 0) {
        print_error("repr: expected '%s', got '%s'\n", expected, s ? s : "?");
        Py_DECREF(r);
        _fail(file, line);
    }
    Py_DECREF(r);
}
#define assert_repr(o, s) assert_str_of((o), (s), 1, __FILE__, __LINE__)
#define assert_str(o, s) assert_str_of((o), (s), 0, __FILE__, __LINE__)

/* Asserts that 'o' (a new reference, consumed) is an exact int equal to v. */
static void
assert_int_at(PyObject *o, long long v, const char *file, int line)
{
    if (o == NULL) {
        tu_assert_no_exc_at(file, line);
        _fail(file, line);
    }
    if (!PyLong_CheckExact(o)) {
        print_error("expected an int, got %s\n", Py_TYPE(o)->tp_name);
        _fail(file, line);
    }
    long long got = PyLong_AsLongLong(o);
    Py_DECREF(o);
    if (got != v) {
        print_error("expected %lld, got %lld\n", v, got);
        _fail(file, line);
    }
}
#define assert_int(o, v) assert_int_at((o), (v), __FILE__, __LINE__)

static void
assert_float_at(PyObject *o, double v, const char *file, int line)
{
    if (o == NULL) {
        tu_assert_no_exc_at(file, line);
        _fail(file, line);
    }
    if (!PyFloat_CheckExact(o)) {
        print_error("expected a float, got %s\n", Py_TYPE(o)->tp_name);
        _fail(file, line);
    }
    double got = PyFloat_AS_DOUBLE(o);
    Py_DECREF(o);
    if (!(got == v && signbit(got) == signbit(v))) {
        print_error("expected %.17g, got %.17g\n", v, got);
        _fail(file, line);
    }
}
#define assert_float(o, v) assert_float_at((o), (v), __FILE__, __LINE__)

/* An int of the given sign and magnitude, built by arithmetic from the
 * public API (2**64-1 is PyLong_FromUnsignedLongLong(ULLONG_MAX)). */
static PyObject *
int_neg_max(void)
{
    PyObject *m = PyLong_FromUnsignedLongLong(ULLONG_MAX);
    PyObject *r = PyNumber_Negative(m);
    Py_DECREF(m);
    return r;
}

/* A type whose instances have __index__ (returning index_value or, when
 * index_float is set, a float) and optionally __float__. */
static long index_value = 42;
static int index_float;

static PyObject *
idx_index(PyObject *self)
{
    (void)self;
    if (index_float)
        return PyFloat_FromDouble(1.5);
    return PyLong_FromLong(index_value);
}

static PyObject *
idx_float(PyObject *self)
{
    (void)self;
    return PyFloat_FromDouble(2.25);
}

static PyNumberMethods idx_as_number = { .nb_index = idx_index };
static PyNumberMethods flt_as_number = { .nb_float = idx_float };

static PyTypeObject IdxType = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "test.Idx",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_as_number = &idx_as_number,
    .tp_free = PyObject_Free,
};

static PyTypeObject FltType = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "test.Flt",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_as_number = &flt_as_number,
    .tp_free = PyObject_Free,
};

static void
plain_dealloc(PyObject *op)
{
    PyObject_Free(op);
}

static PyObject *
new_instance(PyTypeObject *tp)
{
    if (tp->tp_dealloc == NULL)
        tp->tp_dealloc = plain_dealloc;
    assert_int_equal(PyType_Ready(tp), 0);
    return _PyObject_New(tp);
}

/* -------------------------------------------------------------- small ints */

static void
test_small_ints(void **state)
{
    (void)state;
    for (long v = -5; v <= 1024; v++) {
        PyObject *a = PyLong_FromLong(v), *b = PyLong_FromLongLong(v);
        assert_ptr_equal(a, b);
        assert_true(_Py_IsImmortal(a));
        assert_int_equal(PyLong_AsLong(a), v);
    }
    PyObject *z = PyLong_FromLong(0);
    assert_ptr_equal(z, PyLong_FromUnsignedLong(0));
    assert_ptr_equal(z, PyLong_FromSize_t(0));
    assert_ptr_equal(z, PyLong_FromDouble(-0.0));

    /* Creating a small int allocates nothing; increfs write nothing. */
    uint64_t n = pymodrt_mem_allocations();
    PyObject *seven = PyLong_FromLong(7);
    int64_t word = _Py_RefcntWord(seven);
    for (int i = 0; i < 1000; i++) {
        Py_INCREF(seven);
        Py_DECREF(seven);
    }
    assert_true(_Py_RefcntWord(seven) == word);
    assert_int_equal(pymodrt_mem_allocations(), n);

    /* Just outside the range: fresh, mortal objects. */
    PyObject *a = PyLong_FromLong(1025), *b = PyLong_FromLong(1025);
    assert_ptr_not_equal(a, b);
    assert_false(_Py_IsImmortal(a));
    assert_int_equal(Py_REFCNT(a), 1);
    Py_DECREF(a);
    Py_DECREF(b);
    a = PyLong_FromLong(-6);
    b = PyLong_FromLong(-6);
    assert_ptr_not_equal(a, b);
    Py_DECREF(a);
    Py_DECREF(b);

    /* Arithmetic results in range are the static objects too. */
    a = PyLong_FromLong(2000);
    b = PyLong_FromLong(1999);
    PyObject *d = PyNumber_Subtract(a, b);
    assert_ptr_equal(d, PyLong_FromLong(1));
    Py_DECREF(a);
    Py_DECREF(b);
}

/* ------------------------------------------------------------ conversions */

static void
test_as_long_limits(void **state)
{
    (void)state;
    PyObject *o;
    int ovf;

    o = PyLong_FromLong(LONG_MAX);
    assert_true(PyLong_AsLong(o) == LONG_MAX);
    assert_true(PyLong_AsLongLong(o) == LLONG_MAX);
    assert_true(PyLong_AsSsize_t(o) == PY_SSIZE_T_MAX);
    Py_DECREF(o);
    o = PyLong_FromLong(LONG_MIN);
    assert_true(PyLong_AsLong(o) == LONG_MIN);
    assert_true(PyLong_AsLongAndOverflow(o, &ovf) == LONG_MIN && ovf == 0);
    assert_true(PyLong_AsSsize_t(o) == PY_SSIZE_T_MIN);
    Py_DECREF(o);

    /* LONG_MAX + 1 and LONG_MIN - 1 */
    o = PyLong_FromUnsignedLong((unsigned long)LONG_MAX + 1);
    assert_true(PyLong_AsLong(o) == -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C long");
    assert_true(PyLong_AsLongAndOverflow(o, &ovf) == -1 && ovf == 1);
    tu_assert_no_exc();
    assert_true(PyLong_AsLongLongAndOverflow(o, &ovf) == -1 && ovf == 1);
    assert_true(PyLong_AsLongLong(o) == -1);
    tu_assert_exc(PyExc_OverflowError, "int too big to convert");
    assert_true(PyLong_AsSsize_t(o) == -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C ssize_t");
    assert_true(PyLong_AsUnsignedLong(o) == (unsigned long)LONG_MAX + 1);
    Py_DECREF(o);
    PyObject *one = PyLong_FromLong(1), *min = PyLong_FromLong(LONG_MIN);
    o = PyNumber_Subtract(min, one);
    assert_true(PyLong_AsLong(o) == -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C long");
    assert_true(PyLong_AsLongAndOverflow(o, &ovf) == -1 && ovf == -1);
    assert_true(PyLong_AsLongLong(o) == -1);
    tu_assert_exc(PyExc_OverflowError, "int too big to convert");
    Py_DECREF(o);
    Py_DECREF(min);
    Py_DECREF(one);

    /* int */
    o = PyLong_FromLong(INT_MAX);
    assert_int_equal(PyLong_AsInt(o), INT_MAX);
    Py_DECREF(o);
    o = PyLong_FromLong((long)INT_MAX + 1);
    assert_int_equal(PyLong_AsInt(o), -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C int");
    Py_DECREF(o);
    o = PyLong_FromLong((long)INT_MIN - 1);
    assert_int_equal(PyLong_AsInt(o), -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C int");
    Py_DECREF(o);
    o = PyLong_FromLong(-1);
    assert_int_equal(PyLong_AsInt(o), -1);
    tu_assert_no_exc();
}

static void
test_as_unsigned_limits(void **state)
{
    (void)state;
    PyObject *o = PyLong_FromUnsignedLongLong(ULLONG_MAX);

    assert_true(PyLong_AsUnsignedLongLong(o) == ULLONG_MAX);
    assert_true(PyLong_AsUnsignedLong(o) == ULONG_MAX);
    assert_true(PyLong_AsSize_t(o) == SIZE_MAX);
    assert_true(PyLong_AsUnsignedLongLongMask(o) == ULLONG_MAX);
    assert_true(PyLong_AsUnsignedLongMask(o) == ULONG_MAX);
    uint64_t u64;
    assert_int_equal(PyLong_AsUInt64(o, &u64), 0);
    assert_true(u64 == UINT64_MAX);
    int64_t i64;
    assert_int_equal(PyLong_AsInt64(o, &i64), -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C int64_t");
    uint32_t u32;
    assert_int_equal(PyLong_AsUInt32(o, &u32), -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C uint32_t");
    Py_DECREF(o);

    /* 2**64-1 + 1 overflows pymodrt's int itself. */
    o = PyLong_FromUnsignedLongLong(ULLONG_MAX);
    PyObject *one = PyLong_FromLong(1);
    assert_null(PyNumber_Add(o, one));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    PyObject *neg = int_neg_max();
    assert_true(PyLong_AsLongLong(neg) == -1);
    tu_assert_exc(PyExc_OverflowError, "int too big to convert");
    assert_null(PyNumber_Subtract(neg, one));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_true(PyLong_AsUnsignedLongLongMask(neg) == 1);   /* -(2**64-1) mod 2**64 */
    Py_DECREF(neg);
    Py_DECREF(o);
    Py_DECREF(one);

    /* Negative to unsigned: each function's own message. */
    o = PyLong_FromLong(-1);
    assert_true(PyLong_AsUnsignedLong(o) == (unsigned long)-1);
    tu_assert_exc(PyExc_OverflowError, "can't convert negative value to unsigned int");
    assert_true(PyLong_AsUnsignedLongLong(o) == (unsigned long long)-1);
    tu_assert_exc(PyExc_OverflowError, "can't convert negative int to unsigned");
    assert_true(PyLong_AsSize_t(o) == (size_t)-1);
    tu_assert_exc(PyExc_OverflowError, "can't convert negative value to size_t");
    assert_int_equal(PyLong_AsUInt32(o, &u32), -1);
    tu_assert_exc(PyExc_ValueError, "Cannot convert negative int");
    assert_int_equal(PyLong_AsUInt64(o, &u64), -1);
    tu_assert_exc(PyExc_ValueError, "Cannot convert negative int");
    assert_true(PyLong_AsUnsignedLongMask(o) == ULONG_MAX);
    assert_true(PyLong_AsUnsignedLongLongMask(o) == ULLONG_MAX);
    tu_assert_no_exc();

    /* 32-bit limits */
    int32_t i32;
    PyObject *big = PyLong_FromLong((long)INT32_MAX + 1);
    assert_int_equal(PyLong_AsInt32(big, &i32), -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C int32_t");
    Py_DECREF(big);
    big = PyLong_FromLong(INT32_MIN);
    assert_int_equal(PyLong_AsInt32(big, &i32), 0);
    assert_true(i32 == INT32_MIN);
    Py_DECREF(big);
    big = PyLong_FromUnsignedLong(UINT32_MAX);
    assert_int_equal(PyLong_AsUInt32(big, &u32), 0);
    assert_true(u32 == UINT32_MAX);
    Py_DECREF(big);
    big = PyLong_FromLongLong(LLONG_MIN);
    assert_int_equal(PyLong_AsInt64(big, &i64), 0);
    assert_true(i64 == INT64_MIN);
    Py_DECREF(big);
}

static void
test_non_int_arguments(void **state)
{
    (void)state;
    PyObject *s = PyUnicode_FromString("7"), *f = PyFloat_FromDouble(1.0);
    int ovf;
    int32_t i32;

    assert_true(PyLong_AsLong(s) == -1);
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    assert_true(PyLong_AsLongAndOverflow(s, &ovf) == -1 && ovf == 0);
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    assert_true(PyLong_AsLongLong(f) == -1);
    tu_assert_exc(PyExc_TypeError, "'float' object cannot be interpreted as an integer");
    assert_true(PyLong_AsInt(s) == -1);
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    assert_int_equal(PyLong_AsInt32(s, &i32), -1);
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    assert_true(PyLong_AsUnsignedLongMask(s) == (unsigned long)-1);
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");

    /* These require an int (CPython does not call __index__ here). */
    assert_true(PyLong_AsSsize_t(s) == -1);
    tu_assert_exc(PyExc_TypeError, "an integer is required");
    assert_true(PyLong_AsSize_t(s) == (size_t)-1);
    tu_assert_exc(PyExc_TypeError, "an integer is required");
    assert_true(PyLong_AsUnsignedLong(s) == (unsigned long)-1);
    tu_assert_exc(PyExc_TypeError, "an integer is required");
    assert_true(PyLong_AsUnsignedLongLong(s) == (unsigned long long)-1);
    tu_assert_exc(PyExc_TypeError, "an integer is required");
    assert_true(PyLong_AsDouble(s) == -1.0);
    tu_assert_exc(PyExc_TypeError, "an integer is required");

    assert_true(PyLong_AsLong(NULL) == -1);
    tu_assert_exc(PyExc_SystemError, NULL);

    /* __index__ through nb_index. */
    PyObject *idx = new_instance(&IdxType);
    index_value = 42;
    assert_int_equal(PyLong_AsLong(idx), 42);
    assert_int_equal(PyLong_AsInt(idx), 42);
    assert_int_equal(PyLong_AsInt32(idx, &i32), 0);
    assert_int_equal(i32, 42);
    assert_true(PyLong_AsUnsignedLongLongMask(idx) == 42);
    assert_int(PyNumber_Index(idx), 42);
    assert_int(PyNumber_Long(idx), 42);
    assert_float(PyNumber_Float(idx), 42.0);
    assert_true(PyFloat_AsDouble(idx) == 42.0);
    assert_int_equal(PyNumber_AsSsize_t(idx, NULL), 42);
    assert_true(PyIndex_Check(idx));
    assert_true(PyNumber_Check(idx));
    /* ... but AsSsize_t requires a real int. */
    assert_true(PyLong_AsSsize_t(idx) == -1);
    tu_assert_exc(PyExc_TypeError, "an integer is required");
    index_value = LONG_MAX;
    assert_true(PyLong_AsInt(idx) == -1);
    tu_assert_exc(PyExc_OverflowError, "Python int too large to convert to C int");
    index_float = 1;
    assert_true(PyLong_AsLong(idx) == -1);
    tu_assert_exc(PyExc_TypeError, "__index__ returned non-int (type float)");
    assert_null(PyNumber_Index(idx));
    tu_assert_exc(PyExc_TypeError, "__index__ returned non-int (type float)");
    index_float = 0;
    index_value = 42;
    Py_DECREF(idx);

    assert_false(PyIndex_Check(s));
    assert_false(PyNumber_Check(s));
    assert_null(PyNumber_Index(s));
    tu_assert_exc(PyExc_TypeError, "'str' object cannot be interpreted as an integer");
    Py_DECREF(s);
    Py_DECREF(f);
}

static void
test_number_as_ssize_t(void **state)
{
    (void)state;
    PyObject *big = PyLong_FromUnsignedLongLong(ULLONG_MAX), *neg = int_neg_max();

    assert_true(PyNumber_AsSsize_t(big, NULL) == PY_SSIZE_T_MAX);
    assert_true(PyNumber_AsSsize_t(neg, NULL) == PY_SSIZE_T_MIN);
    tu_assert_no_exc();
    assert_true(PyNumber_AsSsize_t(big, PyExc_IndexError) == -1);
    tu_assert_exc(PyExc_IndexError, "cannot fit 'int' into an index-sized integer");
    assert_true(PyNumber_AsSsize_t(neg, PyExc_OverflowError) == -1);
    tu_assert_exc(PyExc_OverflowError, "cannot fit 'int' into an index-sized integer");
    Py_DECREF(big);
    Py_DECREF(neg);
}

static void
test_void_ptr_and_double(void **state)
{
    (void)state;
    int x;
    PyObject *o = PyLong_FromVoidPtr(&x);

    assert_ptr_equal(PyLong_AsVoidPtr(o), &x);
    Py_DECREF(o);
    o = PyLong_FromLong(-1);
    assert_ptr_equal(PyLong_AsVoidPtr(o), (void *)(intptr_t)-1);
    tu_assert_no_exc();

    o = PyLong_FromUnsignedLongLong(ULLONG_MAX);
    assert_true(PyLong_AsDouble(o) == 18446744073709551616.0);
    Py_DECREF(o);
    o = PyLong_FromLongLong(-(1LL << 53) - 1);
    assert_true(PyLong_AsDouble(o) == -9007199254740992.0);   /* rounds to even */
    Py_DECREF(o);

    assert_int(PyLong_FromDouble(-3.99), -3);
    PyObject *e19 = PyLong_FromDouble(1e19);
    assert_true(PyLong_AsUnsignedLongLong(e19) == 10000000000000000000ULL);
    Py_DECREF(e19);
    assert_null(PyLong_FromDouble(18446744073709551616.0));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_null(PyLong_FromDouble(NAN));
    tu_assert_exc(PyExc_ValueError, "cannot convert float NaN to integer");
    assert_null(PyLong_FromDouble(-INFINITY));
    tu_assert_exc(PyExc_OverflowError, "cannot convert float infinity to integer");
}

/* ------------------------------------------------------ PyLong_FromString */

static void
from_string_ok(const char *s, int base, long long v, int neg_mag_max)
{
    char *end = NULL;
    PyObject *o = PyLong_FromString(s, &end, base);

    if (o == NULL)
        print_error("PyLong_FromString('%s', %d) failed\n", s, base);
    assert_non_null(o);
    assert_true(*end == '\0');
    if (neg_mag_max) {
        assert_true(PyLong_AsUnsignedLongLong(o) == ULLONG_MAX);
        Py_DECREF(o);
        return;
    }
    assert_int(o, v);
}

static void
from_string_bad(const char *s, int base, const char *msg)
{
    char *end = NULL;

    assert_null(PyLong_FromString(s, &end, base));
    tu_assert_exc(PyExc_ValueError, msg);
    assert_non_null(end);
}

static void
test_from_string(void **state)
{
    (void)state;
    from_string_ok("0", 10, 0, 0);
    from_string_ok("  -42 \n", 10, -42, 0);
    from_string_ok("+7", 0, 7, 0);
    from_string_ok("0x1f", 0, 31, 0);
    from_string_ok("0X1F", 16, 31, 0);
    from_string_ok("1f", 16, 31, 0);
    from_string_ok("0o17", 0, 15, 0);
    from_string_ok("0b101", 0, 5, 0);
    from_string_ok("0b101", 16, 0xb101, 0);   /* not a prefix in base 16 */
    from_string_ok("0x_ff", 0, 255, 0);
    from_string_ok("1_000_000", 10, 1000000, 0);
    from_string_ok("1_0", 0, 10, 0);
    from_string_ok("000", 0, 0, 0);
    from_string_ok("0_0", 0, 0, 0);
    from_string_ok("010", 10, 10, 0);
    from_string_ok("z", 36, 35, 0);
    from_string_ok("Zz", 36, 35 * 36 + 35, 0);
    from_string_ok("11", 2, 3, 0);
    from_string_ok("9223372036854775807", 10, LLONG_MAX, 0);
    from_string_ok("-9223372036854775808", 10, LLONG_MIN, 0);
    from_string_ok("18446744073709551615", 10, 0, 1);
    from_string_ok("0xffffffffffffffff", 0, 0, 1);

    from_string_bad("", 10, "invalid literal for int() with base 10: ''");
    from_string_bad("  ", 10, "invalid literal for int() with base 10: '  '");
    from_string_bad("12abc", 10, "invalid literal for int() with base 10: '12abc'");
    from_string_bad("1__0", 10, "invalid literal for int() with base 10: '1__0'");
    from_string_bad("_1", 10, "invalid literal for int() with base 10: '_1'");
    from_string_bad("1_", 10, "invalid literal for int() with base 10: '1_'");
    from_string_bad("010", 0, "invalid literal for int() with base 0: '010'");
    from_string_bad("0x", 0, "invalid literal for int() with base 0: '0x'");
    from_string_bad("0x__1", 0, "invalid literal for int() with base 0: '0x__1'");
    from_string_bad("2", 2, "invalid literal for int() with base 2: '2'");
    from_string_bad("0o8", 0, "invalid literal for int() with base 0: '0o8'");
    from_string_bad("- 1", 10, "invalid literal for int() with base 10: '- 1'");
    from_string_bad("1 2", 10, "invalid literal for int() with base 10: '1 2'");

    /* pend points at the offending character. */
    char *end = NULL;
    const char *s = "12abc";
    assert_null(PyLong_FromString(s, &end, 10));
    PyErr_Clear();
    assert_ptr_equal(end, s + 2);

    /* Long literals are cut to 200 characters in the message. */
    char lit[301], msg[300];
    memset(lit, 'q', 300);
    lit[300] = '\0';
    snprintf(msg, sizeof(msg), "invalid literal for int() with base 10: '%.200s'", lit);
    assert_null(PyLong_FromString(lit, NULL, 10));
    tu_assert_exc(PyExc_ValueError, msg);

    assert_null(PyLong_FromString("1", NULL, 1));
    tu_assert_exc(PyExc_ValueError, "int() arg 2 must be >= 2 and <= 36");
    assert_null(PyLong_FromString("1", NULL, 37));
    tu_assert_exc(PyExc_ValueError, "int() arg 2 must be >= 2 and <= 36");
    assert_null(PyLong_FromString("18446744073709551616", NULL, 10));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_null(PyLong_FromString("-18446744073709551616", NULL, 10));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);

    /* PyNumber_Long on text. */
    PyObject *t = PyUnicode_FromString(" 123 ");
    assert_int(PyNumber_Long(t), 123);
    Py_DECREF(t);
    t = PyUnicode_FromString("1.5");
    assert_null(PyNumber_Long(t));
    tu_assert_exc(PyExc_ValueError, "invalid literal for int() with base 10: '1.5'");
    Py_DECREF(t);
    t = PyBytes_FromString("-9");
    assert_int(PyNumber_Long(t), -9);
    Py_DECREF(t);
    assert_null(PyNumber_Long(Py_None));
    tu_assert_exc(PyExc_TypeError, "int() argument must be a string, a bytes-like object or a "
                                   "real number, not 'NoneType'");
    t = PyFloat_FromDouble(-2.75);
    assert_int(PyNumber_Long(t), -2);
    Py_DECREF(t);
}

/* ------------------------------------------------------------- arithmetic */

static PyObject *
I(long long v)
{
    return PyLong_FromLongLong(v);
}

/* Applies f to two fresh ints and returns the result (consumes nothing). */
static PyObject *
binop(PyObject *(*f)(PyObject *, PyObject *), long long a, long long b)
{
    PyObject *x = I(a), *y = I(b), *r = f(x, y);
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

static void
test_arithmetic(void **state)
{
    (void)state;
    assert_int(binop(PyNumber_Add, 2000, 3000), 5000);
    assert_int(binop(PyNumber_Add, -2000, 3000), 1000);
    assert_int(binop(PyNumber_Subtract, 5, 3000), -2995);
    assert_int(binop(PyNumber_Multiply, -7, 6), -42);
    assert_int(binop(PyNumber_Multiply, -7, 0), 0);
    assert_int(binop(PyNumber_FloorDivide, 7, 2), 3);
    assert_int(binop(PyNumber_FloorDivide, -7, 2), -4);
    assert_int(binop(PyNumber_FloorDivide, 7, -2), -4);
    assert_int(binop(PyNumber_FloorDivide, -7, -2), 3);
    assert_int(binop(PyNumber_FloorDivide, -8, 2), -4);
    assert_int(binop(PyNumber_Remainder, 7, 2), 1);
    assert_int(binop(PyNumber_Remainder, -7, 2), 1);
    assert_int(binop(PyNumber_Remainder, 7, -2), -1);
    assert_int(binop(PyNumber_Remainder, -7, -2), -1);
    assert_int(binop(PyNumber_Remainder, -8, 2), 0);
    assert_float(binop(PyNumber_TrueDivide, 1, 2), 0.5);
    assert_float(binop(PyNumber_TrueDivide, -1, 4), -0.25);
}

static void
test_arithmetic_limits(void **state)
{
    (void)state;
    PyObject *max = PyLong_FromUnsignedLongLong(ULLONG_MAX), *neg = int_neg_max();
    PyObject *two = I(2), *m1 = I(-1), *zero = I(0), *r;

    r = PyNumber_Add(max, neg);
    assert_int(r, 0);
    r = PyNumber_Multiply(max, m1);
    assert_true(PyLong_AsUnsignedLongLongMask(r) == 1 && PyNumber_Check(r));
    Py_DECREF(r);
    assert_null(PyNumber_Multiply(max, two));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_null(PyNumber_Multiply(neg, two));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_null(PyNumber_Subtract(neg, two));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    /* LLONG_MIN // -1 does not overflow here (2**63 fits). */
    r = binop(PyNumber_FloorDivide, LLONG_MIN, -1);
    assert_true(PyLong_AsUnsignedLongLong(r) == 9223372036854775808ULL);
    Py_DECREF(r);
    r = PyNumber_FloorDivide(neg, m1);
    assert_true(PyLong_AsUnsignedLongLong(r) == ULLONG_MAX);
    Py_DECREF(r);

    assert_null(PyNumber_FloorDivide(two, zero));
    tu_assert_exc(PyExc_ZeroDivisionError, "division by zero");
    assert_null(PyNumber_Remainder(two, zero));
    tu_assert_exc(PyExc_ZeroDivisionError, "division by zero");
    assert_null(PyNumber_TrueDivide(two, zero));
    tu_assert_exc(PyExc_ZeroDivisionError, "division by zero");

    r = PyNumber_Negative(max);
    assert_true(PyLong_AsUnsignedLongLongMask(r) == 1);
    Py_DECREF(r);
    r = PyNumber_Absolute(neg);
    assert_true(PyLong_AsUnsignedLongLong(r) == ULLONG_MAX);
    Py_DECREF(r);
    assert_int(PyNumber_Absolute(m1), 1);
    assert_int(PyNumber_Negative(zero), 0);

    /* Shifts and bitwise ops through the type slots. */
    PyNumberMethods *nb = PyLong_Type.tp_as_number;
    PyObject *s63 = I(63), *s64 = I(64), *one = I(1), *m7 = I(-7);
    r = nb->nb_lshift(one, s63);
    assert_true(PyLong_AsUnsignedLongLong(r) == 1ULL << 63);
    Py_DECREF(r);
    assert_null(nb->nb_lshift(two, s63));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_null(nb->nb_lshift(one, s64));
    tu_assert_exc(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    assert_null(nb->nb_rshift(one, m1));
    tu_assert_exc(PyExc_ValueError, "negative shift count");
    assert_int(nb->nb_rshift(m7, one), -4);
    assert_int(nb->nb_rshift(m7, s64), -1);
    assert_int(nb->nb_and(m7, s63), 57);
    assert_int(nb->nb_or(m7, two), -5);
    assert_int(nb->nb_xor(m7, m1), 6);
    assert_int(nb->nb_invert(m7), 6);
    Py_DECREF(s63);
    Py_DECREF(s64);
    Py_DECREF(one);
    Py_DECREF(m7);

    Py_DECREF(max);
    Py_DECREF(neg);
    Py_DECREF(two);
    Py_DECREF(m1);
    Py_DECREF(zero);
}

static void
test_mixed_and_errors(void **state)
{
    (void)state;
    PyObject *i = I(3), *f = PyFloat_FromDouble(0.5), *s = PyUnicode_FromString("x");

    assert_float(PyNumber_Add(i, f), 3.5);
    assert_float(PyNumber_Add(f, i), 3.5);
    assert_float(PyNumber_Multiply(i, f), 1.5);
    assert_float(PyNumber_TrueDivide(i, f), 6.0);
    assert_float(PyNumber_FloorDivide(i, f), 6.0);
    assert_float(PyNumber_Subtract(f, i), -2.5);
    assert_null(PyNumber_Add(i, s));
    tu_assert_exc(PyExc_TypeError, "unsupported operand type(s) for +: 'int' and 'str'");
    assert_null(PyNumber_Subtract(s, f));
    tu_assert_exc(PyExc_TypeError, "unsupported operand type(s) for -: 'str' and 'float'");
    assert_null(PyNumber_Remainder(i, Py_None));
    tu_assert_exc(PyExc_TypeError, "unsupported operand type(s) for %: 'int' and 'NoneType'");
    assert_null(PyNumber_FloorDivide(Py_None, i));
    tu_assert_exc(PyExc_TypeError, "unsupported operand type(s) for //: 'NoneType' and 'int'");
    assert_null(PyNumber_TrueDivide(Py_None, i));
    tu_assert_exc(PyExc_TypeError, "unsupported operand type(s) for /: 'NoneType' and 'int'");
    assert_null(PyNumber_Negative(s));
    tu_assert_exc(PyExc_TypeError, "bad operand type for unary -: 'str'");
    assert_null(PyNumber_Absolute(s));
    tu_assert_exc(PyExc_TypeError, "bad operand type for abs(): 'str'");
    PyObject *l = PyList_New(0);
    assert_null(PyNumber_Multiply(f, l));
    tu_assert_exc(PyExc_TypeError, "can't multiply sequence by non-int of type 'float'");
    Py_DECREF(l);
    Py_DECREF(i);
    Py_DECREF(f);
    Py_DECREF(s);
}

/* ------------------------------------------------------- compare and hash */

static Py_hash_t
hash_of(PyObject *o)
{
    Py_hash_t h = PyObject_Hash(o);
    Py_DECREF(o);
    return h;
}

static int
cmp(PyObject *a, PyObject *b, int op)
{
    int r = PyObject_RichCompareBool(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return r;
}

static void
test_compare_and_hash(void **state)
{
    (void)state;
    assert_true(cmp(I(-3), I(2), Py_LT));
    assert_true(cmp(I(2), I(2), Py_GE));
    assert_false(cmp(I(2), I(3), Py_EQ));
    assert_true(cmp(int_neg_max(), PyLong_FromUnsignedLongLong(ULLONG_MAX), Py_LT));
    /* Exact int/float comparison, beyond 2**53. */
    assert_true(cmp(I((1LL << 53) + 1), PyFloat_FromDouble(9007199254740992.0), Py_GT));
    assert_true(cmp(PyFloat_FromDouble(9007199254740992.0), I((1LL << 53) + 1), Py_LT));
    assert_true(cmp(PyFloat_FromDouble(9007199254740992.0), I(1LL << 53), Py_EQ));
    assert_true(cmp(PyFloat_FromDouble(2.5), I(2), Py_GT));
    assert_true(cmp(PyFloat_FromDouble(-2.5), I(-2), Py_LT));
    assert_true(cmp(PyFloat_FromDouble(1e30), PyLong_FromUnsignedLongLong(ULLONG_MAX), Py_GT));
    assert_true(cmp(PyFloat_FromDouble(-INFINITY), int_neg_max(), Py_LT));
    assert_false(cmp(PyFloat_FromDouble(NAN), I(0), Py_EQ));
    assert_true(cmp(PyFloat_FromDouble(NAN), I(0), Py_NE));
    assert_false(cmp(PyFloat_FromDouble(NAN), I(0), Py_GE));
    assert_true(cmp(Py_True, I(1), Py_EQ));

    assert_true(hash_of(I(-1)) == -2);
    assert_true(hash_of(I(12345)) == 12345);
    assert_true(hash_of(I(-12345)) == -12345);
    assert_true(hash_of(PyLong_FromUnsignedLongLong(ULLONG_MAX)) == 7);
    assert_true(hash_of(PyLong_FromUnsignedLongLong((1ULL << 61) - 1)) == 0);
    assert_true(hash_of(int_neg_max()) == -7);
    assert_true(hash_of(PyFloat_FromDouble(1.0)) == 1);
    assert_true(hash_of(PyFloat_FromDouble(-1.0)) == -2);
    assert_true(hash_of(PyFloat_FromDouble(0.5)) == (Py_hash_t)1 << 60);
    assert_true(hash_of(PyFloat_FromDouble(1e19)) == hash_of(PyLong_FromUnsignedLongLong(10000000000000000000ULL)));
    assert_true(hash_of(PyFloat_FromDouble(INFINITY)) == 314159);
    assert_true(hash_of(PyFloat_FromDouble(-INFINITY)) == -314159);
    assert_true(hash_of(PyFloat_FromDouble(-0.0)) == 0);
    assert_true(hash_of(PyFloat_FromDouble(1.5)) == 1152921504606846977);
    assert_true(hash_of(Py_NewRef(Py_True)) == 1);
    assert_true(hash_of(Py_NewRef(Py_False)) == 0);
}

/* ------------------------------------------------------------------ repr */

static void
test_int_repr(void **state)
{
    (void)state;
    PyObject *o = I(0);
    assert_repr(o, "0");
    o = I(-5);
    assert_repr(o, "-5");
    o = I(LLONG_MIN);
    assert_repr(o, "-9223372036854775808");
    assert_str(o, "-9223372036854775808");
    Py_DECREF(o);
    o = PyLong_FromUnsignedLongLong(ULLONG_MAX);
    assert_repr(o, "18446744073709551615");
    Py_DECREF(o);
    o = int_neg_max();
    assert_repr(o, "-18446744073709551615");
    Py_DECREF(o);
}

static void
check_float_repr(double v, const char *expected)
{
    PyObject *o = PyFloat_FromDouble(v);
    assert_repr(o, expected);
    assert_str(o, expected);
    /* The repr reads back to the same double. */
    PyObject *s = PyObject_Repr(o), *back = PyFloat_FromString(s);
    assert_non_null(back);
    if (!isnan(v))
        assert_true(PyFloat_AS_DOUBLE(back) == v);
    Py_DECREF(back);
    Py_DECREF(s);
    Py_DECREF(o);
}

static void
test_float_repr(void **state)
{
    (void)state;
    check_float_repr(1.0, "1.0");
    check_float_repr(-1.0, "-1.0");
    check_float_repr(0.0, "0.0");
    check_float_repr(-0.0, "-0.0");
    check_float_repr(0.1, "0.1");
    check_float_repr(0.1 + 0.2, "0.30000000000000004");
    check_float_repr(1.0 / 3.0, "0.3333333333333333");
    check_float_repr(2.5, "2.5");
    check_float_repr(123456789.125, "123456789.125");
    check_float_repr(1e15, "1000000000000000.0");
    check_float_repr(1e16, "1e+16");
    check_float_repr(1.5e16, "1.5e+16");
    check_float_repr(9999999999999998.0, "9999999999999998.0");
    check_float_repr(1e-4, "0.0001");
    check_float_repr(1.5e-4, "0.00015");
    check_float_repr(1e-5, "1e-05");
    check_float_repr(-1.25e-7, "-1.25e-07");
    check_float_repr(1e100, "1e+100");
    check_float_repr(DBL_MAX, "1.7976931348623157e+308");
    check_float_repr(5e-324, "5e-324");
    check_float_repr(INFINITY, "inf");
    check_float_repr(-INFINITY, "-inf");
    check_float_repr(NAN, "nan");
}

/* ----------------------------------------------------------------- float */

static void
test_float_conversions(void **state)
{
    (void)state;
    PyObject *o, *s;

    assert_true(PyFloat_GetMax() == DBL_MAX);
    assert_true(PyFloat_GetMin() == DBL_MIN);
    o = I(-7);
    assert_true(PyFloat_AsDouble(o) == -7.0);
    assert_float(PyNumber_Float(o), -7.0);
    Py_DECREF(o);
    o = PyFloat_FromDouble(2.5);
    assert_ptr_equal(PyNumber_Float(o), o);
    Py_DECREF(o);
    assert_int(PyNumber_Long(o), 2);
    Py_DECREF(o);

    s = PyUnicode_FromString("x");
    assert_true(PyFloat_AsDouble(s) == -1.0);
    tu_assert_exc(PyExc_TypeError, "must be real number, not str");
    assert_null(PyNumber_Float(Py_None));
    tu_assert_exc(PyExc_TypeError, "float() argument must be a string or a real number, not 'NoneType'");
    assert_true(PyFloat_AsDouble(NULL) == -1.0);
    tu_assert_exc(PyExc_TypeError, NULL);
    Py_DECREF(s);

    PyObject *flt = new_instance(&FltType);
    assert_true(PyFloat_AsDouble(flt) == 2.25);
    assert_float(PyNumber_Float(flt), 2.25);
    assert_true(PyNumber_Check(flt));
    Py_DECREF(flt);

    static const struct { const char *text; double v; } good[] = {
        {"1.5", 1.5}, {"  -2.25\n", -2.25}, {"1_000.5", 1000.5}, {"1e3", 1000.0},
        {"1E-2", 0.01}, {".5", 0.5}, {"5.", 5.0}, {"+inf", INFINITY}, {"-Infinity", -INFINITY},
        {"1e400", INFINITY}, {"0_1", 1.0}, {"-0", -0.0},
    };
    for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
        s = PyUnicode_FromString(good[k].text);
        assert_float(PyFloat_FromString(s), good[k].v);
        assert_float(PyNumber_Float(s), good[k].v);
        Py_DECREF(s);
    }
    s = PyUnicode_FromString("nan");
    o = PyFloat_FromString(s);
    assert_true(isnan(PyFloat_AS_DOUBLE(o)));
    Py_DECREF(o);
    Py_DECREF(s);
    static const char *const bad[] = {"", "abc", "1_", "_1", "1__0", "1e", "0x10", "1.5j",
                                      "infinit", "nan(1)", ".", "e5", "1 2", "1._5"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        char msg[100];
        s = PyUnicode_FromString(bad[k]);
        snprintf(msg, sizeof(msg), "could not convert string to float: '%s'", bad[k]);
        assert_null(PyFloat_FromString(s));
        tu_assert_exc(PyExc_ValueError, msg);
        Py_DECREF(s);
    }
    s = PyBytes_FromString("4.5");
    assert_float(PyFloat_FromString(s), 4.5);
    Py_DECREF(s);
    s = PyBytes_FromString("x");
    assert_null(PyFloat_FromString(s));
    tu_assert_exc(PyExc_ValueError, "could not convert string to float: b'x'");
    Py_DECREF(s);
}

static PyObject *
F(double v)
{
    return PyFloat_FromDouble(v);
}

static PyObject *
fbinop(PyObject *(*f)(PyObject *, PyObject *), double a, double b)
{
    PyObject *x = F(a), *y = F(b), *r = f(x, y);
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

static void
test_float_arithmetic(void **state)
{
    (void)state;
    assert_float(fbinop(PyNumber_FloorDivide, 7.5, 2.0), 3.0);
    assert_float(fbinop(PyNumber_FloorDivide, -7.5, 2.0), -4.0);
    assert_float(fbinop(PyNumber_Remainder, -7.5, 2.0), 0.5);
    assert_float(fbinop(PyNumber_Remainder, 7.5, -2.0), -0.5);
    assert_float(fbinop(PyNumber_Remainder, -4.0, 2.0), 0.0);
    assert_float(fbinop(PyNumber_Remainder, 4.0, -2.0), -0.0);
    assert_float(fbinop(PyNumber_TrueDivide, 1.0, 4.0), 0.25);
    assert_null(fbinop(PyNumber_TrueDivide, 1.0, 0.0));
    tu_assert_exc(PyExc_ZeroDivisionError, "division by zero");
    assert_null(fbinop(PyNumber_FloorDivide, 1.0, -0.0));
    tu_assert_exc(PyExc_ZeroDivisionError, "division by zero");
    assert_null(fbinop(PyNumber_Remainder, 1.0, 0.0));
    tu_assert_exc(PyExc_ZeroDivisionError, "division by zero");
    PyObject *f = F(-2.5);
    assert_float(PyNumber_Negative(f), 2.5);
    assert_float(PyNumber_Absolute(f), 2.5);
    assert_int(PyNumber_Long(f), -2);
    assert_int_equal(PyObject_IsTrue(f), 1);
    Py_DECREF(f);
    f = F(0.0);
    assert_int_equal(PyObject_IsTrue(f), 0);
    Py_DECREF(f);
    f = F(INFINITY);
    assert_null(PyNumber_Long(f));
    tu_assert_exc(PyExc_OverflowError, "cannot convert float infinity to integer");
    Py_DECREF(f);
}

/* ------------------------------------------------------------------ bool */

static void
test_bool(void **state)
{
    (void)state;
    assert_ptr_equal(PyBool_FromLong(5), Py_True);
    assert_ptr_equal(PyBool_FromLong(0), Py_False);
    assert_true(Py_IsTrue(Py_True));
    assert_false(Py_IsTrue(Py_False));
    assert_true(Py_IsFalse(Py_False));
    assert_true((Py_IsTrue)(Py_True));
    assert_true((Py_IsFalse)(Py_False));
    assert_false((Py_IsFalse)(Py_True));
    assert_true(PyBool_Check(Py_True));
    assert_true(PyLong_Check(Py_True));
    assert_false(PyLong_CheckExact(Py_True));
    assert_true(PyType_IsSubtype(&PyBool_Type, &PyLong_Type));
    assert_ptr_equal(PyBool_Type.tp_base, &PyLong_Type);
    assert_true(_Py_IsImmortal(Py_True) && _Py_IsImmortal(Py_False));
    int64_t w = _Py_RefcntWord(Py_True);
    Py_INCREF(Py_True);
    Py_DECREF(Py_True);
    Py_DECREF(Py_True);   /* an extra decref of an immortal is harmless */
    assert_true(_Py_RefcntWord(Py_True) == w);
    assert_repr(Py_True, "True");
    assert_repr(Py_False, "False");
    assert_str(Py_True, "True");
    assert_int_equal(PyLong_AsLong(Py_True), 1);
    assert_int_equal(PyLong_AsLong(Py_False), 0);
    assert_int_equal(PyObject_IsTrue(Py_True), 1);
    assert_int_equal(PyObject_IsTrue(Py_False), 0);
    assert_int(PyNumber_Add(Py_True, Py_True), 2);
    assert_int(PyNumber_Index(Py_True), 1);
    assert_int(PyNumber_Long(Py_True), 1);
    assert_int(PyNumber_Negative(Py_True), -1);
    PyNumberMethods *nb = PyBool_Type.tp_as_number;
    assert_ptr_equal(nb->nb_and(Py_True, Py_False), Py_False);
    assert_ptr_equal(nb->nb_or(Py_True, Py_False), Py_True);
    assert_ptr_equal(nb->nb_xor(Py_True, Py_True), Py_False);
    PyObject *three = I(3);
    assert_int(nb->nb_and(Py_True, three), 1);
    Py_DECREF(three);
    assert_float(PyNumber_TrueDivide(Py_True, Py_True), 1.0);
    assert_true(PyObject_Hash(Py_True) == 1);
}

/* ------------------------------------------------------ allocation failure */

static PyObject *sweep_result;

static int
op_from_long(void *ctx)
{
    (void)ctx;
    sweep_result = PyLong_FromLong(100000);
    return sweep_result ? 0 : -1;
}

static int
op_add(void *ctx)
{
    PyObject *a = PyLong_FromLong(2000), *b, *r = NULL;
    (void)ctx;
    if (a == NULL)
        return -1;
    b = PyLong_FromLong(3000);
    if (b != NULL)
        r = PyNumber_Add(a, b);
    Py_DECREF(a);
    Py_XDECREF(b);
    sweep_result = r;
    return r ? 0 : -1;
}

static int
op_from_string(void *ctx)
{
    (void)ctx;
    sweep_result = PyLong_FromString("123456", NULL, 0);
    return sweep_result ? 0 : -1;
}

static int
op_bad_string(void *ctx)
{
    (void)ctx;
    /* Succeeds when it raises the ValueError; fails on MemoryError. */
    sweep_result = NULL;
    if (PyLong_FromString("12x", NULL, 10) != NULL)
        return -1;
    if (!PyErr_ExceptionMatches(PyExc_ValueError))
        return -1;
    PyErr_Clear();
    return 0;
}

static int
op_int_repr(void *ctx)
{
    PyObject *o = PyLong_FromLong(-123456789);
    (void)ctx;
    if (o == NULL)
        return -1;
    sweep_result = PyObject_Repr(o);
    Py_DECREF(o);
    return sweep_result ? 0 : -1;
}

static int
op_float(void *ctx)
{
    PyObject *s = PyUnicode_FromString(" 2.5e3 ");
    (void)ctx;
    if (s == NULL)
        return -1;
    sweep_result = PyFloat_FromString(s);
    Py_DECREF(s);
    return sweep_result ? 0 : -1;
}

static int
op_float_repr(void *ctx)
{
    PyObject *f = PyFloat_FromDouble(0.1);
    (void)ctx;
    if (f == NULL)
        return -1;
    sweep_result = PyObject_Repr(f);
    Py_DECREF(f);
    return sweep_result ? 0 : -1;
}

static int
op_divmod(void *ctx)
{
    PyObject *a = PyLong_FromLong(-70000), *b;
    (void)ctx;
    if (a == NULL)
        return -1;
    b = PyLong_FromLong(3000);
    sweep_result = b ? PyLong_Type.tp_as_number->nb_divmod(a, b) : NULL;
    Py_DECREF(a);
    Py_XDECREF(b);
    return sweep_result ? 0 : -1;
}

static void
undo_result(void *ctx)
{
    (void)ctx;
    Py_CLEAR(sweep_result);
}

static void
test_alloc_failures(void **state)
{
    (void)state;
    assert_int_equal(tu_alloc_failure_sweep(op_from_long, undo_result, NULL, PyExc_MemoryError), 1);
    assert_true(tu_alloc_failure_sweep(op_add, undo_result, NULL, PyExc_MemoryError) >= 3);
    assert_int_equal(tu_alloc_failure_sweep(op_from_string, undo_result, NULL, PyExc_MemoryError), 1);
    assert_true(tu_alloc_failure_sweep(op_bad_string, undo_result, NULL, PyExc_MemoryError) >= 1);
    assert_true(tu_alloc_failure_sweep(op_int_repr, undo_result, NULL, PyExc_MemoryError) >= 2);
    assert_true(tu_alloc_failure_sweep(op_float, undo_result, NULL, PyExc_MemoryError) >= 3);
    assert_true(tu_alloc_failure_sweep(op_float_repr, undo_result, NULL, PyExc_MemoryError) >= 2);
    assert_true(tu_alloc_failure_sweep(op_divmod, undo_result, NULL, PyExc_MemoryError) >= 4);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_ints),
        cmocka_unit_test(test_as_long_limits),
        cmocka_unit_test(test_as_unsigned_limits),
        cmocka_unit_test(test_non_int_arguments),
        cmocka_unit_test(test_number_as_ssize_t),
        cmocka_unit_test(test_void_ptr_and_double),
        cmocka_unit_test(test_from_string),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_arithmetic_limits),
        cmocka_unit_test(test_mixed_and_errors),
        cmocka_unit_test(test_compare_and_hash),
        cmocka_unit_test(test_int_repr),
        cmocka_unit_test(test_float_repr),
        cmocka_unit_test(test_float_conversions),
        cmocka_unit_test(test_float_arithmetic),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, tu_runtime_up, tu_runtime_down);
}
