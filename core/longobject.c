/* longobject.c: int, and the abstract number protocol (PyNumber_*).
 *
 * Representation (include/longobject.h): a sign flag and a 64-bit magnitude,
 * so every int is in -(2**64-1) .. 2**64-1.  Zero is never negative.  An
 * operation whose exact result leaves that range raises OverflowError with
 * NUM_INT_OVERFLOW_MSG; nothing is silently wrapped.  Arithmetic is done on
 * a signed 128-bit intermediate (num_i128), which holds any sum or
 * difference of two ints exactly; products are checked on the magnitudes.
 *
 * Invariants:
 *   - int objects are immutable after creation: no field is ever written
 *     once the object is visible, so no synchronization is needed.
 *   - The small ints -5 .. 1024 are static immortal objects (num_small_ints):
 *     creating one allocates nothing and Py_INCREF/Py_DECREF on it write
 *     nothing.  Every constructor returns the static object for those values.
 *   - Conversion functions follow CPython's contract: non-int arguments go
 *     through __index__ (tp_as_number->nb_index) where CPython does, and the
 *     error messages are CPython 3.14's.
 *
 * File map: small ints; construction; conversions to C; PyLong_FromString;
 * number slots; the type object; PyNumber_Index/Long/Float/AsSsize_t and the
 * binary/unary PyNumber_* dispatch. */
#include "internal/pycore.h"

#include <float.h>
#include <math.h>

/* ------------------------------------------------------------- small ints */

#define NUM_SMALL_NEG 5
#define NUM_SMALL_POS 1024
#define NUM_SMALL_COUNT (NUM_SMALL_NEG + NUM_SMALL_POS + 1)

/* Entry i holds the value i - NUM_SMALL_NEG. */
#define SI(i) { PyObject_HEAD_INIT(&PyLong_Type) \
                (uint64_t)((i) < NUM_SMALL_NEG ? NUM_SMALL_NEG - (i) : (i) - NUM_SMALL_NEG), \
                (i) < NUM_SMALL_NEG },
#define SI10(b) SI((b) + 0) SI((b) + 1) SI((b) + 2) SI((b) + 3) SI((b) + 4) \
                SI((b) + 5) SI((b) + 6) SI((b) + 7) SI((b) + 8) SI((b) + 9)
#define SI100(b) SI10((b) + 0) SI10((b) + 10) SI10((b) + 20) SI10((b) + 30) SI10((b) + 40) \
                 SI10((b) + 50) SI10((b) + 60) SI10((b) + 70) SI10((b) + 80) SI10((b) + 90)

/* immutable (static, immortal) */
static PyLongObject num_small_ints[NUM_SMALL_COUNT] = {
    SI100(0) SI100(100) SI100(200) SI100(300) SI100(400)
    SI100(500) SI100(600) SI100(700) SI100(800) SI100(900)
    SI10(1000) SI10(1010) SI10(1020)
};
_Static_assert(NUM_SMALL_COUNT == 1030, "small int table size");

#undef SI
#undef SI10
#undef SI100

/* --------------------------------------------------------------- helpers */

static inline num_i128
long_value(PyObject *op)
{
    PyLongObject *v = (PyLongObject *)op;

    return v->lv_neg ? -(num_i128)v->lv_mag : (num_i128)v->lv_mag;
}

num_i128
num_long_value(PyObject *op)
{
    return long_value(op);
}

static PyObject *
long_overflow(void)
{
    PyErr_SetString(PyExc_OverflowError, NUM_INT_OVERFLOW_MSG);
    return NULL;
}

/* New reference to the int neg ? -mag : mag.  Allocates only outside the
 * small-int range. */
static PyObject *
long_from_parts(int neg, uint64_t mag)
{
    PyLongObject *v;

    if (mag == 0)
        neg = 0;
    if (neg ? mag <= NUM_SMALL_NEG : mag <= NUM_SMALL_POS)
        return (PyObject *)&num_small_ints[neg ? NUM_SMALL_NEG - (Py_ssize_t)mag
                                               : NUM_SMALL_NEG + (Py_ssize_t)mag];
    v = PyObject_Malloc(sizeof(PyLongObject));
    if (v == NULL)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)v, &PyLong_Type);
    v->lv_mag = mag;
    v->lv_neg = neg;
    return (PyObject *)v;
}

PyObject *
num_long_from_i128(num_i128 x)
{
    if (x > (num_i128)UINT64_MAX || x < -(num_i128)UINT64_MAX)
        return long_overflow();
    return x < 0 ? long_from_parts(1, (uint64_t)-x) : long_from_parts(0, (uint64_t)x);
}

/* Exact int copy of an int subclass instance (or a new reference to an
 * exact int). */
static PyObject *
long_exact(PyObject *op)
{
    PyLongObject *v = (PyLongObject *)op;

    if (PyLong_CheckExact(op))
        return Py_NewRef(op);
    return long_from_parts(v->lv_neg, v->lv_mag);
}

/* ----------------------------------------------------------- construction */

PyObject *
PyLong_FromLong(long v)
{
    return v < 0 ? long_from_parts(1, 0 - (uint64_t)v) : long_from_parts(0, (uint64_t)v);
}

PyObject *
PyLong_FromUnsignedLong(unsigned long v)
{
    return long_from_parts(0, v);
}

PyObject *
PyLong_FromSize_t(size_t v)
{
    return long_from_parts(0, v);
}

PyObject *
PyLong_FromSsize_t(Py_ssize_t v)
{
    return PyLong_FromLong(v);
}

PyObject *
PyLong_FromLongLong(long long v)
{
    return PyLong_FromLong(v);
}

PyObject *
PyLong_FromUnsignedLongLong(unsigned long long v)
{
    return long_from_parts(0, v);
}

PyObject *
PyLong_FromInt32(int32_t v)
{
    return PyLong_FromLong(v);
}

PyObject *
PyLong_FromInt64(int64_t v)
{
    return PyLong_FromLong(v);
}

PyObject *
PyLong_FromUInt32(uint32_t v)
{
    return long_from_parts(0, v);
}

PyObject *
PyLong_FromUInt64(uint64_t v)
{
    return long_from_parts(0, v);
}

PyObject *
PyLong_FromVoidPtr(void *p)
{
    return long_from_parts(0, (uint64_t)(uintptr_t)p);
}

PyObject *
PyLong_FromDouble(double d)
{
    double t;

    if (isinf(d)) {
        PyErr_SetString(PyExc_OverflowError, "cannot convert float infinity to integer");
        return NULL;
    }
    if (isnan(d)) {
        PyErr_SetString(PyExc_ValueError, "cannot convert float NaN to integer");
        return NULL;
    }
    t = trunc(fabs(d));
    /* 2**64 is exactly representable; every double below it fits. */
    if (t >= 18446744073709551616.0)
        return long_overflow();
    return long_from_parts(d < 0, (uint64_t)t);
}

/* --------------------------------------------------------- index protocol */

/* Like CPython's _PyNumber_Index: an int (possibly a subclass instance),
 * new reference, via nb_index for other objects. */
PyObject *
num_index(PyObject *item)
{
    PyNumberMethods *nb;
    PyObject *res;

    if (item == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    if (PyLong_Check(item))
        return Py_NewRef(item);
    nb = Py_TYPE(item)->tp_as_number;
    if (nb == NULL || nb->nb_index == NULL) {
        PyErr_Format(PyExc_TypeError, "'%.200s' object cannot be interpreted as an integer",
                     Py_TYPE(item)->tp_name);
        return NULL;
    }
    res = nb->nb_index(item);
    if (res == NULL || PyLong_CheckExact(res))
        return res;
    if (!PyLong_Check(res)) {
        PyErr_Format(PyExc_TypeError, "__index__ returned non-int (type %.200s)",
                     Py_TYPE(res)->tp_name);
        Py_DECREF(res);
        return NULL;
    }
    if (PyErr_WarnFormat(PyExc_DeprecationWarning, 1,
                         "__index__ returned non-int (type %.200s).  "
                         "The ability to return an instance of a strict subclass of int "
                         "is deprecated, and may be removed in a future version of Python.",
                         Py_TYPE(res)->tp_name) < 0) {
        Py_DECREF(res);
        return NULL;
    }
    return res;
}

PyObject *
PyNumber_Index(PyObject *item)
{
    PyObject *res = num_index(item);

    if (res != NULL && !PyLong_CheckExact(res))
        Py_SETREF(res, long_exact(res));
    return res;
}

int
PyIndex_Check(PyObject *obj)
{
    PyNumberMethods *nb = Py_TYPE(obj)->tp_as_number;

    return nb != NULL && nb->nb_index != NULL;
}

int
PyNumber_Check(PyObject *o)
{
    PyNumberMethods *nb;

    if (o == NULL)
        return 0;
    nb = Py_TYPE(o)->tp_as_number;
    return nb != NULL && (nb->nb_index != NULL || nb->nb_int != NULL || nb->nb_float != NULL);
}

Py_ssize_t
PyNumber_AsSsize_t(PyObject *item, PyObject *err)
{
    PyObject *value = num_index(item);
    num_i128 v;

    if (value == NULL)
        return -1;
    v = long_value(value);
    Py_DECREF(value);
    if (v >= PY_SSIZE_T_MIN && v <= PY_SSIZE_T_MAX)
        return (Py_ssize_t)v;
    if (err == NULL)
        return v < 0 ? PY_SSIZE_T_MIN : PY_SSIZE_T_MAX;
    PyErr_Format(err, "cannot fit '%.200s' into an index-sized integer", Py_TYPE(item)->tp_name);
    return -1;
}

/* ------------------------------------------------------ conversions to C */

/* Reads the value of 'vv' after __index__ (if 'use_index') or requires an
 * int ("an integer is required").  Returns 0 or -1 with an error set. */
static int
long_get(PyObject *vv, int use_index, num_i128 *out)
{
    PyObject *v;

    if (vv == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (PyLong_Check(vv)) {
        *out = long_value(vv);
        return 0;
    }
    if (!use_index) {
        PyErr_SetString(PyExc_TypeError, "an integer is required");
        return -1;
    }
    v = num_index(vv);
    if (v == NULL)
        return -1;
    *out = long_value(v);
    Py_DECREF(v);
    return 0;
}

long long
PyLong_AsLongLongAndOverflow(PyObject *vv, int *overflow)
{
    num_i128 v;

    *overflow = 0;
    if (long_get(vv, 1, &v) < 0)
        return -1;
    if (v > LLONG_MAX) {
        *overflow = 1;
        return -1;
    }
    if (v < LLONG_MIN) {
        *overflow = -1;
        return -1;
    }
    return (long long)v;
}

long
PyLong_AsLongAndOverflow(PyObject *vv, int *overflow)
{
    return PyLong_AsLongLongAndOverflow(vv, overflow);
}

long
PyLong_AsLong(PyObject *vv)
{
    int overflow;
    long r = PyLong_AsLongAndOverflow(vv, &overflow);

    if (overflow) {
        PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C long");
        return -1;
    }
    return r;
}

int
PyLong_AsInt(PyObject *vv)
{
    int overflow;
    long r = PyLong_AsLongAndOverflow(vv, &overflow);

    if (overflow || r > INT_MAX || r < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    return (int)r;
}

Py_ssize_t
PyLong_AsSsize_t(PyObject *vv)
{
    num_i128 v;

    if (long_get(vv, 0, &v) < 0)
        return -1;
    if (v > PY_SSIZE_T_MAX || v < PY_SSIZE_T_MIN) {
        PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C ssize_t");
        return -1;
    }
    return (Py_ssize_t)v;
}

size_t
PyLong_AsSize_t(PyObject *vv)
{
    num_i128 v;

    if (long_get(vv, 0, &v) < 0)
        return (size_t)-1;
    if (v < 0) {
        PyErr_SetString(PyExc_OverflowError, "can't convert negative value to size_t");
        return (size_t)-1;
    }
    if (v > (num_i128)SIZE_MAX) {
        PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C size_t");
        return (size_t)-1;
    }
    return (size_t)v;
}

unsigned long
PyLong_AsUnsignedLong(PyObject *vv)
{
    num_i128 v;

    if (long_get(vv, 0, &v) < 0)
        return (unsigned long)-1;
    if (v < 0) {
        PyErr_SetString(PyExc_OverflowError, "can't convert negative value to unsigned int");
        return (unsigned long)-1;
    }
    if (v > (num_i128)ULONG_MAX) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C unsigned long");
        return (unsigned long)-1;
    }
    return (unsigned long)v;
}

long long
PyLong_AsLongLong(PyObject *vv)
{
    num_i128 v;

    if (long_get(vv, 1, &v) < 0)
        return -1;
    if (v > LLONG_MAX || v < LLONG_MIN) {
        PyErr_SetString(PyExc_OverflowError, "int too big to convert");
        return -1;
    }
    return (long long)v;
}

unsigned long long
PyLong_AsUnsignedLongLong(PyObject *vv)
{
    num_i128 v;

    if (long_get(vv, 0, &v) < 0)
        return (unsigned long long)-1;
    if (v < 0) {
        PyErr_SetString(PyExc_OverflowError, "can't convert negative int to unsigned");
        return (unsigned long long)-1;
    }
    /* Every non-negative pymodrt int fits in 64 bits. */
    return (unsigned long long)v;
}

unsigned long long
PyLong_AsUnsignedLongLongMask(PyObject *vv)
{
    num_i128 v;

    if (long_get(vv, 1, &v) < 0)
        return (unsigned long long)-1;
    return (unsigned long long)(uint64_t)v;   /* modulo 2**64 */
}

unsigned long
PyLong_AsUnsignedLongMask(PyObject *vv)
{
    return PyLong_AsUnsignedLongLongMask(vv);
}

double
PyLong_AsDouble(PyObject *vv)
{
    PyLongObject *v = (PyLongObject *)vv;
    double d;

    if (vv == NULL) {
        PyErr_BadInternalCall();
        return -1.0;
    }
    if (!PyLong_Check(vv)) {
        PyErr_SetString(PyExc_TypeError, "an integer is required");
        return -1.0;
    }
    /* The conversion rounds to nearest; |v| < 2**64 never overflows a
     * double, so CPython's "int too large to convert to float" cannot
     * happen here. */
    d = (double)v->lv_mag;
    return v->lv_neg ? -d : d;
}

void *
PyLong_AsVoidPtr(PyObject *vv)
{
    if (vv != NULL && PyLong_Check(vv) && ((PyLongObject *)vv)->lv_neg) {
        long x = PyLong_AsLong(vv);
        if (x == -1 && PyErr_Occurred())
            return NULL;
        return (void *)(intptr_t)x;
    }
    unsigned long x = PyLong_AsUnsignedLong(vv);
    if (x == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
    return (void *)(uintptr_t)x;
}

/* The fixed-width converters accept objects with __index__; negatives are
 * rejected by the unsigned ones with ValueError (CPython 3.14 uses
 * PyLong_AsNativeBytes with REJECT_NEGATIVE for them). */
static int
long_as_fixed(PyObject *obj, num_i128 lo, num_i128 hi, int is_unsigned, const char *ctype,
              num_i128 *out)
{
    if (obj == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (long_get(obj, 1, out) < 0)
        return -1;
    if (is_unsigned && *out < 0) {
        PyErr_SetString(PyExc_ValueError, "Cannot convert negative int");
        return -1;
    }
    if (*out < lo || *out > hi) {
        PyErr_Format(PyExc_OverflowError, "Python int too large to convert to C %s", ctype);
        return -1;
    }
    return 0;
}

int
PyLong_AsInt32(PyObject *obj, int32_t *value)
{
    num_i128 v;

    if (long_as_fixed(obj, INT32_MIN, INT32_MAX, 0, "int32_t", &v) < 0)
        return -1;
    *value = (int32_t)v;
    return 0;
}

int
PyLong_AsInt64(PyObject *obj, int64_t *value)
{
    num_i128 v;

    if (long_as_fixed(obj, INT64_MIN, INT64_MAX, 0, "int64_t", &v) < 0)
        return -1;
    *value = (int64_t)v;
    return 0;
}

int
PyLong_AsUInt32(PyObject *obj, uint32_t *value)
{
    num_i128 v;

    if (long_as_fixed(obj, 0, UINT32_MAX, 1, "uint32_t", &v) < 0)
        return -1;
    *value = (uint32_t)v;
    return 0;
}

int
PyLong_AsUInt64(PyObject *obj, uint64_t *value)
{
    num_i128 v;

    if (long_as_fixed(obj, 0, UINT64_MAX, 1, "uint64_t", &v) < 0)
        return -1;
    *value = (uint64_t)v;
    return 0;
}

/* ------------------------------------------------------ PyLong_FromString */

static inline int
num_isspace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline int
num_digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

static PyObject *
long_invalid_literal(const char *orig, int base)
{
    size_t n = strlen(orig);
    PyObject *s = PyUnicode_FromStringAndSize(orig, (Py_ssize_t)(n > 200 ? 200 : n));

    if (s == NULL)
        return NULL;
    PyErr_Format(PyExc_ValueError, "invalid literal for int() with base %d: %R", base, s);
    Py_DECREF(s);
    return NULL;
}

/* Parses Python's integer literal syntax: optional whitespace and sign, a
 * base prefix (0x/0o/0b, allowed when it matches 'base' or base is 0),
 * digits with single underscores between them (and one right after a
 * prefix), optional trailing whitespace, nothing else. */
PyObject *
PyLong_FromString(const char *str, char **pend, int base)
{
    const unsigned char *p = (const unsigned char *)str;
    int neg = 0, ndigits = 0, overflow = 0, prev_us = 0, leading_zero_only = 1;
    int orig_base = base;
    uint64_t mag = 0;

    if ((base != 0 && base < 2) || base > 36) {
        PyErr_SetString(PyExc_ValueError, "int() arg 2 must be >= 2 and <= 36");
        return NULL;
    }
    while (*p && num_isspace(*p))
        p++;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (p[0] == '0' && p[1] != '\0') {
        int c = p[1] | 0x20, pb = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
        if (pb != 0 && (base == 0 || base == pb)) {
            base = pb;
            p += 2;
            prev_us = -1;   /* an underscore may follow the prefix */
            if (*p == '_') {
                p++;
                prev_us = 1;
            }
        }
    }
    int base0_decimal = base == 0;
    if (base == 0)
        base = 10;
    const unsigned char *first = p;
    for (;; p++) {
        int d;
        if (*p == '_') {
            if (prev_us == 1 || ndigits == 0)
                goto invalid;
            prev_us = 1;
            continue;
        }
        d = num_digit_value(*p);
        if (d >= base)
            break;
        if (d != 0)
            leading_zero_only = 0;
        ndigits++;
        prev_us = 0;
        if (!overflow && (__builtin_mul_overflow(mag, (uint64_t)base, &mag) ||
                          __builtin_add_overflow(mag, (uint64_t)d, &mag)))
            overflow = 1;
    }
    if (ndigits == 0 || prev_us == 1)
        goto invalid;
    /* Base 0 forbids leading zeros on a non-zero decimal ("010"). */
    if (base0_decimal && *first == '0' && !leading_zero_only)
        goto invalid;
    while (*p && num_isspace(*p))
        p++;
    if (*p != '\0')
        goto invalid;
    if (pend != NULL)
        *pend = (char *)p;
    if (overflow)
        return long_overflow();
    return long_from_parts(neg, mag);
invalid:
    if (pend != NULL)
        *pend = (char *)p;
    return long_invalid_literal(str, orig_base);
}

/* int from a str or bytes, base 10 (PyNumber_Long's text path). */
static PyObject *
long_from_text(PyObject *o, const char *s, Py_ssize_t n)
{
    if ((size_t)n != strlen(s)) {
        /* An embedded NUL: never a valid literal. */
        PyObject *r = PyObject_Repr(o);
        if (r != NULL) {
            PyErr_Format(PyExc_ValueError, "invalid literal for int() with base 10: %U", r);
            Py_DECREF(r);
        }
        return NULL;
    }
    return PyLong_FromString(s, NULL, 10);
}

/* ---------------------------------------------------------- number slots */

#define CHECK_BINOP(v, w) \
    do { \
        if (!PyLong_Check(v) || !PyLong_Check(w)) \
            Py_RETURN_NOTIMPLEMENTED; \
    } while (0)

PyObject *
num_long_add(PyObject *v, PyObject *w)
{
    CHECK_BINOP(v, w);
    return num_long_from_i128(long_value(v) + long_value(w));
}

PyObject *
num_long_sub(PyObject *v, PyObject *w)
{
    CHECK_BINOP(v, w);
    return num_long_from_i128(long_value(v) - long_value(w));
}

PyObject *
num_long_mul(PyObject *v, PyObject *w)
{
    PyLongObject *a = (PyLongObject *)v, *b = (PyLongObject *)w;
    uint64_t mag;

    CHECK_BINOP(v, w);
    if (__builtin_mul_overflow(a->lv_mag, b->lv_mag, &mag))
        return long_overflow();
    return long_from_parts(a->lv_neg != b->lv_neg, mag);
}

/* Floor division and modulo with Python's signs: the quotient rounds toward
 * minus infinity and the remainder has the divisor's sign. */
static int
long_divmod_parts(PyObject *v, PyObject *w, num_i128 *q, num_i128 *r)
{
    PyLongObject *a = (PyLongObject *)v, *b = (PyLongObject *)w;
    uint64_t qm, rm;

    if (b->lv_mag == 0) {
        PyErr_SetString(PyExc_ZeroDivisionError, "division by zero");
        return -1;
    }
    qm = a->lv_mag / b->lv_mag;
    rm = a->lv_mag % b->lv_mag;
    if (a->lv_neg == b->lv_neg) {
        *q = qm;
        *r = b->lv_neg ? -(num_i128)rm : (num_i128)rm;
    }
    else if (rm == 0) {
        *q = -(num_i128)qm;
        *r = 0;
    }
    else {
        *q = -(num_i128)qm - 1;
        rm = b->lv_mag - rm;
        *r = b->lv_neg ? -(num_i128)rm : (num_i128)rm;
    }
    return 0;
}

PyObject *
num_long_floordiv(PyObject *v, PyObject *w)
{
    num_i128 q, r;

    CHECK_BINOP(v, w);
    if (long_divmod_parts(v, w, &q, &r) < 0)
        return NULL;
    return num_long_from_i128(q);
}

PyObject *
num_long_mod(PyObject *v, PyObject *w)
{
    num_i128 q, r;

    CHECK_BINOP(v, w);
    if (long_divmod_parts(v, w, &q, &r) < 0)
        return NULL;
    return num_long_from_i128(r);
}

static PyObject *
long_divmod(PyObject *v, PyObject *w)
{
    num_i128 q, r;
    PyObject *qo, *ro;

    CHECK_BINOP(v, w);
    if (long_divmod_parts(v, w, &q, &r) < 0)
        return NULL;
    qo = num_long_from_i128(q);
    if (qo == NULL)
        return NULL;
    ro = num_long_from_i128(r);
    if (ro == NULL) {
        Py_DECREF(qo);
        return NULL;
    }
    PyObject *t = PyTuple_Pack(2, qo, ro);
    Py_DECREF(qo);
    Py_DECREF(ro);
    return t;
}

/* int / int: correctly rounded while both magnitudes are below 2**53
 * (exact doubles).  Larger operands divide in long double first, which on
 * x86-64 holds them exactly; the final rounding to double can then differ
 * from CPython's in the last bit in rare halfway cases. */
static PyObject *
long_true_divide(PyObject *v, PyObject *w)
{
    PyLongObject *a = (PyLongObject *)v, *b = (PyLongObject *)w;
    double d;

    CHECK_BINOP(v, w);
    if (b->lv_mag == 0) {
        PyErr_SetString(PyExc_ZeroDivisionError, "division by zero");
        return NULL;
    }
    if (a->lv_mag <= (1ull << 53) && b->lv_mag <= (1ull << 53))
        d = (double)a->lv_mag / (double)b->lv_mag;
    else
        d = (double)((long double)a->lv_mag / (long double)b->lv_mag);
    return PyFloat_FromDouble(a->lv_neg != b->lv_neg ? -d : d);
}

PyObject *
num_long_neg(PyObject *v)
{
    PyLongObject *a = (PyLongObject *)v;

    return long_from_parts(!a->lv_neg, a->lv_mag);
}

PyObject *
num_long_abs(PyObject *v)
{
    return long_from_parts(0, ((PyLongObject *)v)->lv_mag);
}

PyObject *
num_long_pos(PyObject *v)
{
    return long_exact(v);
}

static PyObject *
long_invert(PyObject *v)
{
    return num_long_from_i128(-long_value(v) - 1);
}

int
num_long_bool(PyObject *v)
{
    return ((PyLongObject *)v)->lv_mag != 0;
}

PyObject *
num_long_int(PyObject *v)
{
    return long_exact(v);
}

PyObject *
num_long_float(PyObject *v)
{
    double d = PyLong_AsDouble(v);

    if (d == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(d);
}

/* Bitwise operations act on the two's complement of the exact value (as
 * Python's do); the 128-bit intermediate represents every operand. */
PyObject *
num_long_and(PyObject *v, PyObject *w)
{
    CHECK_BINOP(v, w);
    return num_long_from_i128(long_value(v) & long_value(w));
}

PyObject *
num_long_or(PyObject *v, PyObject *w)
{
    CHECK_BINOP(v, w);
    return num_long_from_i128(long_value(v) | long_value(w));
}

PyObject *
num_long_xor(PyObject *v, PyObject *w)
{
    CHECK_BINOP(v, w);
    return num_long_from_i128(long_value(v) ^ long_value(w));
}

static PyObject *
long_lshift(PyObject *v, PyObject *w)
{
    num_i128 a, s;

    CHECK_BINOP(v, w);
    a = long_value(v);
    s = long_value(w);
    if (s < 0) {
        PyErr_SetString(PyExc_ValueError, "negative shift count");
        return NULL;
    }
    if (a == 0)
        return long_from_parts(0, 0);
    if (s >= 64)
        return long_overflow();
    /* |a| < 2**64 and s < 64: the magnitude stays below 2**127. */
    return num_long_from_i128(a < 0 ? -((-a) << (int)s) : a << (int)s);
}

static PyObject *
long_rshift(PyObject *v, PyObject *w)
{
    num_i128 a, s;

    CHECK_BINOP(v, w);
    a = long_value(v);
    s = long_value(w);
    if (s < 0) {
        PyErr_SetString(PyExc_ValueError, "negative shift count");
        return NULL;
    }
    if (s >= 100)
        return long_from_parts(a < 0, a < 0 ? 1 : 0);
    /* Floor division by 2**s, as Python defines >> on negatives. */
    return num_long_from_i128(a >= 0 ? a >> (int)s : -(((-a) + ((num_i128)1 << (int)s) - 1) >> (int)s));
}

PyObject *
num_long_richcompare(PyObject *v, PyObject *w, int op)
{
    num_i128 a, b;

    CHECK_BINOP(v, w);
    a = long_value(v);
    b = long_value(w);
    Py_RETURN_RICHCOMPARE(a, b, op);
}

/* CPython's numeric hash: the value modulo the Mersenne prime 2**61-1,
 * with the sign of the value; -1 is reserved for errors and becomes -2. */
Py_hash_t
num_long_hash(PyObject *v)
{
    PyLongObject *a = (PyLongObject *)v;
    Py_hash_t h = (Py_hash_t)(a->lv_mag % NUM_HASH_MODULUS);

    if (a->lv_neg)
        h = -h;
    return h == -1 ? -2 : h;
}

/* Decimal text of an int into buf (at least 22 bytes); returns the length. */
static int
long_format(PyObject *v, char *buf)
{
    PyLongObject *a = (PyLongObject *)v;

    return snprintf(buf, 32, "%s%llu", a->lv_neg ? "-" : "", (unsigned long long)a->lv_mag);
}

PyObject *
num_long_repr(PyObject *v)
{
    char buf[32];
    int n = long_format(v, buf);

    return PyUnicode_FromStringAndSize(buf, n);
}

static void
long_dealloc(PyObject *op)
{
    Py_TYPE(op)->tp_free(op);
}

/* int(x=0) / int(x, base=10) */
static PyObject *
long_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *x = NULL, *obase = NULL, *res;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);

    if (kwds != NULL && PyDict_Size(kwds) > 0) {
        if (PyDict_Size(kwds) == 1 && nargs == 1 &&
            PyDict_GetItemStringRef(kwds, "base", &obase) > 0) {
            /* int(x, base=n) */
        }
        else {
            Py_XDECREF(obase);
            PyErr_SetString(PyExc_TypeError, "int() takes at most 2 arguments "
                            "(only 'base' may be given by keyword)");
            return NULL;
        }
    }
    if (nargs > 2) {
        Py_XDECREF(obase);
        PyErr_Format(PyExc_TypeError, "int() takes at most 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (nargs >= 1)
        x = PyTuple_GET_ITEM(args, 0);
    if (nargs == 2)
        obase = Py_NewRef(PyTuple_GET_ITEM(args, 1));
    if (x == NULL) {
        if (obase != NULL) {
            Py_DECREF(obase);
            PyErr_SetString(PyExc_TypeError, "int() missing string argument");
            return NULL;
        }
        res = long_from_parts(0, 0);
    }
    else if (obase == NULL) {
        res = PyNumber_Long(x);
    }
    else {
        Py_ssize_t base = PyNumber_AsSsize_t(obase, NULL);
        Py_DECREF(obase);
        if (base == -1 && PyErr_Occurred())
            return NULL;
        if ((base != 0 && base < 2) || base > 36) {
            PyErr_SetString(PyExc_ValueError, "int() base must be >= 2 and <= 36, or 0");
            return NULL;
        }
        const char *s;
        Py_ssize_t n;
        if (PyUnicode_Check(x)) {
            s = PyUnicode_AsUTF8AndSize(x, &n);
            if (s == NULL)
                return NULL;
        }
        else if (PyBytes_Check(x)) {
            s = PyBytes_AS_STRING(x);
            n = PyBytes_GET_SIZE(x);
        }
        else {
            PyErr_SetString(PyExc_TypeError, "int() can't convert non-string with explicit base");
            return NULL;
        }
        if ((size_t)n != strlen(s)) {
            PyErr_Format(PyExc_ValueError, "invalid literal for int() with base %d: %R",
                         (int)base, x);
            return NULL;
        }
        res = PyLong_FromString(s, NULL, (int)base);
    }
    if (res == NULL || type == &PyLong_Type)
        return res;
    /* A subclass: copy the value into an instance of 'type'. */
    PyLongObject *sub = (PyLongObject *)type->tp_alloc(type, 0);
    if (sub != NULL) {
        sub->lv_mag = ((PyLongObject *)res)->lv_mag;
        sub->lv_neg = ((PyLongObject *)res)->lv_neg;
    }
    Py_DECREF(res);
    return (PyObject *)sub;
}

static PyNumberMethods long_as_number = {
    .nb_add = num_long_add,
    .nb_subtract = num_long_sub,
    .nb_multiply = num_long_mul,
    .nb_remainder = num_long_mod,
    .nb_divmod = long_divmod,
    .nb_negative = num_long_neg,
    .nb_positive = num_long_pos,
    .nb_absolute = num_long_abs,
    .nb_bool = num_long_bool,
    .nb_invert = long_invert,
    .nb_lshift = long_lshift,
    .nb_rshift = long_rshift,
    .nb_and = num_long_and,
    .nb_xor = num_long_xor,
    .nb_or = num_long_or,
    .nb_int = num_long_int,
    .nb_float = num_long_float,
    .nb_floor_divide = num_long_floordiv,
    .nb_true_divide = long_true_divide,
    .nb_index = num_long_int,
};

PyTypeObject PyLong_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "int",
    .tp_basicsize = sizeof(PyLongObject),
    .tp_itemsize = 0,
    .tp_dealloc = long_dealloc,
    .tp_repr = num_long_repr,
    .tp_as_number = &long_as_number,
    .tp_hash = num_long_hash,
    .tp_str = num_long_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_LONG_SUBCLASS |
                _Py_TPFLAGS_MATCH_SELF,
    .tp_doc = "int([x]) -> integer\nint(x, base=10) -> integer",
    .tp_richcompare = num_long_richcompare,
    .tp_new = long_new,
    .tp_free = PyObject_Free,
};

/* ------------------------------------------------- PyNumber_Long / Float */

PyObject *
PyNumber_Long(PyObject *o)
{
    PyNumberMethods *nb;
    PyObject *res;

    if (o == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    if (PyLong_CheckExact(o))
        return Py_NewRef(o);
    nb = Py_TYPE(o)->tp_as_number;
    if (nb != NULL && nb->nb_int != NULL) {
        res = nb->nb_int(o);
        if (res == NULL || PyLong_CheckExact(res))
            return res;
        if (!PyLong_Check(res)) {
            PyErr_Format(PyExc_TypeError, "__int__ returned non-int (type %.200s)",
                         Py_TYPE(res)->tp_name);
            Py_DECREF(res);
            return NULL;
        }
        Py_SETREF(res, long_exact(res));
        return res;
    }
    if (nb != NULL && nb->nb_index != NULL)
        return PyNumber_Index(o);
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        return s == NULL ? NULL : long_from_text(o, s, n);
    }
    if (PyBytes_Check(o))
        return long_from_text(o, PyBytes_AS_STRING(o), PyBytes_GET_SIZE(o));
    PyErr_Format(PyExc_TypeError,
                 "int() argument must be a string, a bytes-like object or a real number, "
                 "not '%.200s'", Py_TYPE(o)->tp_name);
    return NULL;
}

PyObject *
PyNumber_Float(PyObject *o)
{
    PyNumberMethods *nb;
    double d;

    if (o == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    if (PyFloat_CheckExact(o))
        return Py_NewRef(o);
    nb = Py_TYPE(o)->tp_as_number;
    if (nb != NULL && (nb->nb_float != NULL || nb->nb_index != NULL)) {
        d = PyFloat_AsDouble(o);
        if (d == -1.0 && PyErr_Occurred())
            return NULL;
        return PyFloat_FromDouble(d);
    }
    if (PyFloat_Check(o))
        return PyFloat_FromDouble(PyFloat_AS_DOUBLE(o));
    if (PyUnicode_Check(o) || PyBytes_Check(o))
        return PyFloat_FromString(o);
    PyErr_Format(PyExc_TypeError, "float() argument must be a string or a real number, not '%.200s'",
                 Py_TYPE(o)->tp_name);
    return NULL;
}

/* ------------------------------------------------ binary/unary dispatch
 *
 * CPython's rule: try the left operand's slot, then the right operand's if
 * its type differs, except that a right operand whose type is a subclass of
 * the left's goes first.  A slot returning NotImplemented passes.  Any
 * type's tp_as_number takes part (int, float, bool, heap types). */

#define NB_SLOT(nb, off) (*(binaryfunc *)((char *)(nb) + (off)))

static PyObject *
binary_op1(PyObject *v, PyObject *w, size_t off)
{
    PyNumberMethods *nv = Py_TYPE(v)->tp_as_number, *nw = Py_TYPE(w)->tp_as_number;
    binaryfunc slotv = nv ? NB_SLOT(nv, off) : NULL, slotw = NULL;
    PyObject *x;

    if (Py_TYPE(w) != Py_TYPE(v) && nw != NULL) {
        slotw = NB_SLOT(nw, off);
        if (slotw == slotv)
            slotw = NULL;
    }
    if (slotv != NULL) {
        if (slotw != NULL && PyType_IsSubtype(Py_TYPE(w), Py_TYPE(v))) {
            x = slotw(v, w);
            if (x != Py_NotImplemented)
                return x;
            Py_DECREF(x);
            slotw = NULL;
        }
        x = slotv(v, w);
        if (x != Py_NotImplemented)
            return x;
        Py_DECREF(x);
    }
    if (slotw != NULL) {
        x = slotw(v, w);
        if (x != Py_NotImplemented)
            return x;
        Py_DECREF(x);
    }
    Py_RETURN_NOTIMPLEMENTED;
}

static PyObject *
binop_type_error(PyObject *v, PyObject *w, const char *opname)
{
    PyErr_Format(PyExc_TypeError, "unsupported operand type(s) for %.100s: '%.100s' and '%.100s'",
                 opname, Py_TYPE(v)->tp_name, Py_TYPE(w)->tp_name);
    return NULL;
}

static PyObject *
binary_op(PyObject *v, PyObject *w, size_t off, const char *opname)
{
    PyObject *r;

    if (v == NULL || w == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    r = binary_op1(v, w, off);
    if (r == Py_NotImplemented) {
        Py_DECREF(r);
        return binop_type_error(v, w, opname);
    }
    return r;
}

PyObject *
PyNumber_Add(PyObject *v, PyObject *w)
{
    PyObject *r;
    PySequenceMethods *sq;

    if (v == NULL || w == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    r = binary_op1(v, w, offsetof(PyNumberMethods, nb_add));
    if (r != Py_NotImplemented)
        return r;
    Py_DECREF(r);
    sq = Py_TYPE(v)->tp_as_sequence;
    if (sq != NULL && sq->sq_concat != NULL)
        return sq->sq_concat(v, w);
    return binop_type_error(v, w, "+");
}

PyObject *
PyNumber_Subtract(PyObject *v, PyObject *w)
{
    return binary_op(v, w, offsetof(PyNumberMethods, nb_subtract), "-");
}

static PyObject *
sequence_repeat(ssizeargfunc repeat, PyObject *seq, PyObject *n)
{
    Py_ssize_t count;

    if (!PyIndex_Check(n)) {
        PyErr_Format(PyExc_TypeError, "can't multiply sequence by non-int of type '%.200s'",
                     Py_TYPE(n)->tp_name);
        return NULL;
    }
    count = PyNumber_AsSsize_t(n, PyExc_OverflowError);
    if (count == -1 && PyErr_Occurred())
        return NULL;
    return repeat(seq, count);
}

PyObject *
PyNumber_Multiply(PyObject *v, PyObject *w)
{
    PyObject *r;
    PySequenceMethods *sv, *sw;

    if (v == NULL || w == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    r = binary_op1(v, w, offsetof(PyNumberMethods, nb_multiply));
    if (r != Py_NotImplemented)
        return r;
    Py_DECREF(r);
    sv = Py_TYPE(v)->tp_as_sequence;
    sw = Py_TYPE(w)->tp_as_sequence;
    if (sv != NULL && sv->sq_repeat != NULL)
        return sequence_repeat(sv->sq_repeat, v, w);
    if (sw != NULL && sw->sq_repeat != NULL)
        return sequence_repeat(sw->sq_repeat, w, v);
    return binop_type_error(v, w, "*");
}

PyObject *
PyNumber_FloorDivide(PyObject *v, PyObject *w)
{
    return binary_op(v, w, offsetof(PyNumberMethods, nb_floor_divide), "//");
}

PyObject *
PyNumber_TrueDivide(PyObject *v, PyObject *w)
{
    return binary_op(v, w, offsetof(PyNumberMethods, nb_true_divide), "/");
}

PyObject *
PyNumber_Remainder(PyObject *v, PyObject *w)
{
    return binary_op(v, w, offsetof(PyNumberMethods, nb_remainder), "%");
}

PyObject *
PyNumber_Negative(PyObject *o)
{
    PyNumberMethods *nb;

    if (o == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    nb = Py_TYPE(o)->tp_as_number;
    if (nb != NULL && nb->nb_negative != NULL)
        return nb->nb_negative(o);
    PyErr_Format(PyExc_TypeError, "bad operand type for unary -: '%.200s'", Py_TYPE(o)->tp_name);
    return NULL;
}

PyObject *
PyNumber_Absolute(PyObject *o)
{
    PyNumberMethods *nb;

    if (o == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return NULL;
    }
    nb = Py_TYPE(o)->tp_as_number;
    if (nb != NULL && nb->nb_absolute != NULL)
        return nb->nb_absolute(o);
    PyErr_Format(PyExc_TypeError, "bad operand type for abs(): '%.200s'", Py_TYPE(o)->tp_name);
    return NULL;
}
