/* floatobject.c: float (a C double in an immutable object).
 *
 * Invariants: a float's value never changes after creation, so float
 * objects need no synchronization.  Arithmetic follows Python: // and %
 * round toward minus infinity with the remainder taking the divisor's sign,
 * division by zero raises ZeroDivisionError("division by zero") (CPython
 * 3.14's text for /, // and %).  Mixed int/float operations convert the int
 * with PyLong_AsDouble; comparisons between a float and an int are exact.
 *
 * repr is Python's: the shortest decimal string that reads back to the same
 * double, in fixed notation for decimal exponents -4 .. 15 (always with a
 * ".0" or fraction) and in exponent notation otherwise ("1e+16", "1e-05");
 * "inf", "-inf", "nan".  The shortest digits come from trying %.{1..17}e
 * and reading each back with strtod.  Both assume the C locale's '.'.
 *
 * File map: construction and conversion; repr; hash; slots; the type. */
#include "internal/pycore.h"

#include <float.h>
#include <math.h>

/* --------------------------------------------------- construction, access */

PyObject *
PyFloat_FromDouble(double v)
{
    PyFloatObject *op = PyObject_Malloc(sizeof(PyFloatObject));

    if (op == NULL)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)op, &PyFloat_Type);
    op->ob_fval = v;
    return (PyObject *)op;
}

double
PyFloat_GetMax(void)
{
    return DBL_MAX;
}

double
PyFloat_GetMin(void)
{
    return DBL_MIN;
}

double
PyFloat_AsDouble(PyObject *op)
{
    PyNumberMethods *nb;
    PyObject *res;
    double v;

    if (op == NULL) {
        PyErr_BadArgument();
        return -1.0;
    }
    if (PyFloat_Check(op))
        return PyFloat_AS_DOUBLE(op);
    nb = Py_TYPE(op)->tp_as_number;
    if (nb == NULL || nb->nb_float == NULL) {
        if (nb != NULL && nb->nb_index != NULL) {
            res = PyNumber_Index(op);
            if (res == NULL)
                return -1.0;
            v = PyLong_AsDouble(res);
            Py_DECREF(res);
            return v;
        }
        PyErr_Format(PyExc_TypeError, "must be real number, not %.50s", Py_TYPE(op)->tp_name);
        return -1.0;
    }
    res = nb->nb_float(op);
    if (res == NULL)
        return -1.0;
    if (!PyFloat_Check(res)) {
        PyErr_Format(PyExc_TypeError, "%.50s.__float__ returned non-float (type %.50s)",
                     Py_TYPE(op)->tp_name, Py_TYPE(res)->tp_name);
        Py_DECREF(res);
        return -1.0;
    }
    v = PyFloat_AS_DOUBLE(res);
    Py_DECREF(res);
    return v;
}

/* Python's float literal syntax (without surrounding whitespace, already
 * stripped): [sign] (digitpart [. [digitpart]] | . digitpart) [exponent],
 * or [sign] inf|infinity|nan, case-insensitively.  Underscores may
 * separate digits.  Writes the underscore-free text into 'out' (at least
 * n+1 bytes).  Returns 0 if the syntax is valid. */
static int
float_scan(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    int digits = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        out[o++] = s[i++];
    if (n - i == 3 || n - i == 8) {
        if (strncasecmp(s + i, "inf", n - i) == 0 || strncasecmp(s + i, "infinity", n - i) == 0 ||
            strncasecmp(s + i, "nan", n - i) == 0) {
            memcpy(out + o, s + i, n - i);
            out[o + n - i] = '\0';
            return 0;
        }
    }
    /* digitpart: digit (["_"] digit)* */
#define DIGITPART(count) \
    do { \
        int _prev_digit = 0; \
        while (i < n) { \
            if (s[i] >= '0' && s[i] <= '9') { \
                out[o++] = s[i++]; \
                _prev_digit = 1; \
                (count)++; \
            } \
            else if (s[i] == '_' && _prev_digit && i + 1 < n && s[i + 1] >= '0' && \
                     s[i + 1] <= '9') { \
                i++; \
                _prev_digit = 0; \
            } \
            else \
                break; \
        } \
    } while (0)
    DIGITPART(digits);
    if (i < n && s[i] == '.') {
        out[o++] = s[i++];
        DIGITPART(digits);
    }
    if (digits == 0)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int edigits = 0;
        out[o++] = s[i++];
        if (i < n && (s[i] == '+' || s[i] == '-'))
            out[o++] = s[i++];
        DIGITPART(edigits);
        if (edigits == 0)
            return -1;
    }
#undef DIGITPART
    out[o] = '\0';
    return i == n ? 0 : -1;
}

static PyObject *
float_from_text(PyObject *obj, const char *s, Py_ssize_t len)
{
    const char *end = s + len;
    char *buf;
    double v;

    while (s < end && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
        s++;
    while (end > s && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
        end--;
    buf = mem_alloc((size_t)(end - s) + 1);
    if (buf == NULL)
        return PyErr_NoMemory();
    if (end == s || memchr(s, '\0', (size_t)(end - s)) != NULL ||
        float_scan(s, (size_t)(end - s), buf) < 0) {
        mem_free(buf);
        PyErr_Format(PyExc_ValueError, "could not convert string to float: %R", obj);
        return NULL;
    }
    v = strtod(buf, NULL);   /* overflow gives +-inf, as Python's float() */
    mem_free(buf);
    return PyFloat_FromDouble(v);
}

PyObject *
PyFloat_FromString(PyObject *v)
{
    const char *s;
    Py_ssize_t n;

    if (v == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (PyUnicode_Check(v)) {
        s = PyUnicode_AsUTF8AndSize(v, &n);
        if (s == NULL)
            return NULL;
    }
    else if (PyBytes_Check(v)) {
        s = PyBytes_AS_STRING(v);
        n = PyBytes_GET_SIZE(v);
    }
    else {
        PyErr_Format(PyExc_TypeError, "float() argument must be a string or a real number, "
                     "not '%.200s'", Py_TYPE(v)->tp_name);
        return NULL;
    }
    return float_from_text(v, s, n);
}

/* ------------------------------------------------------------------ repr */

/* Python's repr of a double into buf (at least 32 bytes); returns length. */
static int
float_format(double v, char *buf)
{
    char tmp[40], digits[20];
    int prec, nd = 0, exp10, len = 0;

    if (isnan(v))
        return snprintf(buf, 32, "nan");
    if (isinf(v))
        return snprintf(buf, 32, v > 0 ? "inf" : "-inf");
    if (v == 0.0)
        return snprintf(buf, 32, signbit(v) ? "-0.0" : "0.0");
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is [-]d[.ddd]e(+|-)XX: collect the digits and the exponent. */
    const char *p = tmp;
    if (*p == '-') {
        buf[len++] = '-';
        p++;
    }
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            buf[len++] = '0';
            buf[len++] = '.';
            for (int i = -1; i > exp10; i--)
                buf[len++] = '0';
            memcpy(buf + len, digits, (size_t)nd);
            len += nd;
        }
        else {
            for (int i = 0; i <= exp10; i++)
                buf[len++] = i < nd ? digits[i] : '0';
            buf[len++] = '.';
            if (nd > exp10 + 1) {
                memcpy(buf + len, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
                len += nd - exp10 - 1;
            }
            else
                buf[len++] = '0';
        }
        buf[len] = '\0';
        return len;
    }
    buf[len++] = digits[0];
    if (nd > 1) {
        buf[len++] = '.';
        memcpy(buf + len, digits + 1, (size_t)(nd - 1));
        len += nd - 1;
    }
    len += snprintf(buf + len, 12, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    return len;
}

static PyObject *
float_repr(PyObject *v)
{
    char buf[40];
    int n = float_format(PyFloat_AS_DOUBLE(v), buf);

    return PyUnicode_FromStringAndSize(buf, n);
}

/* ------------------------------------------------------------------ hash */

/* CPython's numeric hash for a double: the exact rational value modulo
 * 2**61-1, so that equal ints and floats hash alike.  The mantissa is
 * consumed 28 bits at a time, each step multiplying the accumulator by
 * 2**28 (a rotation, since 2**61 == 1 modulo the prime); the binary
 * exponent becomes a final rotation. */
Py_hash_t
num_hash_double(PyObject *obj, double v)
{
    const uint64_t mod = NUM_HASH_MODULUS;
    uint64_t x = 0, y;
    double m;
    int e, sign = 1;

    if (isinf(v))
        return v > 0 ? 314159 : -314159;
    if (isnan(v)) {
        uintptr_t p = (uintptr_t)obj;
        Py_hash_t h = (Py_hash_t)((p >> 4) | (p << (8 * sizeof(p) - 4)));
        return h == -1 ? -2 : h;
    }
    m = frexp(v, &e);
    if (m < 0) {
        sign = -1;
        m = -m;
    }
    while (m != 0.0) {
        x = ((x << 28) & mod) | x >> (61 - 28);
        m *= 268435456.0;
        e -= 28;
        y = (uint64_t)m;
        m -= (double)y;
        x += y;
        if (x >= mod)
            x -= mod;
    }
    e = e >= 0 ? e % 61 : 61 - 1 - ((-1 - e) % 61);
    x = ((x << e) & mod) | x >> (61 - e);
    Py_hash_t h = (Py_hash_t)x * sign;
    return h == -1 ? -2 : h;
}

static Py_hash_t
float_hash(PyObject *v)
{
    return num_hash_double(v, PyFloat_AS_DOUBLE(v));
}

/* ----------------------------------------------------------------- slots */

/* Converts a float or int operand; 0 = not a number (NotImplemented). */
static int
float_operand(PyObject *o, double *out)
{
    if (PyFloat_Check(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 1;
    }
    if (PyLong_Check(o)) {
        *out = PyLong_AsDouble(o);
        return 1;
    }
    return 0;
}

#define FLOAT_OPERANDS(v, w, a, b) \
    do { \
        if (!float_operand((v), &(a)) || !float_operand((w), &(b))) \
            Py_RETURN_NOTIMPLEMENTED; \
    } while (0)

static PyObject *
float_zero_division(void)
{
    PyErr_SetString(PyExc_ZeroDivisionError, "division by zero");
    return NULL;
}

static PyObject *
float_add(PyObject *v, PyObject *w)
{
    double a, b;

    FLOAT_OPERANDS(v, w, a, b);
    return PyFloat_FromDouble(a + b);
}

static PyObject *
float_sub(PyObject *v, PyObject *w)
{
    double a, b;

    FLOAT_OPERANDS(v, w, a, b);
    return PyFloat_FromDouble(a - b);
}

static PyObject *
float_mul(PyObject *v, PyObject *w)
{
    double a, b;

    FLOAT_OPERANDS(v, w, a, b);
    return PyFloat_FromDouble(a * b);
}

static PyObject *
float_div(PyObject *v, PyObject *w)
{
    double a, b;

    FLOAT_OPERANDS(v, w, a, b);
    if (b == 0.0)
        return float_zero_division();
    return PyFloat_FromDouble(a / b);
}

/* Python's floor division and modulo of doubles.  The remainder comes from
 * fmod (exact) and is moved into the divisor's sign; the quotient is
 * (a - mod) / b, which is then an almost-integer rounded to the nearest
 * integer below or at it. */
static void
float_divmod_parts(double a, double b, double *floordiv, double *mod)
{
    double m = fmod(a, b), div = (a - m) / b, fd;

    if (m != 0.0) {
        if ((b < 0) != (m < 0)) {
            m += b;
            div -= 1.0;
        }
    }
    else {
        m = copysign(0.0, b);
    }
    if (div != 0.0) {
        fd = floor(div);
        if (div - fd > 0.5)
            fd += 1.0;
    }
    else {
        fd = copysign(0.0, a / b);
    }
    *floordiv = fd;
    *mod = m;
}

static PyObject *
float_floordiv(PyObject *v, PyObject *w)
{
    double a, b, q, r;

    FLOAT_OPERANDS(v, w, a, b);
    if (b == 0.0)
        return float_zero_division();
    float_divmod_parts(a, b, &q, &r);
    return PyFloat_FromDouble(q);
}

static PyObject *
float_mod(PyObject *v, PyObject *w)
{
    double a, b, q, r;

    FLOAT_OPERANDS(v, w, a, b);
    if (b == 0.0)
        return float_zero_division();
    float_divmod_parts(a, b, &q, &r);
    return PyFloat_FromDouble(r);
}

static PyObject *
float_divmod(PyObject *v, PyObject *w)
{
    double a, b, q, r;
    PyObject *qo, *ro, *t;

    FLOAT_OPERANDS(v, w, a, b);
    if (b == 0.0)
        return float_zero_division();
    float_divmod_parts(a, b, &q, &r);
    qo = PyFloat_FromDouble(q);
    if (qo == NULL)
        return NULL;
    ro = PyFloat_FromDouble(r);
    if (ro == NULL) {
        Py_DECREF(qo);
        return NULL;
    }
    t = PyTuple_Pack(2, qo, ro);
    Py_DECREF(qo);
    Py_DECREF(ro);
    return t;
}

static PyObject *
float_neg(PyObject *v)
{
    return PyFloat_FromDouble(-PyFloat_AS_DOUBLE(v));
}

static PyObject *
float_pos(PyObject *v)
{
    if (PyFloat_CheckExact(v))
        return Py_NewRef(v);
    return PyFloat_FromDouble(PyFloat_AS_DOUBLE(v));
}

static PyObject *
float_abs(PyObject *v)
{
    return PyFloat_FromDouble(fabs(PyFloat_AS_DOUBLE(v)));
}

static int
float_bool(PyObject *v)
{
    return PyFloat_AS_DOUBLE(v) != 0.0;
}

static PyObject *
float_int(PyObject *v)
{
    return PyLong_FromDouble(PyFloat_AS_DOUBLE(v));
}

/* Compares a finite or infinite double with an int exactly: -1, 0, 1.
 * 'd' is not a NaN. */
static int
float_cmp_int(double d, PyObject *i)
{
    num_i128 iv = num_long_value(i), t;
    double ip;

    if (d >= 18446744073709551616.0)   /* 2**64, beyond every int */
        return 1;
    if (d <= -18446744073709551616.0)
        return -1;
    ip = trunc(d);
    t = (num_i128)ip;                  /* exact: |ip| < 2**64 */
    if (t != iv)
        return t < iv ? -1 : 1;
    if (d == ip)
        return 0;
    return d > ip ? 1 : -1;
}

static PyObject *
float_richcompare(PyObject *v, PyObject *w, int op)
{
    double a = PyFloat_AS_DOUBLE(v), b;
    int c;

    if (PyFloat_Check(w)) {
        b = PyFloat_AS_DOUBLE(w);
        Py_RETURN_RICHCOMPARE(a, b, op);
    }
    if (!PyLong_Check(w))
        Py_RETURN_NOTIMPLEMENTED;
    if (isnan(a))
        return Py_NewRef(op == Py_NE ? Py_True : Py_False);
    c = float_cmp_int(a, w);
    Py_RETURN_RICHCOMPARE(c, 0, op);
}

static PyObject *
float_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *res;

    if (kwds != NULL && PyDict_Size(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "float() takes no keyword arguments");
        return NULL;
    }
    if (n > 1) {
        PyErr_Format(PyExc_TypeError, "float expected at most 1 argument, got %zd", n);
        return NULL;
    }
    res = n == 0 ? PyFloat_FromDouble(0.0) : PyNumber_Float(PyTuple_GET_ITEM(args, 0));
    if (res == NULL || type == &PyFloat_Type)
        return res;
    PyObject *sub = type->tp_alloc(type, 0);
    if (sub != NULL)
        ((PyFloatObject *)sub)->ob_fval = PyFloat_AS_DOUBLE(res);
    Py_DECREF(res);
    return sub;
}

static void
float_dealloc(PyObject *op)
{
    Py_TYPE(op)->tp_free(op);
}

static PyNumberMethods float_as_number = {
    .nb_add = float_add,
    .nb_subtract = float_sub,
    .nb_multiply = float_mul,
    .nb_remainder = float_mod,
    .nb_divmod = float_divmod,
    .nb_negative = float_neg,
    .nb_positive = float_pos,
    .nb_absolute = float_abs,
    .nb_bool = float_bool,
    .nb_int = float_int,
    .nb_float = float_pos,
    .nb_floor_divide = float_floordiv,
    .nb_true_divide = float_div,
};

PyTypeObject PyFloat_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "float",
    .tp_basicsize = sizeof(PyFloatObject),
    .tp_dealloc = float_dealloc,
    .tp_repr = float_repr,
    .tp_as_number = &float_as_number,
    .tp_hash = float_hash,
    .tp_str = float_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | _Py_TPFLAGS_MATCH_SELF,
    .tp_doc = "Convert a string or number to a floating-point number, if possible.",
    .tp_richcompare = float_richcompare,
    .tp_new = float_new,
    .tp_free = PyObject_Free,
};
