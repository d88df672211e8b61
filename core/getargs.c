/* getargs.c: PyArg_Parse, PyArg_ParseTuple(AndKeywords), their va_list
 * forms, PyArg_UnpackTuple and PyArg_ValidateKeywordArguments.
 *
 * Behaviour and every error text follow CPython 3.14's Python/getargs.c;
 * the code is pymodrt's own.
 *
 * Invariants
 *   - No shared state: a parse touches only its arguments, the caller's
 *     output variables and a per-call context on the C stack, so any number
 *     of threads may parse at once.
 *   - Output pointers are borrowed from the argument objects ('O', 'S',
 *     'U' store the object; 's', 'z', 'y' store a pointer into the str or
 *     bytes), which the caller's argument tuple / keyword dict keeps alive.
 *   - An O& converter that returned Py_CLEANUP_SUPPORTED is recorded; if
 *     the parse fails later, it is called again with (NULL, addr) so it can
 *     release what it produced.  The record array lives on the stack for up
 *     to GA_STATIC_CLEANUPS converters and is allocated up front beyond
 *     that, so recording itself never fails.
 *   - A failed conversion either raised an exception itself (kept as is) or
 *     left a "must be X, not Y" text in the context; ga_report() then turns
 *     the text into "[name() ]argument N[, item k...] must be X, not Y"
 *     (or the ';' custom message).  A text starting with '(' marks a bug in
 *     the format string and raises SystemError instead of TypeError.
 *
 * Map of the file
 *   1. parse context, cleanup records, error reporting
 *   2. converting one item (simple units, nested tuples) and skipping one
 *   3. positional parsing: PyArg_Parse / PyArg_ParseTuple / PyArg_VaParse
 *   4. keyword parsing: PyArg_ParseTupleAndKeywords and its va_list form
 *   5. PyArg_UnpackTuple, PyArg_ValidateKeywordArguments, _SizeT aliases
 */
#include "internal/pycore.h"

#include <ctype.h>

/* ------------------------------------------------ 1. context and errors */

#define GA_STATIC_CLEANUPS 8
#define GA_MAX_LEVELS 32

typedef int (*ga_converter)(PyObject *, void *);

struct ga_cleanup {
    ga_converter fn;
    void *addr;
};

struct ga_ctx {
    va_list *va;                         /* the caller's remaining arguments */
    const char *fname;                   /* after ':' or NULL */
    const char *custom;                  /* after ';' or NULL */
    char msg[256];                       /* "must be ..." text of a failure */
    int levels[GA_MAX_LEVELS];           /* nested item path, 1-based, 0-terminated */
    struct ga_cleanup *cleanups;         /* static_cleanups or heap */
    int ncleanups;
    struct ga_cleanup static_cleanups[GA_STATIC_CLEANUPS];
};

/* Number of O& units in a format: the most cleanup records a parse can
 * need. */
static int
ga_count_converters(const char *format)
{
    int n = 0;

    for (; *format != '\0' && *format != ':' && *format != ';'; format++) {
        if (format[0] == 'O' && format[1] == '&')
            n++;
    }
    return n;
}

static int
ga_ctx_init(struct ga_ctx *g, const char *format, va_list *va)
{
    int need = ga_count_converters(format);

    g->va = va;
    g->fname = NULL;
    g->custom = NULL;
    g->msg[0] = '\0';
    g->levels[0] = 0;
    g->ncleanups = 0;
    g->cleanups = g->static_cleanups;
    if (need > GA_STATIC_CLEANUPS) {
        g->cleanups = PyMem_Malloc((size_t)need * sizeof(struct ga_cleanup));
        if (g->cleanups == NULL) {
            g->cleanups = g->static_cleanups;
            PyErr_NoMemory();
            return -1;
        }
    }
    return 0;
}

/* Ends a parse: on failure (ok == 0) runs the recorded cleanups, newest
 * last as CPython does.  Returns ok. */
static int
ga_finish(struct ga_ctx *g, int ok)
{
    if (!ok) {
        for (int i = 0; i < g->ncleanups; i++)
            g->cleanups[i].fn(NULL, g->cleanups[i].addr);
    }
    if (g->cleanups != g->static_cleanups)
        PyMem_Free(g->cleanups);
    return ok;
}

static const char *
ga_type_name(PyObject *arg)
{
    return arg == Py_None ? "None" : Py_TYPE(arg)->tp_name;
}

/* Records a type-mismatch text; always returns -1. */
static int
ga_expected(struct ga_ctx *g, const char *expected, PyObject *arg)
{
    if (expected[0] == '(')
        snprintf(g->msg, sizeof(g->msg), "%.100s", expected);
    else
        snprintf(g->msg, sizeof(g->msg), "must be %.50s, not %.50s", expected,
                 ga_type_name(arg));
    return -1;
}

/* Raises the error of a failed conversion of argument 'iarg' (1-based; 0
 * means "the argument" of PyArg_Parse).  'levels' is the nested path. */
static void
ga_report(struct ga_ctx *g, Py_ssize_t iarg, const int *levels)
{
    char buf[512];
    size_t n = 0;
    const char *text;

    if (PyErr_Occurred())
        return;
    if (g->custom != NULL) {
        text = g->custom;
    } else {
        if (g->fname != NULL)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%.200s() ", g->fname);
        if (iarg != 0) {
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "argument %zd", iarg);
            for (int i = 0; i < GA_MAX_LEVELS && levels[i] > 0 && n < 220; i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, ", item %d", levels[i] - 1);
        } else {
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "argument");
        }
        snprintf(buf + n, sizeof(buf) - n, " %.256s", g->msg);
        text = buf;
    }
    PyErr_SetString(g->msg[0] == '(' ? PyExc_SystemError : PyExc_TypeError, text);
}

/* ------------------------------------- 2. converting and skipping items */

static int ga_convert(struct ga_ctx *g, PyObject *arg, const char **pformat, int *levels);

/* Fetches a C long from an integer argument; -1 with an exception set on
 * failure (the int protocol's own messages). */
static int
ga_long(PyObject *arg, long *out)
{
    long v = PyLong_AsLong(arg);

    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

static int
ga_range_error(const char *text)
{
    PyErr_SetString(PyExc_OverflowError, text);
    return -1;
}

/* 'k' and 'K': an int, or an object with __index__ (3.14), truncated to
 * the C width. */
static int
ga_bitfield(struct ga_ctx *g, PyObject *arg, unsigned long long *out)
{
    PyObject *idx;

    if (PyLong_Check(arg)) {
        unsigned long long v = PyLong_AsUnsignedLongLongMask(arg);
        if (v == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        *out = v;
        return 0;
    }
    if (!PyIndex_Check(arg))
        return ga_expected(g, "int", arg);
    idx = PyNumber_Index(arg);
    if (idx == NULL)
        return -1;
    *out = PyLong_AsUnsignedLongLongMask(idx);
    Py_DECREF(idx);
    return (*out == (unsigned long long)-1 && PyErr_Occurred()) ? -1 : 0;
}

/* Read-only contiguous bytes of a bytes-like object: bytes itself, or a
 * type whose buffer needs no release.  Returns the length or -1. */
static Py_ssize_t
ga_readonly_buffer(struct ga_ctx *g, PyObject *arg, const char **p)
{
    PyBufferProcs *pb = Py_TYPE(arg)->tp_as_buffer;
    Py_buffer view;

    if (PyBytes_Check(arg)) {
        *p = PyBytes_AS_STRING(arg);
        return PyBytes_GET_SIZE(arg);
    }
    if (pb != NULL && pb->bf_releasebuffer != NULL)
        return ga_expected(g, "read-only bytes-like object", arg);
    if (pb == NULL || pb->bf_getbuffer == NULL) {
        PyErr_Format(PyExc_TypeError, "a bytes-like object is required, not '%.100s'",
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
    memset(&view, 0, sizeof(view));
    if (pb->bf_getbuffer(arg, &view, 0 /* PyBUF_SIMPLE */) < 0)
        return -1;
    *p = view.buf;
    Py_XDECREF(view.obj);   /* no bf_releasebuffer: releasing is the decref */
    return view.len;
}

/* One unit that is not a nested tuple.  On success advances *pformat past
 * the unit (and its '#', '!', '&' modifier). */
static int
ga_convert_simple(struct ga_ctx *g, PyObject *arg, const char **pformat)
{
    const char *format = *pformat;
    char c = *format++;
    long lv;

    switch (c) {
    case 'b': {
        unsigned char *p = va_arg(*g->va, unsigned char *);
        if (ga_long(arg, &lv) < 0)
            return -1;
        if (lv < 0)
            return ga_range_error("unsigned byte integer is less than minimum");
        if (lv > UCHAR_MAX)
            return ga_range_error("unsigned byte integer is greater than maximum");
        *p = (unsigned char)lv;
        break;
    }
    case 'B': case 'H': case 'I': {
        void *p = va_arg(*g->va, void *);
        unsigned long v = PyLong_AsUnsignedLongMask(arg);
        if (v == (unsigned long)-1 && PyErr_Occurred())
            return -1;
        if (c == 'B')
            *(unsigned char *)p = (unsigned char)v;
        else if (c == 'H')
            *(unsigned short *)p = (unsigned short)v;
        else
            *(unsigned int *)p = (unsigned int)v;
        break;
    }
    case 'h': {
        short *p = va_arg(*g->va, short *);
        if (ga_long(arg, &lv) < 0)
            return -1;
        if (lv < SHRT_MIN)
            return ga_range_error("signed short integer is less than minimum");
        if (lv > SHRT_MAX)
            return ga_range_error("signed short integer is greater than maximum");
        *p = (short)lv;
        break;
    }
    case 'i': {
        int *p = va_arg(*g->va, int *);
        if (ga_long(arg, &lv) < 0)
            return -1;
        if (lv > INT_MAX)
            return ga_range_error("signed integer is greater than maximum");
        if (lv < INT_MIN)
            return ga_range_error("signed integer is less than minimum");
        *p = (int)lv;
        break;
    }
    case 'l': {
        long *p = va_arg(*g->va, long *);
        if (ga_long(arg, &lv) < 0)
            return -1;
        *p = lv;
        break;
    }
    case 'n': {
        Py_ssize_t *p = va_arg(*g->va, Py_ssize_t *), v;
        PyObject *idx = PyNumber_Index(arg);
        if (idx == NULL)
            return -1;
        v = PyLong_AsSsize_t(idx);
        Py_DECREF(idx);
        if (v == -1 && PyErr_Occurred())
            return -1;
        *p = v;
        break;
    }
    case 'k': {
        unsigned long *p = va_arg(*g->va, unsigned long *);
        unsigned long long v;
        if (ga_bitfield(g, arg, &v) < 0)
            return -1;
        *p = (unsigned long)v;
        break;
    }
    case 'L': {
        long long *p = va_arg(*g->va, long long *);
        long long v = PyLong_AsLongLong(arg);
        if (v == -1 && PyErr_Occurred())
            return -1;
        *p = v;
        break;
    }
    case 'K': {
        unsigned long long *p = va_arg(*g->va, unsigned long long *);
        unsigned long long v;
        if (ga_bitfield(g, arg, &v) < 0)
            return -1;
        *p = v;
        break;
    }
    case 'f': case 'd': {
        void *p = va_arg(*g->va, void *);
        double v = PyFloat_AsDouble(arg);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        if (c == 'f')
            *(float *)p = (float)v;
        else
            *(double *)p = v;
        break;
    }
    case 'c': {
        char *p = va_arg(*g->va, char *);
        if (!PyBytes_Check(arg) || PyBytes_GET_SIZE(arg) != 1)
            return ga_expected(g, "a byte string of length 1", arg);
        *p = PyBytes_AS_STRING(arg)[0];
        break;
    }
    case 'C': {
        int *p = va_arg(*g->va, int *);
        if (!PyUnicode_Check(arg) || PyUnicode_GetLength(arg) != 1)
            return ga_expected(g, "a unicode character", arg);
        *p = (int)PyUnicode_ReadChar(arg, 0);
        break;
    }
    case 'p': {
        int *p = va_arg(*g->va, int *);
        int v = PyObject_IsTrue(arg);
        if (v < 0)
            return -1;
        *p = v;
        break;
    }
    case 's': case 'z': case 'y': {
        if (*format == '*')   /* Py_buffer units: not offered by pymodrt */
            return ga_expected(g, "(impossible<bad format char>)", arg);
        const char **p = va_arg(*g->va, const char **);
        Py_ssize_t *plen = NULL, len;
        const char *s;
        if (*format == '#') {
            plen = va_arg(*g->va, Py_ssize_t *);
            format++;
        }
        if (c == 'z' && arg == Py_None) {
            *p = NULL;
            if (plen != NULL)
                *plen = 0;
            break;
        }
        if (c != 'y' && PyUnicode_Check(arg)) {
            s = PyUnicode_AsUTF8AndSize(arg, &len);
            if (s == NULL)
                return ga_expected(g, "(unicode conversion error)", arg);
            if (plen == NULL && strlen(s) != (size_t)len) {
                PyErr_SetString(PyExc_ValueError, "embedded null character");
                return -1;
            }
        } else if (c != 'y' && plen == NULL) {
            return ga_expected(g, c == 'z' ? "str or None" : "str", arg);
        } else {
            len = ga_readonly_buffer(g, arg, &s);
            if (len < 0)
                return -1;
            if (plen == NULL && strlen(s) != (size_t)len) {
                PyErr_SetString(PyExc_ValueError, "embedded null byte");
                return -1;
            }
        }
        *p = s;
        if (plen != NULL)
            *plen = len;
        break;
    }
    case 'S': case 'U': {
        PyObject **p = va_arg(*g->va, PyObject **);
        if (c == 'S' ? !PyBytes_Check(arg) : !PyUnicode_Check(arg))
            return ga_expected(g, c == 'S' ? "bytes" : "str", arg);
        *p = arg;
        break;
    }
    case 'O':
        if (*format == '!') {
            PyTypeObject *type = va_arg(*g->va, PyTypeObject *);
            PyObject **p = va_arg(*g->va, PyObject **);
            format++;
            if (!PyType_IsSubtype(Py_TYPE(arg), type))
                return ga_expected(g, type->tp_name, arg);
            *p = arg;
        } else if (*format == '&') {
            ga_converter fn = va_arg(*g->va, ga_converter);
            void *addr = va_arg(*g->va, void *);
            int r;
            format++;
            r = fn(arg, addr);
            if (r == 0)
                return ga_expected(g, "(unspecified)", arg);
            if (r == Py_CLEANUP_SUPPORTED) {
                g->cleanups[g->ncleanups].fn = fn;
                g->cleanups[g->ncleanups].addr = addr;
                g->ncleanups++;
            }
        } else {
            PyObject **p = va_arg(*g->va, PyObject **);
            *p = arg;
        }
        break;
    default:
        return ga_expected(g, "(impossible<bad format char>)", arg);
    }
    *pformat = format;
    return 0;
}

/* Number of units in a nested tuple format starting after its '('. */
static int
ga_tuple_width(const char *format)
{
    int level = 0, n = 0;

    for (;; format++) {
        char c = *format;
        if (c == '(') {
            if (level++ == 0)
                n++;
        } else if (c == ')') {
            if (level-- == 0)
                break;
        } else if (c == ':' || c == ';' || c == '\0') {
            break;
        } else if (level == 0 && isalpha((unsigned char)c)) {
            n++;
        }
    }
    return n;
}

/* '(' ... ')': *pformat points after '('; on success, at the ')'. */
static int
ga_convert_tuple(struct ga_ctx *g, PyObject *arg, const char **pformat, int *levels)
{
    int n = ga_tuple_width(*pformat);
    const char *format = *pformat;
    Py_ssize_t len;

    if (!PySequence_Check(arg) || PyBytes_Check(arg)) {
        levels[0] = 0;
        snprintf(g->msg, sizeof(g->msg), "must be %d-item sequence, not %.50s", n,
                 ga_type_name(arg));
        return -1;
    }
    len = PySequence_Size(arg);
    if (len < 0)
        return -1;
    if (len != n) {
        levels[0] = 0;
        snprintf(g->msg, sizeof(g->msg), "must be sequence of length %d, not %zd", n, len);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(arg, i);
        int r;
        if (item == NULL) {
            PyErr_Clear();
            levels[0] = i + 1;
            levels[1] = 0;
            snprintf(g->msg, sizeof(g->msg), "is not retrievable");
            return -1;
        }
        r = ga_convert(g, item, &format, levels + 1);
        Py_DECREF(item);
        if (r < 0) {
            levels[0] = i + 1;
            return -1;
        }
    }
    *pformat = format;
    return 0;
}

/* Converts one unit (simple or nested) of 'arg'; 'levels' receives the
 * nested path on failure. */
static int
ga_convert(struct ga_ctx *g, PyObject *arg, const char **pformat, int *levels)
{
    const char *format = *pformat;

    if (*format == '(') {
        format++;
        if (levels - g->levels >= GA_MAX_LEVELS - 2) {
            PyErr_SetString(PyExc_SystemError,
                            "too many tuple nesting levels in argument format string");
            return -1;
        }
        if (ga_convert_tuple(g, arg, &format, levels) < 0)
            return -1;
        format++;   /* the ')' */
    } else if (ga_convert_simple(g, arg, &format) < 0) {
        levels[0] = 0;
        return -1;
    }
    *pformat = format;
    return 0;
}

#define GA_END(c) ((c) == '\0' || (c) == ';' || (c) == ':')

/* Steps over one unit without converting, consuming its C arguments when
 * 'va' is not NULL.  Returns NULL or a description of a format error. */
static const char *
ga_skip(const char **pformat, va_list *va)
{
    const char *format = *pformat;
    char c = *format++;

    switch (c) {
    case 'b': case 'B': case 'h': case 'H': case 'i': case 'I': case 'l': case 'k':
    case 'L': case 'K': case 'n': case 'f': case 'd': case 'c': case 'C': case 'p':
    case 'S': case 'U':
        if (va != NULL)
            (void)va_arg(*va, void *);
        break;
    case 's': case 'z': case 'y':
        if (va != NULL)
            (void)va_arg(*va, char **);
        if (*format == '#') {
            if (va != NULL)
                (void)va_arg(*va, Py_ssize_t *);
            format++;
        } else if (*format == '*') {
            return "impossible<bad format char>";
        }
        break;
    case 'O':
        if (*format == '!' || *format == '&') {
            if (va != NULL) {
                (void)va_arg(*va, void *);
                (void)va_arg(*va, void *);
            }
            format++;
        } else if (va != NULL) {
            (void)va_arg(*va, PyObject **);
        }
        break;
    case '(':
        while (*format != ')') {
            const char *msg;
            if (GA_END(*format))
                return "Unmatched left paren in format string";
            msg = ga_skip(&format, va);
            if (msg != NULL)
                return msg;
        }
        format++;
        break;
    case ')':
        return "Unmatched right paren in format string";
    default:
        return "impossible<bad format char>";
    }
    *pformat = format;
    return NULL;
}

/* ---------------------------------------------- 3. positional parsing */

/* compat: PyArg_Parse's old protocol, where 'args' is the single argument
 * itself (or NULL) rather than a tuple. */
static int
ga_parse_positional(PyObject *args, const char *format, va_list *va, int compat)
{
    struct ga_ctx g;
    const char *f = format;
    int level = 0, min = -1, max = 0;
    Py_ssize_t nargs = 0;

    if (format == NULL) {
        PyErr_BadInternalCall();
        return 0;
    }
    /* Scan: count top-level units, find '|', ':' and ';'. */
    const char *fname = NULL, *custom = NULL;
    for (int done = 0; !done;) {
        char c = *f++;
        switch (c) {
        case '(':
            if (level++ == 0)
                max++;
            if (level >= 30) {
                PyErr_SetString(PyExc_SystemError,
                                "too many tuple nesting levels in argument format string");
                return 0;
            }
            break;
        case ')':
            if (level == 0) {
                PyErr_SetString(PyExc_SystemError, "excess ')' in getargs format");
                return 0;
            }
            level--;
            break;
        case '\0':
            done = 1;
            break;
        case ':':
            fname = f;
            done = 1;
            break;
        case ';':
            custom = f;
            done = 1;
            break;
        case '|':
            if (level == 0)
                min = max;
            break;
        default:
            if (level == 0 && isalpha((unsigned char)c) && c != 'e')
                max++;
            break;
        }
    }
    if (level != 0) {
        PyErr_SetString(PyExc_SystemError, "missing ')' in getargs format");
        return 0;
    }
    if (min < 0)
        min = max;

    if (!compat) {
        if (args == NULL || !PyTuple_Check(args)) {
            PyErr_SetString(PyExc_SystemError,
                            "new style getargs format but argument is not a tuple");
            return 0;
        }
        nargs = PyTuple_GET_SIZE(args);
    }
    if (ga_ctx_init(&g, format, va) < 0)
        return 0;
    g.fname = fname;
    g.custom = custom;
    f = format;

    if (compat) {
        if (max == 0) {
            if (args == NULL)
                return ga_finish(&g, 1);
            PyErr_Format(PyExc_TypeError, "%.200s%s takes no arguments",
                         fname == NULL ? "function" : fname, fname == NULL ? "" : "()");
            return ga_finish(&g, 0);
        }
        if (min != 1 || max != 1) {
            PyErr_SetString(PyExc_SystemError, "old style getargs format uses new features");
            return ga_finish(&g, 0);
        }
        if (args == NULL) {
            PyErr_Format(PyExc_TypeError, "%.200s%s takes at least one argument",
                         fname == NULL ? "function" : fname, fname == NULL ? "" : "()");
            return ga_finish(&g, 0);
        }
        if (ga_convert(&g, args, &f, g.levels) < 0) {
            ga_report(&g, g.levels[0], g.levels + 1);
            return ga_finish(&g, 0);
        }
        return ga_finish(&g, 1);
    }

    if (nargs < min || nargs > max) {
        if (custom != NULL) {
            PyErr_SetString(PyExc_TypeError, custom);
        } else {
            int want = nargs < min ? min : max;
            PyErr_Format(PyExc_TypeError, "%.150s%s takes %s %d argument%s (%zd given)",
                         fname == NULL ? "function" : fname, fname == NULL ? "" : "()",
                         min == max ? "exactly" : nargs < min ? "at least" : "at most",
                         want, want == 1 ? "" : "s", nargs);
        }
        return ga_finish(&g, 0);
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        if (*f == '|')
            f++;
        if (ga_convert(&g, PyTuple_GET_ITEM(args, i), &f, g.levels) < 0) {
            ga_report(&g, i + 1, g.levels);
            return ga_finish(&g, 0);
        }
    }
    if (*f != '\0' && !isalpha((unsigned char)*f) && *f != '(' && *f != '|' && *f != ':' &&
        *f != ';') {
        PyErr_Format(PyExc_SystemError, "bad format string: %.200s", format);
        return ga_finish(&g, 0);
    }
    return ga_finish(&g, 1);
}

int
PyArg_Parse(PyObject *args, const char *format, ...)
{
    va_list va;
    int r;

    va_start(va, format);
    r = ga_parse_positional(args, format, &va, 1);
    va_end(va);
    return r;
}

int
PyArg_ParseTuple(PyObject *args, const char *format, ...)
{
    va_list va;
    int r;

    va_start(va, format);
    r = ga_parse_positional(args, format, &va, 0);
    va_end(va);
    return r;
}

int
PyArg_VaParse(PyObject *args, const char *format, va_list va)
{
    va_list copy;
    int r;

    va_copy(copy, va);
    r = ga_parse_positional(args, format, &copy, 0);
    va_end(copy);
    return r;
}

/* ------------------------------------------------- 4. keyword parsing */

static const char *
ga_fn(const char *fname)
{
    return fname == NULL ? "function" : fname;
}

static const char *
ga_parens(const char *fname)
{
    return fname == NULL ? "" : "()";
}

/* After all parameters were matched, finds out why keyword arguments are
 * left over and raises the matching TypeError. */
static void
ga_leftover_keywords(PyObject *args, PyObject *kwargs, const char *fname,
                     char *const *kwlist, int pos, int len)
{
    Py_ssize_t nargs = PyTuple_GET_SIZE(args), j = 0;
    PyObject *key, *value;

    for (int i = pos; i < nargs; i++) {
        int r = PyDict_GetItemStringRef(kwargs, kwlist[i], &value);
        if (r < 0)
            return;
        if (r > 0) {
            Py_DECREF(value);
            PyErr_Format(PyExc_TypeError,
                         "argument for %.200s%s given by name ('%s') and position (%d)",
                         ga_fn(fname), ga_parens(fname), kwlist[i], i + 1);
            return;
        }
    }
    while (PyDict_Next(kwargs, &j, &key, NULL)) {
        int match = 0;
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "keywords must be strings");
            return;
        }
        for (int i = pos; i < len && !match; i++)
            match = PyUnicode_EqualToUTF8(key, kwlist[i]);
        if (!match) {
            PyErr_Format(PyExc_TypeError, "'%U' is an invalid keyword argument for %.200s%s",
                         key, fname == NULL ? "this function" : fname, ga_parens(fname));
            return;
        }
    }
    /* Extraneous keywords that nevertheless compare equal to a parameter
     * name (a str subclass with odd __eq__/__hash__). */
    PyErr_Format(PyExc_TypeError, "invalid keyword argument for %.200s%s",
                 fname == NULL ? "this function" : fname, ga_parens(fname));
}

static int
ga_parse_keywords(PyObject *args, PyObject *kwargs, const char *format,
                  char *const *kwlist, va_list *va)
{
    struct ga_ctx g;
    const char *fname, *custom = NULL;
    int min = INT_MAX, max = INT_MAX, pos, len, i, skip = 0;
    Py_ssize_t nargs, nkwargs;

    if (args == NULL || !PyTuple_Check(args) || (kwargs != NULL && !PyDict_Check(kwargs)) ||
        format == NULL || kwlist == NULL) {
        PyErr_BadInternalCall();
        return 0;
    }
    fname = strchr(format, ':');
    if (fname != NULL)
        fname++;
    else if ((custom = strchr(format, ';')) != NULL)
        custom++;

    for (pos = 0; kwlist[pos] != NULL && kwlist[pos][0] == '\0'; pos++)
        ;
    for (len = pos; kwlist[len] != NULL; len++) {
        if (kwlist[len][0] == '\0') {
            PyErr_SetString(PyExc_SystemError, "Empty keyword parameter name");
            return 0;
        }
    }
    if (ga_ctx_init(&g, format, va) < 0)
        return 0;
    g.fname = fname;
    g.custom = custom;

    nargs = PyTuple_GET_SIZE(args);
    nkwargs = kwargs == NULL ? 0 : PyDict_Size(kwargs);
    if (nargs + nkwargs > len) {
        PyErr_Format(PyExc_TypeError, "%.200s%s takes at most %d %sargument%s (%zd given)",
                     ga_fn(fname), ga_parens(fname), len, nargs == 0 ? "keyword " : "",
                     len == 1 ? "" : "s", nargs + nkwargs);
        return ga_finish(&g, 0);
    }

    for (i = 0; i < len; i++) {
        if (*format == '|') {
            if (min != INT_MAX) {
                PyErr_SetString(PyExc_SystemError, "Invalid format string (| specified twice)");
                return ga_finish(&g, 0);
            }
            min = i;
            format++;
            if (max != INT_MAX) {
                PyErr_SetString(PyExc_SystemError, "Invalid format string ($ before |)");
                return ga_finish(&g, 0);
            }
        }
        if (*format == '$') {
            if (max != INT_MAX) {
                PyErr_SetString(PyExc_SystemError, "Invalid format string ($ specified twice)");
                return ga_finish(&g, 0);
            }
            max = i;
            format++;
            if (max < pos) {
                PyErr_SetString(PyExc_SystemError, "Empty parameter name after $");
                return ga_finish(&g, 0);
            }
            if (skip)
                break;   /* report the missing positional-only ones below */
            if (max < nargs) {
                if (max == 0)
                    PyErr_Format(PyExc_TypeError, "%.200s%s takes no positional arguments",
                                 ga_fn(fname), ga_parens(fname));
                else
                    PyErr_Format(PyExc_TypeError,
                                 "%.200s%s takes %s %d positional argument%s (%zd given)",
                                 ga_fn(fname), ga_parens(fname),
                                 min != INT_MAX ? "at most" : "exactly", max,
                                 max == 1 ? "" : "s", nargs);
                return ga_finish(&g, 0);
            }
        }
        if (GA_END(*format)) {
            PyErr_Format(PyExc_SystemError,
                         "More keyword list entries (%d) than format specifiers (%d)", len, i);
            return ga_finish(&g, 0);
        }
        if (!skip) {
            PyObject *cur = NULL, *owned = NULL;
            if (i < nargs) {
                cur = PyTuple_GET_ITEM(args, i);
            } else if (nkwargs > 0 && i >= pos) {
                int r = PyDict_GetItemStringRef(kwargs, kwlist[i], &owned);
                if (r < 0)
                    return ga_finish(&g, 0);
                if (r > 0) {
                    nkwargs--;
                    cur = owned;
                }
            }
            if (cur != NULL) {
                /* The dict keeps the value alive after this reference goes. */
                int r = ga_convert(&g, cur, &format, g.levels);
                Py_XDECREF(owned);
                if (r < 0) {
                    ga_report(&g, i + 1, g.levels);
                    return ga_finish(&g, 0);
                }
                continue;
            }
            if (i < min) {
                if (i < pos) {
                    skip = 1;   /* positional-only and missing: count first */
                } else {
                    PyErr_Format(PyExc_TypeError,
                                 "%.200s%s missing required argument '%s' (pos %d)",
                                 ga_fn(fname), ga_parens(fname), kwlist[i], i + 1);
                    return ga_finish(&g, 0);
                }
            }
            if (nkwargs == 0 && !skip)
                return ga_finish(&g, 1);   /* the rest is optional and absent */
        }
        const char *bad = ga_skip(&format, g.va);
        if (bad != NULL) {
            PyErr_Format(PyExc_SystemError, "%s: '%s'", bad, format);
            return ga_finish(&g, 0);
        }
    }

    if (skip) {
        int need = Py_MIN(pos, min);
        PyErr_Format(PyExc_TypeError, "%.200s%s takes %s %d positional argument%s (%zd given)",
                     ga_fn(fname), ga_parens(fname), need < i ? "at least" : "exactly", need,
                     need == 1 ? "" : "s", nargs);
        return ga_finish(&g, 0);
    }
    if (!GA_END(*format) && *format != '|' && *format != '$') {
        PyErr_Format(PyExc_SystemError,
                     "more argument specifiers than keyword list entries "
                     "(remaining format:'%s')", format);
        return ga_finish(&g, 0);
    }
    if (nkwargs > 0) {
        ga_leftover_keywords(args, kwargs, fname, kwlist, pos, len);
        return ga_finish(&g, 0);
    }
    return ga_finish(&g, 1);
}

int
PyArg_ParseTupleAndKeywords(PyObject *args, PyObject *kwargs, const char *format,
                            char *const *kwlist, ...)
{
    va_list va;
    int r;

    va_start(va, kwlist);
    r = ga_parse_keywords(args, kwargs, format, kwlist, &va);
    va_end(va);
    return r;
}

int
PyArg_VaParseTupleAndKeywords(PyObject *args, PyObject *kwargs, const char *format,
                              char *const *kwlist, va_list va)
{
    va_list copy;
    int r;

    va_copy(copy, va);
    r = ga_parse_keywords(args, kwargs, format, kwlist, &copy);
    va_end(copy);
    return r;
}

/* ---------------------- 5. UnpackTuple, keyword validation, _SizeT names */

int
PyArg_UnpackTuple(PyObject *args, const char *name, Py_ssize_t min, Py_ssize_t max, ...)
{
    Py_ssize_t nargs, bound;
    const char *rel = "";
    va_list va;

    if (args == NULL || !PyTuple_Check(args)) {
        PyErr_SetString(PyExc_SystemError, "PyArg_UnpackTuple() argument list is not a tuple");
        return 0;
    }
    nargs = PyTuple_GET_SIZE(args);
    if (nargs < min) {
        bound = min;
        rel = min == max ? "" : "at least ";
    } else if (nargs != 0 && nargs > max) {
        bound = max;
        rel = min == max ? "" : "at most ";
    } else {
        bound = -1;
    }
    if (bound >= 0) {
        if (name != NULL)
            PyErr_Format(PyExc_TypeError, "%.200s expected %s%zd argument%s, got %zd", name,
                         rel, bound, bound == 1 ? "" : "s", nargs);
        else
            PyErr_Format(PyExc_TypeError, "unpacked tuple should have %s%zd element%s, but has %zd",
                         rel, bound, bound == 1 ? "" : "s", nargs);
        return 0;
    }
    va_start(va, max);
    for (Py_ssize_t i = 0; i < nargs; i++)
        *va_arg(va, PyObject **) = PyTuple_GET_ITEM(args, i);
    va_end(va);
    return 1;
}

int
PyArg_ValidateKeywordArguments(PyObject *kwargs)
{
    Py_ssize_t pos = 0;
    PyObject *key;

    if (kwargs == NULL || !PyDict_Check(kwargs)) {
        PyErr_BadInternalCall();
        return 0;
    }
    while (PyDict_Next(kwargs, &pos, &key, NULL)) {
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "keywords must be strings");
            return 0;
        }
    }
    return 1;
}

int
_PyArg_Parse_SizeT(PyObject *args, const char *format, ...)
{
    va_list va;
    int r;

    va_start(va, format);
    r = ga_parse_positional(args, format, &va, 1);
    va_end(va);
    return r;
}

int
_PyArg_ParseTuple_SizeT(PyObject *args, const char *format, ...)
{
    va_list va;
    int r;

    va_start(va, format);
    r = ga_parse_positional(args, format, &va, 0);
    va_end(va);
    return r;
}

int
_PyArg_VaParse_SizeT(PyObject *args, const char *format, va_list va)
{
    return PyArg_VaParse(args, format, va);
}

int
_PyArg_ParseTupleAndKeywords_SizeT(PyObject *args, PyObject *kwargs, const char *format,
                                   char *const *kwlist, ...)
{
    va_list va;
    int r;

    va_start(va, kwlist);
    r = ga_parse_keywords(args, kwargs, format, kwlist, &va);
    va_end(va);
    return r;
}

int
_PyArg_VaParseTupleAndKeywords_SizeT(PyObject *args, PyObject *kwargs, const char *format,
                                     char *const *kwlist, va_list va)
{
    return PyArg_VaParseTupleAndKeywords(args, kwargs, format, kwlist, va);
}
