/* bytesobject.c: the bytes type and the PyBytes_* API.
 *
 * Representation (include/bytesobject.h): one PyObject_Malloc block with
 * the PyVarObject header (ob_size = number of bytes), a cached hash and the
 * bytes themselves, always followed by a NUL that is not counted.
 *
 * Invariants:
 *   - A published bytes object never changes.  The only exception allowed by
 *     the C API is _PyBytes_Resize on an object whose only reference the
 *     caller holds (it has not been published yet).
 *   - ob_shash is -1 or the value of rt_hash_bytes over the bytes; it is
 *     written with a relaxed atomic store (idempotent), so readers in any
 *     thread see either -1 or the final value.
 *   - The empty bytes object is one static immortal object.
 *
 * Organisation: allocation, the PyBytes_* API, PyBytes_FromFormat(V), the
 * type's slots, PyBytes_Type. */
#include "internal/pycore.h"

#include <inttypes.h>

#define BYTES_HDR offsetof(PyBytesObject, ob_sval)
#define BYTES(op) ((PyBytesObject *)(op))
#define BYTES_MAX (PY_SSIZE_T_MAX - (Py_ssize_t)BYTES_HDR - 1)

static PyBytesObject bytes_empty = {
    PyVarObject_HEAD_INIT(&PyBytes_Type, 0)
    -1, ""
};

/* ---------------------------------------------------------- allocation */

static PyBytesObject *
bytes_alloc(Py_ssize_t size)
{
    PyBytesObject *b;

    if (size > BYTES_MAX) {
        PyErr_SetString(PyExc_OverflowError, "byte string is too large");
        return NULL;
    }
    b = PyObject_Malloc(BYTES_HDR + (size_t)size + 1);
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    PyObject_InitVar((PyVarObject *)b, &PyBytes_Type, size);
    b->ob_shash = -1;
    ((char *)b + BYTES_HDR)[size] = '\0';
    return b;
}

/* ---------------------------------------------------------------- API */

PyObject *
PyBytes_FromStringAndSize(const char *str, Py_ssize_t size)
{
    PyBytesObject *b;

    if (size < 0) {
        PyErr_SetString(PyExc_SystemError,
                        "Negative size passed to PyBytes_FromStringAndSize");
        return NULL;
    }
    if (size == 0)
        return (PyObject *)&bytes_empty;
    b = bytes_alloc(size);
    if (b == NULL)
        return NULL;
    if (str != NULL)
        memcpy(b->ob_sval, str, (size_t)size);
    else
        memset(b->ob_sval, 0, (size_t)size);
    return (PyObject *)b;
}

PyObject *
PyBytes_FromString(const char *str)
{
    size_t n = strlen(str);

    if (n > (size_t)BYTES_MAX) {
        PyErr_SetString(PyExc_OverflowError, "byte string is too large");
        return NULL;
    }
    return PyBytes_FromStringAndSize(str, (Py_ssize_t)n);
}

static int
bytes_expect(PyObject *op)
{
    if (op == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (!PyBytes_Check(op)) {
        PyErr_Format(PyExc_TypeError, "expected bytes, %.200s found",
                     Py_TYPE(op)->tp_name);
        return -1;
    }
    return 0;
}

Py_ssize_t
PyBytes_Size(PyObject *op)
{
    if (bytes_expect(op) < 0)
        return -1;
    return Py_SIZE(op);
}

char *
PyBytes_AsString(PyObject *op)
{
    if (bytes_expect(op) < 0)
        return NULL;
    return BYTES(op)->ob_sval;
}

int
PyBytes_AsStringAndSize(PyObject *obj, char **s, Py_ssize_t *len)
{
    if (s == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    if (bytes_expect(obj) < 0)
        return -1;
    *s = BYTES(obj)->ob_sval;
    if (len != NULL) {
        *len = Py_SIZE(obj);
    }
    else if ((Py_ssize_t)strlen(*s) != Py_SIZE(obj)) {
        PyErr_SetString(PyExc_ValueError, "embedded null byte");
        return -1;
    }
    return 0;
}

static PyObject *
bytes_concat(PyObject *a, PyObject *b)
{
    PyBytesObject *r;
    Py_ssize_t na, nb;

    if (!PyBytes_Check(a) || !PyBytes_Check(b)) {
        PyErr_Format(PyExc_TypeError, "can't concat %.100s to %.100s",
                     Py_TYPE(b)->tp_name, Py_TYPE(a)->tp_name);
        return NULL;
    }
    na = Py_SIZE(a);
    nb = Py_SIZE(b);
    if (nb == 0 && PyBytes_CheckExact(a))
        return Py_NewRef(a);
    if (na == 0 && PyBytes_CheckExact(b))
        return Py_NewRef(b);
    if (na > BYTES_MAX - nb)
        return PyErr_NoMemory();
    r = bytes_alloc(na + nb);
    if (r == NULL)
        return NULL;
    memcpy(r->ob_sval, BYTES(a)->ob_sval, (size_t)na);
    memcpy(r->ob_sval + na, BYTES(b)->ob_sval, (size_t)nb);
    return (PyObject *)r;
}

void
PyBytes_Concat(PyObject **pv, PyObject *w)
{
    PyObject *res;

    if (pv == NULL || *pv == NULL)
        return;
    if (w == NULL) {
        Py_CLEAR(*pv);
        return;
    }
    res = bytes_concat(*pv, w);
    Py_SETREF(*pv, res);
    if (res == NULL)
        *pv = NULL;
}

void
PyBytes_ConcatAndDel(PyObject **pv, PyObject *w)
{
    PyBytes_Concat(pv, w);
    Py_XDECREF(w);
}

int
_PyBytes_Resize(PyObject **pv, Py_ssize_t newsize)
{
    PyObject *v = *pv;
    PyBytesObject *nb;

    if (v == NULL || !PyBytes_Check(v) || newsize < 0) {
        *pv = NULL;
        Py_XDECREF(v);
        PyErr_BadInternalCall();
        return -1;
    }
    if (Py_SIZE(v) == newsize)
        return 0;
    if (Py_SIZE(v) == 0 || v == (PyObject *)&bytes_empty) {
        /* The shared empty object cannot grow in place: make a new one. */
        Py_DECREF(v);
        *pv = PyBytes_FromStringAndSize(NULL, newsize);
        return *pv == NULL ? -1 : 0;
    }
    if (Py_REFCNT(v) != 1 || !PyBytes_CheckExact(v)) {
        *pv = NULL;
        Py_DECREF(v);
        PyErr_BadInternalCall();
        return -1;
    }
    if (newsize == 0) {
        Py_DECREF(v);
        *pv = (PyObject *)&bytes_empty;
        return 0;
    }
    if (newsize > BYTES_MAX) {
        *pv = NULL;
        Py_DECREF(v);
        PyErr_NoMemory();
        return -1;
    }
    nb = PyObject_Realloc(v, BYTES_HDR + (size_t)newsize + 1);
    if (nb == NULL) {
        *pv = NULL;
        PyObject_Free(v);
        PyErr_NoMemory();
        return -1;
    }
    Py_SET_SIZE(nb, newsize);
    nb->ob_shash = -1;
    nb->ob_sval[newsize] = '\0';
    *pv = (PyObject *)nb;
    return 0;
}

PyObject *
PyBytes_FromObject(PyObject *x)
{
    PyObject *it, *item;
    char *buf = NULL;
    Py_ssize_t n = 0, cap = 0;
    PyObject *res;

    if (x == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (PyBytes_CheckExact(x))
        return Py_NewRef(x);
    if (PyBytes_Check(x))
        return PyBytes_FromStringAndSize(BYTES(x)->ob_sval, Py_SIZE(x));
    if (PyUnicode_Check(x)) {
        PyErr_Format(PyExc_TypeError, "cannot convert '%.200s' object to bytes",
                     Py_TYPE(x)->tp_name);
        return NULL;
    }
    it = PyObject_GetIter(x);
    if (it == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "cannot convert '%.200s' object to bytes",
                         Py_TYPE(x)->tp_name);
        }
        return NULL;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        Py_ssize_t v = PyNumber_AsSsize_t(item, NULL);
        Py_DECREF(item);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (v < 0 || v > 255) {
            PyErr_SetString(PyExc_ValueError, "bytes must be in range(0, 256)");
            goto fail;
        }
        if (n == cap) {
            Py_ssize_t ncap = cap ? cap * 2 : 16;
            char *nbuf = PyMem_Realloc(buf, (size_t)ncap);
            if (nbuf == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            buf = nbuf;
            cap = ncap;
        }
        buf[n++] = (char)v;
    }
    if (PyErr_Occurred())
        goto fail;
    Py_DECREF(it);
    res = PyBytes_FromStringAndSize(buf, n);
    PyMem_Free(buf);
    return res;
fail:
    Py_DECREF(it);
    PyMem_Free(buf);
    return NULL;
}

/* ------------------------------------------------------ FromFormat(V)
 *
 * CPython's subset for bytes: %% %c (0..255) %d %u %ld %lu %zd %zu %i %x
 * %p %s with an optional precision for %s; a width is parsed and ignored.
 * An unknown conversion copies the rest of the format unformatted. */

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} bytesw;

static int
bw_put(bytesw *w, const char *p, Py_ssize_t n)
{
    if (n > BYTES_MAX - w->len) {
        PyErr_NoMemory();
        return -1;
    }
    if (w->len + n > w->cap) {
        Py_ssize_t cap = w->cap ? w->cap : 64;
        char *nb;
        while (cap < w->len + n)
            cap = cap > BYTES_MAX / 2 ? BYTES_MAX : cap * 2;
        nb = PyMem_Realloc(w->buf, (size_t)cap);
        if (nb == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, p, (size_t)n);
    w->len += n;
    return 0;
}

PyObject *
PyBytes_FromFormatV(const char *format, va_list vargs)
{
    bytesw w = { NULL, 0, 0 };
    va_list ap;
    const char *f;
    PyObject *res;

    va_copy(ap, vargs);
    for (f = format; *f; f++) {
        const char *p;
        char buffer[32];
        int len = -1, longflag = 0, sizeflag = 0;
        Py_ssize_t prec = 0;

        if (*f != '%') {
            const char *q = f;
            while (*q && *q != '%')
                q++;
            if (bw_put(&w, f, q - f) < 0)
                goto fail;
            f = q - 1;
            continue;
        }
        p = f++;
        while (*f >= '0' && *f <= '9')
            f++;
        if (*f == '.') {
            f++;
            for (; *f >= '0' && *f <= '9'; f++)
                prec = prec * 10 + (*f - '0');
        }
        while (*f && *f != '%' && !((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z')))
            f++;
        if (*f == 'l' && (f[1] == 'd' || f[1] == 'u')) {
            longflag = 1;
            f++;
        }
        if (*f == 'z' && (f[1] == 'd' || f[1] == 'u')) {
            sizeflag = 1;
            f++;
        }
        switch (*f) {
        case 'c': {
            int c = va_arg(ap, int);
            char ch;
            if (c < 0 || c > 255) {
                PyErr_SetString(PyExc_OverflowError,
                                "PyBytes_FromFormatV(): %c format expects an integer "
                                "in range [0; 255]");
                goto fail;
            }
            ch = (char)c;
            if (bw_put(&w, &ch, 1) < 0)
                goto fail;
            break;
        }
        case 'd':
            if (longflag)
                len = snprintf(buffer, sizeof(buffer), "%ld", va_arg(ap, long));
            else if (sizeflag)
                len = snprintf(buffer, sizeof(buffer), "%zd", va_arg(ap, Py_ssize_t));
            else
                len = snprintf(buffer, sizeof(buffer), "%d", va_arg(ap, int));
            break;
        case 'u':
            if (longflag)
                len = snprintf(buffer, sizeof(buffer), "%lu", va_arg(ap, unsigned long));
            else if (sizeflag)
                len = snprintf(buffer, sizeof(buffer), "%zu", va_arg(ap, size_t));
            else
                len = snprintf(buffer, sizeof(buffer), "%u", va_arg(ap, unsigned int));
            break;
        case 'i':
            len = snprintf(buffer, sizeof(buffer), "%i", va_arg(ap, int));
            break;
        case 'x':
            len = snprintf(buffer, sizeof(buffer), "%x", va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            Py_ssize_t i;
            if (prec <= 0) {
                i = (Py_ssize_t)strlen(s);
            }
            else {
                for (i = 0; i < prec && s[i]; i++)
                    ;
            }
            if (bw_put(&w, s, i) < 0)
                goto fail;
            break;
        }
        case 'p':
            len = snprintf(buffer, sizeof(buffer), "0x%" PRIxPTR,
                           (uintptr_t)va_arg(ap, void *));
            break;
        case '%':
            if (bw_put(&w, "%", 1) < 0)
                goto fail;
            break;
        default:
            /* Invalid conversion: copy the rest unformatted and stop. */
            if (bw_put(&w, p, (Py_ssize_t)strlen(p)) < 0)
                goto fail;
            goto done;
        }
        if (len >= 0 && bw_put(&w, buffer, len) < 0)
            goto fail;
    }
done:
    va_end(ap);
    res = PyBytes_FromStringAndSize(w.buf, w.len);
    PyMem_Free(w.buf);
    return res;
fail:
    va_end(ap);
    PyMem_Free(w.buf);
    return NULL;
}

PyObject *
PyBytes_FromFormat(const char *format, ...)
{
    va_list vargs;
    PyObject *res;

    va_start(vargs, format);
    res = PyBytes_FromFormatV(format, vargs);
    va_end(vargs);
    return res;
}

/* --------------------------------------------------------------- slots */

static void
bytes_dealloc(PyObject *op)
{
    Py_TYPE(op)->tp_free(op);
}

static PyObject *
bytes_repr(PyObject *op)
{
    const unsigned char *p = (const unsigned char *)BYTES(op)->ob_sval;
    Py_ssize_t n = Py_SIZE(op);
    int sq = memchr(p, '\'', (size_t)n) != NULL;
    int dq = memchr(p, '"', (size_t)n) != NULL;
    char quote = (sq && !dq) ? '"' : '\'';
    char *buf, *out;
    PyObject *res;

    if (n > (PY_SSIZE_T_MAX - 3) / 4)
        return PyErr_NoMemory();
    buf = PyMem_Malloc((size_t)n * 4 + 3);
    if (buf == NULL)
        return PyErr_NoMemory();
    out = buf;
    *out++ = 'b';
    *out++ = quote;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == (unsigned char)quote || c == '\\') {
            *out++ = '\\';
            *out++ = (char)c;
        }
        else if (c == '\t') {
            *out++ = '\\';
            *out++ = 't';
        }
        else if (c == '\n') {
            *out++ = '\\';
            *out++ = 'n';
        }
        else if (c == '\r') {
            *out++ = '\\';
            *out++ = 'r';
        }
        else if (c < 0x20 || c >= 0x7F) {
            static const char hex[] = "0123456789abcdef";
            *out++ = '\\';
            *out++ = 'x';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
        else {
            *out++ = (char)c;
        }
    }
    *out++ = quote;
    res = PyUnicode_DecodeASCII(buf, out - buf, NULL);
    PyMem_Free(buf);
    return res;
}

static Py_hash_t
bytes_hash(PyObject *op)
{
    Py_hash_t h = __atomic_load_n(&BYTES(op)->ob_shash, __ATOMIC_RELAXED);

    if (h == -1) {
        h = rt_hash_bytes(BYTES(op)->ob_sval, (size_t)Py_SIZE(op));
        __atomic_store_n(&BYTES(op)->ob_shash, h, __ATOMIC_RELAXED);
    }
    return h;
}

static PyObject *
bytes_richcompare(PyObject *a, PyObject *b, int op)
{
    Py_ssize_t na, nb;
    int c;

    if (!PyBytes_Check(a) || !PyBytes_Check(b))
        Py_RETURN_NOTIMPLEMENTED;
    na = Py_SIZE(a);
    nb = Py_SIZE(b);
    if ((op == Py_EQ || op == Py_NE) && na != nb)
        return PyBool_FromLong(op == Py_NE);
    c = memcmp(BYTES(a)->ob_sval, BYTES(b)->ob_sval, (size_t)(na < nb ? na : nb));
    if (c == 0)
        c = na < nb ? -1 : na > nb ? 1 : 0;
    else
        c = c < 0 ? -1 : 1;
    Py_RETURN_RICHCOMPARE(c, 0, op);
}

static Py_ssize_t
bytes_length(PyObject *op)
{
    return Py_SIZE(op);
}

static PyObject *
bytes_item(PyObject *op, Py_ssize_t i)
{
    if (i < 0 || i >= Py_SIZE(op)) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return NULL;
    }
    return PyLong_FromLong((unsigned char)BYTES(op)->ob_sval[i]);
}

static PyObject *
bytes_subscript(PyObject *op, PyObject *item)
{
    Py_ssize_t i;

    if (!PyIndex_Check(item)) {
        PyErr_Format(PyExc_TypeError, "byte indices must be integers or slices, not %.200s",
                     Py_TYPE(item)->tp_name);
        return NULL;
    }
    i = PyNumber_AsSsize_t(item, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0)
        i += Py_SIZE(op);
    return bytes_item(op, i);
}

static int
bytes_contains(PyObject *self, PyObject *arg)
{
    if (PyBytes_Check(arg)) {
        if (Py_SIZE(arg) == 0)
            return 1;
        return memmem(BYTES(self)->ob_sval, (size_t)Py_SIZE(self),
                      BYTES(arg)->ob_sval, (size_t)Py_SIZE(arg)) != NULL;
    }
    if (PyIndex_Check(arg)) {
        Py_ssize_t v = PyNumber_AsSsize_t(arg, NULL);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < 0 || v > 255) {
            PyErr_SetString(PyExc_ValueError, "byte must be in range(0, 256)");
            return -1;
        }
        return memchr(BYTES(self)->ob_sval, (int)v, (size_t)Py_SIZE(self)) != NULL;
    }
    PyErr_Format(PyExc_TypeError, "a bytes-like object is required, not '%.100s'",
                 Py_TYPE(arg)->tp_name);
    return -1;
}

static PySequenceMethods bytes_as_sequence = {
    .sq_length = bytes_length,
    .sq_concat = bytes_concat,
    .sq_item = bytes_item,
    .sq_contains = bytes_contains,
};

static PyMappingMethods bytes_as_mapping = {
    .mp_length = bytes_length,
    .mp_subscript = bytes_subscript,
};

PyTypeObject PyBytes_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "bytes",
    .tp_basicsize = (Py_ssize_t)BYTES_HDR + 1,
    .tp_itemsize = 1,
    .tp_dealloc = bytes_dealloc,
    .tp_repr = bytes_repr,
    .tp_as_sequence = &bytes_as_sequence,
    .tp_as_mapping = &bytes_as_mapping,
    .tp_hash = bytes_hash,
    .tp_str = bytes_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_BYTES_SUBCLASS |
                _Py_TPFLAGS_MATCH_SELF,
    .tp_doc = "bytes(iterable_of_ints) -> bytes\n"
              "bytes(string, encoding[, errors]) -> bytes\n"
              "bytes(bytes_or_buffer) -> immutable copy of bytes_or_buffer\n"
              "bytes(int) -> bytes object of size given by the parameter initialized with null bytes\n"
              "bytes() -> empty bytes object",
    .tp_richcompare = bytes_richcompare,
    .tp_free = PyObject_Free,
};
