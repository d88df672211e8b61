/* unicodeobject.c: the str type and the PyUnicode_* API.
 *
 * Representation (include/unicodeobject.h): one PyObject_Malloc block holds
 * the header and the text, generalized UTF-8 (lone surrogates allowed as
 * 3-byte sequences, flagged PYSTR_SURROGATES), NUL-terminated, with its
 * code-point length, its byte length, a cached hash and state bits.
 *
 * Invariants:
 *   - A published str never changes: text, lengths and state are immutable.
 *     The one exception is the hash cache, written with a relaxed atomic
 *     store of a value every thread computes identically (idempotent).
 *   - The text is always valid generalized UTF-8: every constructor either
 *     validates its input or builds it from code points.  PYSTR_ASCII is set
 *     exactly when length == utf8_length; PYSTR_SURROGATES exactly when the
 *     text holds a surrogate.
 *   - Byte order of the text is code-point order, so comparisons are memcmp.
 *   - The empty str is one static immortal object.  Interned strings are
 *     immortal and owned by the intern table until str_intern_fini.
 *
 * Concurrency: str objects need no locks (immutable).  The intern table is
 * a ck_hs in SPMC mode: lookups take no lock (an rt_epoch section protects
 * the table's memory against a concurrent grow); inserts take intern_lock.
 *
 * Organisation:
 *   1. helpers: allocation, UTF-8 scanning, the growable writer
 *   2. errors raised by codecs
 *   3. decoding (UTF-8, ASCII, Latin-1, locale/FS) and encoding
 *   4. the PyUnicode_* API (creation, access, comparison, search, join)
 *   5. PyUnicode_FromFormat(V)
 *   6. the intern table
 *   7. the str type's slots and PyUnicode_Type
 *   8. generated Unicode property tables (printable, identifier) */
#include "internal/pycore.h"

#include <ck_hs.h>
#include <inttypes.h>

#if defined(__SANITIZE_THREAD__)
#  define STR_TSAN 1
#elif defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define STR_TSAN 1
#  endif
#endif
#ifdef STR_TSAN
#  include <sanitizer/tsan_interface.h>
#endif

/* ================================================================ 1. helpers */

#define STR_HDR offsetof(PyUnicodeObject, data)
#define STR(op) ((PyUnicodeObject *)(op))
#define STR_MAX_BYTES (PY_SSIZE_T_MAX - (Py_ssize_t)STR_HDR - 1)

struct ucs_range { uint32_t lo, hi; };
static const struct ucs_range ucs_printable[699];
static const struct ucs_range ucs_xid_start[653];
static const struct ucs_range ucs_xid_continue[759];

static PyUnicodeObject str_empty = {
    PyObject_HEAD_INIT(&PyUnicode_Type)
    0, 0, -1, PYSTR_ASCII | PYSTR_INTERNED | PYSTR_STATIC, ""
};

static inline PyObject *
str_get_empty(void)
{
    return (PyObject *)&str_empty;   /* immortal: no incref needed */
}

/* Text of any str, exact or subclass instance. */
static inline const char *
str_text(PyObject *op)
{
    if (RT_LIKELY(Py_IS_TYPE(op, &PyUnicode_Type)))
        return (const char *)op + STR_HDR;
    return (const char *)op + Py_TYPE(op)->tp_basicsize;
}

static inline char *
str_bytes(PyUnicodeObject *u)
{
    return (char *)u + STR_HDR;
}

/* A new exact str with room for nbytes of text (NUL written); the caller
 * fills the text. */
static PyUnicodeObject *
str_alloc(Py_ssize_t nbytes, Py_ssize_t ncp, uint32_t state)
{
    PyUnicodeObject *u;

    if (nbytes > STR_MAX_BYTES) {
        PyErr_NoMemory();
        return NULL;
    }
    u = PyObject_Malloc(STR_HDR + (size_t)nbytes + 1);
    if (u == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    PyObject_Init((PyObject *)u, &PyUnicode_Type);
    u->length = ncp;
    u->utf8_length = nbytes;
    u->hash = -1;
    u->state = state;
    str_bytes(u)[nbytes] = '\0';
    return u;
}

static PyObject *
str_new_copy(const char *s, Py_ssize_t nbytes, Py_ssize_t ncp, uint32_t state)
{
    PyUnicodeObject *u;

    if (nbytes == 0)
        return str_get_empty();
    u = str_alloc(nbytes, ncp, state);
    if (u == NULL)
        return NULL;
    memcpy(str_bytes(u), s, (size_t)nbytes);
    return (PyObject *)u;
}

/* Length of the sequence starting with lead byte 'c' (valid text only). */
static inline int
utf8_seqlen(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    return 4;
}

static inline Py_UCS4
utf8_decode_at(const unsigned char *p, int *len)
{
    unsigned char c = p[0];

    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c < 0xE0) {
        *len = 2;
        return ((Py_UCS4)(c & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if (c < 0xF0) {
        *len = 3;
        return ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *len = 4;
    return ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(p[1] & 0x3F) << 12) |
           ((Py_UCS4)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* Encodes 'ch' (<= 0x10FFFF; surrogates as 3 bytes); returns the length. */
static inline int
utf8_encode(Py_UCS4 ch, char *out)
{
    if (ch < 0x80) {
        out[0] = (char)ch;
        return 1;
    }
    if (ch < 0x800) {
        out[0] = (char)(0xC0 | (ch >> 6));
        out[1] = (char)(0x80 | (ch & 0x3F));
        return 2;
    }
    if (ch < 0x10000) {
        out[0] = (char)(0xE0 | (ch >> 12));
        out[1] = (char)(0x80 | ((ch >> 6) & 0x3F));
        out[2] = (char)(0x80 | (ch & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (ch >> 18));
    out[1] = (char)(0x80 | ((ch >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((ch >> 6) & 0x3F));
    out[3] = (char)(0x80 | (ch & 0x3F));
    return 4;
}

static inline int
utf8_is_surrogate_at(const unsigned char *p, Py_ssize_t avail)
{
    return avail >= 3 && p[0] == 0xED && p[1] >= 0xA0;
}

/* 1 if valid text s[0..n) holds an encoded surrogate. */
static int
utf8_has_surrogates(const char *s, Py_ssize_t n)
{
    const unsigned char *p = (const unsigned char *)s;

    for (Py_ssize_t i = 0; i + 2 < n; i++) {
        if (p[i] == 0xED && p[i + 1] >= 0xA0)
            return 1;
    }
    return 0;
}

static inline Py_ssize_t
utf8_count(const char *s, Py_ssize_t n)
{
    Py_ssize_t c = 0;

    for (Py_ssize_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of code point 'index' (0 <= index <= length). */
static Py_ssize_t
str_offset(PyObject *op, Py_ssize_t index)
{
    PyUnicodeObject *u = STR(op);
    const unsigned char *p;
    Py_ssize_t off = 0;

    if (u->state & PYSTR_ASCII)
        return index;
    if (index >= u->length)
        return u->utf8_length;
    p = (const unsigned char *)str_text(op);
    while (index-- > 0)
        off += utf8_seqlen(p[off]);
    return off;
}

/* Code-point index of byte offset 'off' (at a sequence boundary). */
static Py_ssize_t
str_index_of_offset(PyObject *op, Py_ssize_t off)
{
    if (STR(op)->state & PYSTR_ASCII)
        return off;
    return utf8_count(str_text(op), off);
}

/* Scans s[pos..n) as strict UTF-8.  Returns n when it is valid, otherwise
 * the offset of the first bad sequence, described in *bad as CPython's
 * decoder reports it (maximal invalid prefix).  Adds the code points of
 * the valid part to *ncp. */
struct utf8_bad {
    Py_ssize_t start, end;
    const char *reason;
};

static Py_ssize_t
utf8_validate(const unsigned char *s, Py_ssize_t pos, Py_ssize_t n,
              Py_ssize_t *ncp, struct utf8_bad *bad)
{
    Py_ssize_t count = 0;

    while (pos < n) {
        unsigned c = s[pos];
        if (c < 0x80) {
            while (pos + 8 <= n) {
                uint64_t w;
                memcpy(&w, s + pos, 8);
                if (w & 0x8080808080808080ull)
                    break;
                pos += 8;
                count += 8;
            }
            while (pos < n && s[pos] < 0x80) {
                pos++;
                count++;
            }
            continue;
        }
        int need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        }
        else {
            bad->start = pos;
            bad->end = pos + 1;
            bad->reason = "invalid start byte";
            goto fail;
        }
        for (int k = 1; k <= need; k++) {
            if (pos + k >= n) {
                bad->start = pos;
                bad->end = n;
                bad->reason = "unexpected end of data";
                goto fail;
            }
            unsigned b = s[pos + k];
            if (b < lo || b > hi) {
                bad->start = pos;
                bad->end = pos + k;
                bad->reason = "invalid continuation byte";
                goto fail;
            }
            lo = 0x80;
            hi = 0xBF;
        }
        pos += need + 1;
        count++;
    }
    *ncp += count;
    return n;
fail:
    *ncp += count;
    return pos;
}

/* ---------------------------------------------------------------- writer
 *
 * A growable buffer that becomes a str without a copy: the block has room
 * for the str header in front of the text, and w_finish turns it into the
 * object.  All memory is PyObject_Malloc'd; every failure raises
 * MemoryError and leaves the writer discardable. */
typedef struct {
    char *block;            /* NULL until the first write */
    Py_ssize_t len;         /* bytes of text */
    Py_ssize_t cap;         /* text capacity, excluding the NUL */
    Py_ssize_t ncp;         /* code points written */
    int surrogates;         /* a surrogate was written */
} strw;

#define W_TEXT(w) ((w)->block + STR_HDR)

static void
w_init(strw *w)
{
    w->block = NULL;
    w->len = w->cap = w->ncp = 0;
    w->surrogates = 0;
}

static void
w_discard(strw *w)
{
    PyObject_Free(w->block);
    w->block = NULL;
}

static int
w_reserve(strw *w, Py_ssize_t extra)
{
    Py_ssize_t need, cap;
    char *nb;

    if (extra > STR_MAX_BYTES - w->len) {
        PyErr_NoMemory();
        return -1;
    }
    need = w->len + extra;
    if (need <= w->cap && w->block != NULL)
        return 0;
    cap = w->cap < 32 ? 32 : w->cap;
    while (cap < need)
        cap = cap > STR_MAX_BYTES / 2 ? STR_MAX_BYTES : cap * 2;
    nb = PyObject_Realloc(w->block, STR_HDR + (size_t)cap + 1);
    if (nb == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    w->block = nb;
    w->cap = cap;
    return 0;
}

/* Appends valid text with known code-point count. */
static int
w_text(strw *w, const char *p, Py_ssize_t n, Py_ssize_t ncp, int maybe_surrogates)
{
    if (n == 0)
        return 0;
    if (w_reserve(w, n) < 0)
        return -1;
    memcpy(W_TEXT(w) + w->len, p, (size_t)n);
    w->len += n;
    w->ncp += ncp;
    if (maybe_surrogates && !w->surrogates)
        w->surrogates = utf8_has_surrogates(p, n);
    return 0;
}

static int
w_ascii(strw *w, const char *p, Py_ssize_t n)
{
    return w_text(w, p, n, n, 0);
}

static int
w_char(strw *w, Py_UCS4 ch)
{
    char buf[4];
    int n = utf8_encode(ch, buf);

    if (ch >= 0xD800 && ch <= 0xDFFF)
        w->surrogates = 1;
    return w_text(w, buf, n, 1, 0);
}

static int
w_fill(strw *w, char c, Py_ssize_t count)
{
    if (count <= 0)
        return 0;
    if (w_reserve(w, count) < 0)
        return -1;
    memset(W_TEXT(w) + w->len, c, (size_t)count);
    w->len += count;
    w->ncp += count;
    return 0;
}

static int
w_str(strw *w, PyObject *s)
{
    PyUnicodeObject *u = STR(s);

    return w_text(w, str_text(s), u->utf8_length, u->length,
                  (u->state & PYSTR_SURROGATES) != 0);
}

static PyObject *
w_finish(strw *w)
{
    PyUnicodeObject *u;
    char *nb;

    if (w->len == 0) {
        w_discard(w);
        return str_get_empty();
    }
    /* Give back the slack; a failed shrink keeps the larger block. */
    if (w->cap - w->len > 64) {
        nb = PyObject_Realloc(w->block, STR_HDR + (size_t)w->len + 1);
        if (nb != NULL)
            w->block = nb;
    }
    u = (PyUnicodeObject *)w->block;
    w->block = NULL;
    PyObject_Init((PyObject *)u, &PyUnicode_Type);
    u->length = w->ncp;
    u->utf8_length = w->len;
    u->hash = -1;
    u->state = (w->ncp == w->len ? PYSTR_ASCII : 0) |
               (w->surrogates ? PYSTR_SURROGATES : 0);
    str_bytes(u)[w->len] = '\0';
    return (PyObject *)u;
}

/* ======================================================= 2. codec errors
 *
 * UnicodeDecodeError / UnicodeEncodeError are built as CPython builds them,
 * from (encoding, object, start, end, reason), so that str() of the
 * exception gives CPython's text and the attributes are there. */

static void
raise_unicode_error(PyObject *type, const char *encoding, PyObject *object,
                    Py_ssize_t start, Py_ssize_t end, const char *reason)
{
    PyObject *enc = NULL, *st = NULL, *en = NULL, *rs = NULL, *args = NULL, *exc = NULL;

    if (object == NULL)
        return;                         /* MemoryError is set */
    if ((enc = PyUnicode_FromString(encoding)) == NULL ||
        (st = PyLong_FromSsize_t(start)) == NULL ||
        (en = PyLong_FromSsize_t(end)) == NULL ||
        (rs = PyUnicode_FromString(reason)) == NULL ||
        (args = PyTuple_Pack(5, enc, object, st, en, rs)) == NULL)
        goto done;
    exc = PyObject_Call(type, args, NULL);
    if (exc != NULL)
        PyErr_SetObject(type, exc);
done:
    Py_XDECREF(exc);
    Py_XDECREF(args);
    Py_XDECREF(rs);
    Py_XDECREF(en);
    Py_XDECREF(st);
    Py_XDECREF(enc);
    Py_DECREF(object);
}

static void
raise_decode_error(const char *encoding, const char *s, Py_ssize_t n, Py_ssize_t start,
                   Py_ssize_t end, const char *reason)
{
    raise_unicode_error(PyExc_UnicodeDecodeError, encoding,
                        PyBytes_FromStringAndSize(s, n), start, end, reason);
}

static void
raise_encode_error(const char *encoding, PyObject *unicode, Py_ssize_t start,
                   Py_ssize_t end, const char *reason)
{
    raise_unicode_error(PyExc_UnicodeEncodeError, encoding, Py_NewRef(unicode),
                        start, end, reason);
}

enum err_handler {
    EH_STRICT, EH_REPLACE, EH_IGNORE, EH_SURROGATEESCAPE, EH_SURROGATEPASS,
    EH_BACKSLASHREPLACE, EH_XMLCHARREFREPLACE, EH_UNKNOWN
};

static enum err_handler
err_handler_of(const char *errors)
{
    static const struct { const char *name; enum err_handler h; } names[] = {
        { "strict", EH_STRICT }, { "replace", EH_REPLACE }, { "ignore", EH_IGNORE },
        { "surrogateescape", EH_SURROGATEESCAPE }, { "surrogatepass", EH_SURROGATEPASS },
        { "backslashreplace", EH_BACKSLASHREPLACE },
        { "xmlcharrefreplace", EH_XMLCHARREFREPLACE },
    };

    if (errors == NULL)
        return EH_STRICT;
    for (size_t i = 0; i < Py_ARRAY_LENGTH(names); i++) {
        if (strcmp(errors, names[i].name) == 0)
            return names[i].h;
    }
    return EH_UNKNOWN;
}

static void
raise_unknown_handler(const char *errors)
{
    PyErr_Format(PyExc_LookupError, "unknown error handler name '%.200s'", errors);
}

/* ============================================================ 3. decoding */

int
rt_utf8_decode_check(const char *s, Py_ssize_t n, Py_ssize_t *ncodepoints)
{
    struct utf8_bad bad;
    Py_ssize_t ncp = 0;

    if (utf8_validate((const unsigned char *)s, 0, n, &ncp, &bad) != n) {
        raise_decode_error("utf-8", s, n, bad.start, bad.end, bad.reason);
        return -1;
    }
    if (ncodepoints != NULL)
        *ncodepoints = ncp;
    return 0;
}

PyObject *
str_from_utf8_trusted(const char *s, Py_ssize_t n, Py_ssize_t ncp)
{
    uint32_t state;

    if (ncp < 0)
        ncp = utf8_count(s, n);
    if (ncp == n)
        state = PYSTR_ASCII;
    else
        state = utf8_has_surrogates(s, n) ? PYSTR_SURROGATES : 0;
    return str_new_copy(s, n, ncp, state);
}

/* The decoder behind every UTF-8 entry point.  With 'truncate' set, an
 * incomplete sequence at the very end is dropped instead of being an error
 * (PyUnicode_FromFormat's "%.Ns"). */
static int
w_decode_utf8(strw *w, const char *s, Py_ssize_t n, const char *errors, int truncate)
{
    const unsigned char *p = (const unsigned char *)s;
    Py_ssize_t pos = 0;
    enum err_handler eh = EH_UNKNOWN;
    int eh_known = 0;

    while (pos < n) {
        struct utf8_bad bad;
        Py_ssize_t ncp = 0;
        Py_ssize_t stop = utf8_validate(p, pos, n, &ncp, &bad);

        if (w_text(w, s + pos, stop - pos, ncp, 0) < 0)
            return -1;
        if (stop == n)
            break;
        if (truncate && bad.end == n && bad.reason[0] == 'u')
            break;
        if (!eh_known) {
            eh = err_handler_of(errors);
            eh_known = 1;
        }
        switch (eh) {
        case EH_STRICT:
            raise_decode_error("utf-8", s, n, bad.start, bad.end, bad.reason);
            return -1;
        case EH_REPLACE:
            if (w_char(w, 0xFFFD) < 0)
                return -1;
            break;
        case EH_IGNORE:
            break;
        case EH_SURROGATEESCAPE:
            for (Py_ssize_t i = bad.start; i < bad.end; i++) {
                if (w_char(w, 0xDC00 + p[i]) < 0)
                    return -1;
            }
            break;
        case EH_SURROGATEPASS:
            if (utf8_is_surrogate_at(p + bad.start, n - bad.start) &&
                p[bad.start + 1] <= 0xBF && (p[bad.start + 2] & 0xC0) == 0x80) {
                if (w_text(w, s + bad.start, 3, 1, 0) < 0)
                    return -1;
                w->surrogates = 1;
                bad.end = bad.start + 3;
                break;
            }
            raise_decode_error("utf-8", s, n, bad.start, bad.end, bad.reason);
            return -1;
        case EH_BACKSLASHREPLACE:
            for (Py_ssize_t i = bad.start; i < bad.end; i++) {
                char buf[5];
                snprintf(buf, sizeof(buf), "\\x%02x", p[i]);
                if (w_ascii(w, buf, 4) < 0)
                    return -1;
            }
            break;
        case EH_XMLCHARREFREPLACE:
        case EH_UNKNOWN:
        default:
            if (eh == EH_UNKNOWN)
                raise_unknown_handler(errors);
            else
                PyErr_SetString(PyExc_TypeError,
                                "don't know how to handle UnicodeDecodeError in error callback");
            return -1;
        }
        pos = bad.end;
    }
    return 0;
}

PyObject *
PyUnicode_DecodeUTF8(const char *s, Py_ssize_t size, const char *errors)
{
    struct utf8_bad bad;
    Py_ssize_t ncp = 0;
    strw w;

    if (size > STR_MAX_BYTES) {
        PyErr_NoMemory();
        return NULL;
    }
    if (size == 0)
        return str_get_empty();
    if (utf8_validate((const unsigned char *)s, 0, size, &ncp, &bad) == size)
        return str_new_copy(s, size, ncp, ncp == size ? PYSTR_ASCII : 0);
    w_init(&w);
    if (w_decode_utf8(&w, s, size, errors, 0) < 0) {
        w_discard(&w);
        return NULL;
    }
    return w_finish(&w);
}

PyObject *
PyUnicode_FromStringAndSize(const char *u, Py_ssize_t size)
{
    if (size < 0) {
        PyErr_SetString(PyExc_SystemError,
                        "Negative size passed to PyUnicode_FromStringAndSize");
        return NULL;
    }
    if (u != NULL)
        return PyUnicode_DecodeUTF8(u, size, NULL);
    if (size > 0) {
        PyErr_SetString(PyExc_SystemError,
                        "NULL string with positive size with NULL passed to "
                        "PyUnicode_FromStringAndSize");
        return NULL;
    }
    return str_get_empty();
}

PyObject *
PyUnicode_FromString(const char *u)
{
    size_t n = strlen(u);

    if (n > (size_t)PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_OverflowError, "input too long");
        return NULL;
    }
    return PyUnicode_DecodeUTF8(u, (Py_ssize_t)n, NULL);
}

/* ASCII and Latin-1 decoders share one loop: bytes below 'limit' map to
 * themselves, the others go to the error handler (Latin-1 has none). */
static PyObject *
decode_8bit(const char *s, Py_ssize_t size, const char *errors,
            unsigned limit, const char *encoding)
{
    const unsigned char *p = (const unsigned char *)s;
    enum err_handler eh = EH_UNKNOWN;
    int eh_known = 0;
    strw w;

    if (size > STR_MAX_BYTES / 2) {
        PyErr_NoMemory();
        return NULL;
    }
    w_init(&w);
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_ssize_t j = i;
        while (j < size && p[j] < 0x80)
            j++;
        if (w_ascii(&w, s + i, j - i) < 0)
            goto fail;
        if (j == size)
            break;
        i = j;
        if (p[i] < limit) {
            if (w_char(&w, p[i]) < 0)
                goto fail;
            continue;
        }
        if (!eh_known) {
            eh = err_handler_of(errors);
            eh_known = 1;
        }
        switch (eh) {
        case EH_STRICT:
        case EH_SURROGATEPASS:
            raise_decode_error(encoding, s, size, i, i + 1, "ordinal not in range(128)");
            goto fail;
        case EH_REPLACE:
            if (w_char(&w, 0xFFFD) < 0)
                goto fail;
            break;
        case EH_IGNORE:
            break;
        case EH_SURROGATEESCAPE:
            if (w_char(&w, 0xDC00 + p[i]) < 0)
                goto fail;
            break;
        case EH_BACKSLASHREPLACE: {
            char buf[5];
            snprintf(buf, sizeof(buf), "\\x%02x", p[i]);
            if (w_ascii(&w, buf, 4) < 0)
                goto fail;
            break;
        }
        default:
            if (eh == EH_UNKNOWN)
                raise_unknown_handler(errors);
            else
                PyErr_SetString(PyExc_TypeError,
                                "don't know how to handle UnicodeDecodeError in error callback");
            goto fail;
        }
    }
    return w_finish(&w);
fail:
    w_discard(&w);
    return NULL;
}

PyObject *
PyUnicode_DecodeASCII(const char *s, Py_ssize_t size, const char *errors)
{
    return decode_8bit(s, size, errors, 0x80, "ascii");
}

PyObject *
PyUnicode_DecodeLatin1(const char *s, Py_ssize_t size, const char *errors)
{
    return decode_8bit(s, size, errors, 0x100, "latin-1");
}

/* The runtime runs in UTF-8 mode: the locale and file-system encodings are
 * UTF-8; the file-system error handler is surrogateescape. */
PyObject *
PyUnicode_DecodeLocale(const char *str, const char *errors)
{
    if (errors != NULL && strcmp(errors, "strict") != 0 &&
        strcmp(errors, "surrogateescape") != 0) {
        PyErr_Format(PyExc_ValueError, "unsupported error handler");
        return NULL;
    }
    return PyUnicode_DecodeUTF8(str, (Py_ssize_t)strlen(str), errors);
}

PyObject *
PyUnicode_DecodeFSDefaultAndSize(const char *s, Py_ssize_t size)
{
    return PyUnicode_DecodeUTF8(s, size, "surrogateescape");
}

PyObject *
PyUnicode_DecodeFSDefault(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
}

/* ------------------------------------------------------------ encoding */

/* Normalises an encoding name: lower case, '_' and ' ' become '-'.
 * Returns 'u' (UTF-8), 'a' (ASCII), 'l' (Latin-1) or 0. */
static int
encoding_kind(const char *encoding)
{
    char norm[32];
    size_t i;

    if (encoding == NULL)
        return 'u';
    for (i = 0; encoding[i] != '\0'; i++) {
        char c = encoding[i];
        if (i + 1 >= sizeof(norm))
            return 0;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (c == '_' || c == ' ')
            c = '-';
        norm[i] = c;
    }
    norm[i] = '\0';
    if (!strcmp(norm, "utf-8") || !strcmp(norm, "utf8") || !strcmp(norm, "u8") ||
        !strcmp(norm, "utf"))
        return 'u';
    if (!strcmp(norm, "ascii") || !strcmp(norm, "us-ascii") || !strcmp(norm, "646"))
        return 'a';
    if (!strcmp(norm, "latin-1") || !strcmp(norm, "latin1") || !strcmp(norm, "latin") ||
        !strcmp(norm, "iso-8859-1") || !strcmp(norm, "iso8859-1") || !strcmp(norm, "l1") ||
        !strcmp(norm, "8859") || !strcmp(norm, "cp819"))
        return 'l';
    return 0;
}

/* Encodes 'unicode' to bytes.  'kind' as encoding_kind(). */
static PyObject *
str_encode(PyObject *unicode, int kind, const char *errors)
{
    PyUnicodeObject *u = STR(unicode);
    const unsigned char *p = (const unsigned char *)str_text(unicode);
    Py_ssize_t n = u->utf8_length;
    const char *encname = kind == 'u' ? "utf-8" : kind == 'a' ? "ascii" : "latin-1";
    Py_UCS4 limit = kind == 'u' ? 0x110000 : kind == 'a' ? 0x80 : 0x100;
    enum err_handler eh = EH_UNKNOWN;
    int eh_known = 0;
    char *buf, *out;
    PyObject *res;

    if ((u->state & PYSTR_ASCII) || (kind == 'u' && !(u->state & PYSTR_SURROGATES)))
        return PyBytes_FromStringAndSize((const char *)p, n);
    /* Worst case per code point: "&#1114111;" is 10 bytes for at most one
     * byte of input... per 3 bytes of input for surrogates; bound by 10x. */
    if (n > PY_SSIZE_T_MAX / 10 - 1) {
        PyErr_NoMemory();
        return NULL;
    }
    buf = PyMem_Malloc((size_t)n * 10 + 1);
    if (buf == NULL)
        return PyErr_NoMemory();
    out = buf;
    for (Py_ssize_t i = 0, cpi = 0; i < n; cpi++) {
        int len;
        Py_UCS4 ch = utf8_decode_at(p + i, &len);
        int bad = kind == 'u' ? (ch >= 0xD800 && ch <= 0xDFFF) : ch >= limit;

        if (!bad) {
            if (kind == 'u') {
                memcpy(out, p + i, (size_t)len);
                out += len;
            }
            else {
                *out++ = (char)ch;
            }
            i += len;
            continue;
        }
        if (!eh_known) {
            eh = err_handler_of(errors);
            eh_known = 1;
        }
        switch (eh) {
        case EH_STRICT: {
            /* Report the whole run of unencodable characters. */
            Py_ssize_t end = cpi + 1, j = i + len;
            while (j < n) {
                int l2;
                Py_UCS4 c2 = utf8_decode_at(p + j, &l2);
                int bad2 = kind == 'u' ? (c2 >= 0xD800 && c2 <= 0xDFFF) : c2 >= limit;
                if (!bad2)
                    break;
                end++;
                j += l2;
            }
            raise_encode_error(encname, unicode, cpi, end,
                               kind == 'u' ? "surrogates not allowed" :
                               kind == 'a' ? "ordinal not in range(128)" :
                                             "ordinal not in range(256)");
            PyMem_Free(buf);
            return NULL;
        }
        case EH_REPLACE:
            *out++ = '?';
            break;
        case EH_IGNORE:
            break;
        case EH_SURROGATEESCAPE:
            if (ch >= 0xDC80 && ch <= 0xDCFF) {
                *out++ = (char)(ch - 0xDC00);
                break;
            }
            goto strict_one;
        case EH_SURROGATEPASS:
            if (kind == 'u' && ch >= 0xD800 && ch <= 0xDFFF) {
                memcpy(out, p + i, 3);
                out += 3;
                break;
            }
            goto strict_one;
        case EH_BACKSLASHREPLACE:
            if (ch <= 0xFF)
                out += sprintf(out, "\\x%02x", (unsigned)ch);
            else if (ch <= 0xFFFF)
                out += sprintf(out, "\\u%04x", (unsigned)ch);
            else
                out += sprintf(out, "\\U%08x", (unsigned)ch);
            break;
        case EH_XMLCHARREFREPLACE:
            out += sprintf(out, "&#%u;", (unsigned)ch);
            break;
        default:
            raise_unknown_handler(errors);
            PyMem_Free(buf);
            return NULL;
        }
        i += len;
        continue;
    strict_one:
        raise_encode_error(encname, unicode, cpi, cpi + 1,
                           kind == 'u' ? "surrogates not allowed" :
                           kind == 'a' ? "ordinal not in range(128)" :
                                         "ordinal not in range(256)");
        PyMem_Free(buf);
        return NULL;
    }
    res = PyBytes_FromStringAndSize(buf, out - buf);
    PyMem_Free(buf);
    return res;
}

PyObject *
PyUnicode_AsEncodedString(PyObject *unicode, const char *encoding, const char *errors)
{
    int kind;

    if (unicode == NULL || !PyUnicode_Check(unicode)) {
        PyErr_BadArgument();
        return NULL;
    }
    kind = encoding_kind(encoding);
    if (kind == 0) {
        PyErr_Format(PyExc_LookupError, "unknown encoding: %s", encoding);
        return NULL;
    }
    return str_encode(unicode, kind, errors);
}

PyObject *
PyUnicode_AsUTF8String(PyObject *unicode)
{
    return PyUnicode_AsEncodedString(unicode, "utf-8", NULL);
}

PyObject *
PyUnicode_EncodeFSDefault(PyObject *unicode)
{
    return PyUnicode_AsEncodedString(unicode, "utf-8", "surrogateescape");
}

/* ================================================================= 4. API */

static int
str_check_arg(PyObject *op)
{
    if (op == NULL || !PyUnicode_Check(op)) {
        PyErr_BadArgument();
        return -1;
    }
    return 0;
}

PyObject *
PyUnicode_FromOrdinal(int ordinal)
{
    strw w;

    if (ordinal < 0 || ordinal > 0x10FFFF) {
        PyErr_SetString(PyExc_ValueError, "chr() arg not in range(0x110000)");
        return NULL;
    }
    w_init(&w);
    if (w_char(&w, (Py_UCS4)ordinal) < 0) {
        w_discard(&w);
        return NULL;
    }
    return w_finish(&w);
}

/* A new exact str with the text of str (or subclass instance) 'op'. */
static PyObject *
str_exact_copy(PyObject *op)
{
    PyUnicodeObject *u = STR(op);

    if (PyUnicode_CheckExact(op))
        return Py_NewRef(op);
    return str_new_copy(str_text(op), u->utf8_length, u->length,
                        u->state & (PYSTR_ASCII | PYSTR_SURROGATES));
}

PyObject *
PyUnicode_FromObject(PyObject *obj)
{
    if (obj != NULL && PyUnicode_Check(obj))
        return str_exact_copy(obj);
    if (obj == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    PyErr_Format(PyExc_TypeError,
                 "Can't convert '%.100s' object to str implicitly",
                 Py_TYPE(obj)->tp_name);
    return NULL;
}

const char *
PyUnicode_AsUTF8AndSize(PyObject *unicode, Py_ssize_t *size)
{
    PyUnicodeObject *u;

    if (unicode == NULL || !PyUnicode_Check(unicode)) {
        PyErr_BadArgument();
        if (size != NULL)
            *size = -1;
        return NULL;
    }
    u = STR(unicode);
    if (RT_UNLIKELY(u->state & PYSTR_SURROGATES)) {
        /* Strict UTF-8 cannot carry surrogates: raise as the encoder does. */
        PyObject *b = str_encode(unicode, 'u', "strict");
        Py_XDECREF(b);
        if (size != NULL)
            *size = -1;
        return NULL;
    }
    if (size != NULL)
        *size = u->utf8_length;
    return str_text(unicode);
}

const char *
PyUnicode_AsUTF8(PyObject *unicode)
{
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(unicode, &n);

    if (s != NULL && (Py_ssize_t)strlen(s) != n) {
        /* CPython 3.13+: embedded NUL characters are an error here. */
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return NULL;
    }
    return s;
}

Py_ssize_t
PyUnicode_GetLength(PyObject *unicode)
{
    if (str_check_arg(unicode) < 0)
        return -1;
    return STR(unicode)->length;
}

Py_UCS4
PyUnicode_ReadChar(PyObject *unicode, Py_ssize_t index)
{
    int len;

    if (str_check_arg(unicode) < 0)
        return (Py_UCS4)-1;
    if (index < 0 || index >= STR(unicode)->length) {
        PyErr_SetString(PyExc_IndexError, "string index out of range");
        return (Py_UCS4)-1;
    }
    return utf8_decode_at((const unsigned char *)str_text(unicode) +
                          str_offset(unicode, index), &len);
}

PyObject *
PyUnicode_Substring(PyObject *self, Py_ssize_t start, Py_ssize_t end)
{
    PyUnicodeObject *u;
    Py_ssize_t b0, b1;
    uint32_t state;

    if (str_check_arg(self) < 0)
        return NULL;
    u = STR(self);
    if (start < 0 || end < 0) {
        PyErr_SetString(PyExc_IndexError, "string index out of range");
        return NULL;
    }
    if (end > u->length)
        end = u->length;
    if (start >= end)
        return str_get_empty();
    if (start == 0 && end == u->length)
        return str_exact_copy(self);
    b0 = str_offset(self, start);
    b1 = end;
    if (!(u->state & PYSTR_ASCII)) {
        const unsigned char *p = (const unsigned char *)str_text(self);
        b1 = b0;
        for (Py_ssize_t k = start; k < end; k++)
            b1 += utf8_seqlen(p[b1]);
    }
    state = (b1 - b0 == end - start) ? PYSTR_ASCII : 0;
    if ((u->state & PYSTR_SURROGATES) && utf8_has_surrogates(str_text(self) + b0, b1 - b0))
        state |= PYSTR_SURROGATES;
    return str_new_copy(str_text(self) + b0, b1 - b0, end - start, state);
}

PyObject *
PyUnicode_Concat(PyObject *left, PyObject *right)
{
    PyUnicodeObject *l, *r, *res;

    if (left == NULL || right == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    if (!PyUnicode_Check(left)) {
        PyErr_Format(PyExc_TypeError, "must be str, not %.100s", Py_TYPE(left)->tp_name);
        return NULL;
    }
    if (!PyUnicode_Check(right)) {
        PyErr_Format(PyExc_TypeError,
                     "can only concatenate str (not \"%.200s\") to str",
                     Py_TYPE(right)->tp_name);
        return NULL;
    }
    l = STR(left);
    r = STR(right);
    if (l->length == 0)
        return str_exact_copy(right);
    if (r->length == 0)
        return str_exact_copy(left);
    if (l->utf8_length > STR_MAX_BYTES - r->utf8_length) {
        PyErr_SetString(PyExc_OverflowError, "strings are too large to concat");
        return NULL;
    }
    res = str_alloc(l->utf8_length + r->utf8_length, l->length + r->length,
                    (l->state & r->state & PYSTR_ASCII) |
                    ((l->state | r->state) & PYSTR_SURROGATES));
    if (res == NULL)
        return NULL;
    memcpy(str_bytes(res), str_text(left), (size_t)l->utf8_length);
    memcpy(str_bytes(res) + l->utf8_length, str_text(right), (size_t)r->utf8_length);
    return (PyObject *)res;
}

void
PyUnicode_Append(PyObject **pleft, PyObject *right)
{
    PyObject *left, *res;

    if (pleft == NULL) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        return;
    }
    left = *pleft;
    if (left == NULL || right == NULL || !PyUnicode_Check(left) || !PyUnicode_Check(right)) {
        if (!PyErr_Occurred())
            PyErr_BadInternalCall();
        Py_CLEAR(*pleft);
        return;
    }
    res = PyUnicode_Concat(left, right);
    Py_SETREF(*pleft, res);
    if (res == NULL)
        *pleft = NULL;
}

void
PyUnicode_AppendAndDel(PyObject **pleft, PyObject *right)
{
    PyUnicode_Append(pleft, right);
    Py_XDECREF(right);
}

PyObject *
PyUnicode_Join(PyObject *separator, PyObject *seq)
{
    PyObject *fast, *res = NULL;
    Py_ssize_t n;
    strw w;

    if (separator != NULL && !PyUnicode_Check(separator)) {
        PyErr_Format(PyExc_TypeError,
                     "separator: expected str instance, %.80s found",
                     Py_TYPE(separator)->tp_name);
        return NULL;
    }
    fast = PySequence_Fast(seq, "can only join an iterable");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    if (n == 1) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, 0);
        if (PyUnicode_CheckExact(item)) {
            Py_DECREF(fast);
            return Py_NewRef(item);
        }
    }
    w_init(&w);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError,
                         "sequence item %zd: expected str instance, %.80s found",
                         i, Py_TYPE(item)->tp_name);
            goto done;
        }
        if (i > 0) {
            if (separator == NULL ? w_ascii(&w, " ", 1) < 0 : w_str(&w, separator) < 0)
                goto done;
        }
        if (w_str(&w, item) < 0)
            goto done;
    }
    res = w_finish(&w);
done:
    if (res == NULL)
        w_discard(&w);
    Py_DECREF(fast);
    return res;
}

/* ------------------------------------------------------------ comparison */

static int
str_cmp(PyObject *a, PyObject *b)
{
    Py_ssize_t na = STR(a)->utf8_length, nb = STR(b)->utf8_length;
    int c = memcmp(str_text(a), str_text(b), (size_t)(na < nb ? na : nb));

    if (c != 0)
        return c < 0 ? -1 : 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static int
str_eq(PyObject *a, PyObject *b)
{
    if (a == b)
        return 1;
    if (STR(a)->utf8_length != STR(b)->utf8_length)
        return 0;
    if ((STR(a)->state & STR(b)->state & PYSTR_INTERNED) &&
        PyUnicode_CheckExact(a) && PyUnicode_CheckExact(b))
        return 0;   /* two distinct interned strings differ */
    return memcmp(str_text(a), str_text(b), (size_t)STR(a)->utf8_length) == 0;
}

int
PyUnicode_Compare(PyObject *left, PyObject *right)
{
    if (left != NULL && right != NULL && PyUnicode_Check(left) && PyUnicode_Check(right))
        return str_cmp(left, right);
    if (left == NULL || right == NULL) {
        PyErr_BadInternalCall();
        return -1;
    }
    PyErr_Format(PyExc_TypeError, "Can't compare %.100s and %.100s",
                 Py_TYPE(left)->tp_name, Py_TYPE(right)->tp_name);
    return -1;
}

int
PyUnicode_CompareWithASCIIString(PyObject *uni, const char *str)
{
    const unsigned char *a = (const unsigned char *)str_text(uni);
    const unsigned char *b = (const unsigned char *)str;
    Py_ssize_t n = STR(uni)->utf8_length, i;

    for (i = 0; i < n && b[i] != '\0'; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    if (i < n)
        return 1;       /* uni is longer */
    return b[i] != '\0' ? -1 : 0;
}

int
PyUnicode_EqualToUTF8AndSize(PyObject *unicode, const char *str, Py_ssize_t size)
{
    if (unicode == NULL || !PyUnicode_Check(unicode) || size < 0)
        return 0;
    if (STR(unicode)->state & PYSTR_SURROGATES)
        return 0;
    return STR(unicode)->utf8_length == size &&
           memcmp(str_text(unicode), str, (size_t)size) == 0;
}

int
PyUnicode_EqualToUTF8(PyObject *unicode, const char *str)
{
    return PyUnicode_EqualToUTF8AndSize(unicode, str, (Py_ssize_t)strlen(str));
}

int
PyUnicode_Equal(PyObject *a, PyObject *b)
{
    if (!PyUnicode_Check(a)) {
        PyErr_Format(PyExc_TypeError, "first argument must be str, not %s",
                     Py_TYPE(a)->tp_name);
        return -1;
    }
    if (!PyUnicode_Check(b)) {
        PyErr_Format(PyExc_TypeError, "second argument must be str, not %s",
                     Py_TYPE(b)->tp_name);
        return -1;
    }
    return str_eq(a, b);
}

PyObject *
PyUnicode_RichCompare(PyObject *left, PyObject *right, int op)
{
    int r;

    if (!PyUnicode_Check(left) || !PyUnicode_Check(right))
        Py_RETURN_NOTIMPLEMENTED;
    if (op == Py_EQ || op == Py_NE) {
        r = str_eq(left, right);
        if (op == Py_NE)
            r = !r;
        return PyBool_FromLong(r);
    }
    r = str_cmp(left, right);
    Py_RETURN_RICHCOMPARE(r, 0, op);
}

/* ---------------------------------------------------------------- search */

/* Clamps [start, end) to the string as slice indices do. */
static void
adjust_indices(Py_ssize_t *start, Py_ssize_t *end, Py_ssize_t len)
{
    if (*end > len)
        *end = len;
    else if (*end < 0) {
        *end += len;
        if (*end < 0)
            *end = 0;
    }
    if (*start < 0) {
        *start += len;
        if (*start < 0)
            *start = 0;
    }
}

static const char *
memrmem(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn > hn)
        return NULL;
    for (size_t i = hn - nn + 1; i-- > 0;) {
        if (memcmp(hay + i, needle, nn) == 0)
            return hay + i;
    }
    return NULL;
}

/* Finds needle bytes in str[start:end) (code points); returns the code
 * point index or -1. */
static Py_ssize_t
str_find_bytes(PyObject *s, const char *needle, Py_ssize_t nn, Py_ssize_t nncp,
               Py_ssize_t start, Py_ssize_t end, int direction)
{
    Py_ssize_t b0, b1;
    const char *text = str_text(s), *hit;

    adjust_indices(&start, &end, STR(s)->length);
    if (end - start < nncp)
        return -1;
    b0 = str_offset(s, start);
    b1 = str_offset(s, end);
    if (nn == 0)
        return direction > 0 ? start : end;
    if (direction > 0)
        hit = memmem(text + b0, (size_t)(b1 - b0), needle, (size_t)nn);
    else
        hit = memrmem(text + b0, (size_t)(b1 - b0), needle, (size_t)nn);
    if (hit == NULL)
        return -1;
    return str_index_of_offset(s, hit - text);
}

Py_ssize_t
PyUnicode_Find(PyObject *str, PyObject *substr, Py_ssize_t start, Py_ssize_t end,
               int direction)
{
    if (str == NULL || substr == NULL || !PyUnicode_Check(str) || !PyUnicode_Check(substr)) {
        PyErr_BadArgument();
        return -2;
    }
    return str_find_bytes(str, str_text(substr), STR(substr)->utf8_length,
                          STR(substr)->length, start, end, direction);
}

Py_ssize_t
PyUnicode_FindChar(PyObject *str, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end,
                   int direction)
{
    char buf[4];
    int n;

    if (str_check_arg(str) < 0)
        return -2;
    if (ch > 0x10FFFF)
        return -1;
    n = utf8_encode(ch, buf);
    return str_find_bytes(str, buf, n, 1, start, end, direction);
}

int
PyUnicode_Contains(PyObject *container, PyObject *element)
{
    if (element == NULL || !PyUnicode_Check(element)) {
        PyErr_Format(PyExc_TypeError,
                     "'in <string>' requires string as left operand, not %.100s",
                     element ? Py_TYPE(element)->tp_name : "NULL");
        return -1;
    }
    if (container == NULL || !PyUnicode_Check(container)) {
        PyErr_Format(PyExc_TypeError, "must be str, not %.100s",
                     container ? Py_TYPE(container)->tp_name : "NULL");
        return -1;
    }
    if (STR(element)->utf8_length == 0)
        return 1;
    return memmem(str_text(container), (size_t)STR(container)->utf8_length,
                  str_text(element), (size_t)STR(element)->utf8_length) != NULL;
}

int
PyUnicode_Tailmatch(PyObject *str, PyObject *substr, Py_ssize_t start, Py_ssize_t end,
                    int direction)
{
    Py_ssize_t b0, b1, nn;

    if (str == NULL || substr == NULL || !PyUnicode_Check(str) || !PyUnicode_Check(substr)) {
        PyErr_BadArgument();
        return -1;
    }
    adjust_indices(&start, &end, STR(str)->length);
    if (end - start < STR(substr)->length)
        return 0;
    if (STR(substr)->length == 0)
        return start <= end;
    b0 = str_offset(str, start);
    b1 = str_offset(str, end);
    nn = STR(substr)->utf8_length;
    if (b1 - b0 < nn)
        return 0;
    if (direction > 0)
        return memcmp(str_text(str) + b1 - nn, str_text(substr), (size_t)nn) == 0;
    return memcmp(str_text(str) + b0, str_text(substr), (size_t)nn) == 0;
}

/* --------------------------------------------------- character properties */

static int
ucs_in(const struct ucs_range *t, size_t n, Py_UCS4 ch)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ch < t[mid].lo)
            hi = mid;
        else if (ch > t[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static int
ucs_isprintable(Py_UCS4 ch)
{
    if (ch < 0x80)
        return ch >= 0x20 && ch < 0x7F;
    return ucs_in(ucs_printable, Py_ARRAY_LENGTH(ucs_printable), ch);
}

static int
ucs_isxidstart(Py_UCS4 ch)
{
    if (ch < 0x80)
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
    return ucs_in(ucs_xid_start, Py_ARRAY_LENGTH(ucs_xid_start), ch);
}

static int
ucs_isxidcontinue(Py_UCS4 ch)
{
    if (ch < 0x80)
        return ucs_isxidstart(ch) || (ch >= '0' && ch <= '9');
    return ucs_in(ucs_xid_continue, Py_ARRAY_LENGTH(ucs_xid_continue), ch);
}

int
PyUnicode_IsIdentifier(PyObject *s)
{
    const unsigned char *p;
    Py_ssize_t n, i = 0;
    int first = 1;

    if (s == NULL || !PyUnicode_Check(s))
        return 0;
    p = (const unsigned char *)str_text(s);
    n = STR(s)->utf8_length;
    if (n == 0)
        return 0;
    while (i < n) {
        int len;
        Py_UCS4 ch = utf8_decode_at(p + i, &len);
        if (first ? !ucs_isxidstart(ch) : !ucs_isxidcontinue(ch))
            return 0;
        first = 0;
        i += len;
    }
    return 1;
}

/* ================================================ 5. PyUnicode_FromFormat */

#define FF_LJUST 0x1
#define FF_ZERO  0x2
#define FF_ALT   0x4

enum { SZ_NONE, SZ_LONG, SZ_LONGLONG, SZ_SIZE, SZ_PTRDIFF, SZ_INTMAX };

/* Writes str 'str' cut to 'precision' code points and padded to 'width'. */
static int
ff_write_str(strw *w, PyObject *str, Py_ssize_t width, Py_ssize_t precision, int flags)
{
    PyUnicodeObject *u = STR(str);
    Py_ssize_t len = u->length, nbytes = u->utf8_length;
    Py_ssize_t fill;

    if (precision >= 0 && precision < len) {
        nbytes = str_offset(str, precision);
        len = precision;
    }
    fill = width > len ? width - len : 0;
    if (!(flags & FF_LJUST) && w_fill(w, ' ', fill) < 0)
        return -1;
    if (w_text(w, str_text(str), nbytes, len, (u->state & PYSTR_SURROGATES) != 0) < 0)
        return -1;
    if ((flags & FF_LJUST) && w_fill(w, ' ', fill) < 0)
        return -1;
    return 0;
}

/* "%s"-style C string: UTF-8 decoded with "replace"; with a precision, at
 * most that many bytes are read and an incomplete sequence at the cut is
 * dropped. */
static int
ff_write_utf8(strw *w, const char *s, Py_ssize_t width, Py_ssize_t precision, int flags)
{
    Py_ssize_t n;
    int truncate = 0;
    strw tmp;
    PyObject *str;
    int rc;

    if (precision < 0) {
        n = (Py_ssize_t)strlen(s);
    }
    else {
        n = 0;
        while (n < precision && s[n] != '\0')
            n++;
        truncate = (n == precision);
    }
    if (width < 0)
        return w_decode_utf8(w, s, n, "replace", truncate);
    w_init(&tmp);
    if (w_decode_utf8(&tmp, s, n, "replace", truncate) < 0) {
        w_discard(&tmp);
        return -1;
    }
    str = w_finish(&tmp);
    rc = ff_write_str(w, str, width, -1, flags);
    Py_DECREF(str);
    return rc;
}

static int
ff_write_wcs(strw *w, const wchar_t *s, Py_ssize_t width, Py_ssize_t precision, int flags)
{
    Py_ssize_t n = 0, fill;

    while ((precision < 0 || n < precision) && s[n] != L'\0')
        n++;
    fill = width > n ? width - n : 0;
    if (!(flags & FF_LJUST) && w_fill(w, ' ', fill) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = (Py_UCS4)s[i];
        if (ch > 0x10FFFF)
            ch = 0xFFFD;
        if (w_char(w, ch) < 0)
            return -1;
    }
    if ((flags & FF_LJUST) && w_fill(w, ' ', fill) < 0)
        return -1;
    return 0;
}

/* The name %T / %N print: the fully qualified name, or with '#' the
 * "module:qualname" form. */
static PyObject *
ff_type_name(PyTypeObject *type, int alt)
{
    PyObject *qualname, *module, *res;

    if (!alt)
        return PyType_GetFullyQualifiedName(type);
    qualname = PyType_GetQualName(type);
    if (qualname == NULL)
        return NULL;
    module = PyType_GetModuleName(type);
    if (module == NULL) {
        Py_DECREF(qualname);
        return NULL;
    }
    if (PyUnicode_Check(module) && !PyUnicode_EqualToUTF8(module, "builtins") &&
        !PyUnicode_EqualToUTF8(module, "__main__"))
        res = PyUnicode_FromFormat("%U:%U", module, qualname);
    else
        res = Py_NewRef(qualname);
    Py_DECREF(module);
    Py_DECREF(qualname);
    return res;
}

static int
ff_write_obj_str(strw *w, PyObject *str, Py_ssize_t width, Py_ssize_t precision, int flags)
{
    int rc;

    if (str == NULL)
        return -1;
    rc = ff_write_str(w, str, width, precision, flags);
    Py_DECREF(str);
    return rc;
}

/* Formats one conversion starting at the '%' at 'f'; returns the position
 * after it, or NULL with an exception set. */
static const char *
ff_arg(strw *w, const char *f, va_list *vargs)
{
    const char *p = f;
    int flags = 0, sizemod = SZ_NONE;
    Py_ssize_t width = -1, precision = -1;

    f++;
    if (*f == '%') {
        if (w_ascii(w, "%", 1) < 0)
            return NULL;
        return f + 1;
    }
    for (;; f++) {
        if (*f == '-')
            flags |= FF_LJUST;
        else if (*f == '0')
            flags |= FF_ZERO;
        else if (*f == '#')
            flags |= FF_ALT;
        else
            break;
    }
    if (*f == '*') {
        int v = va_arg(*vargs, int);
        if (v < 0) {
            flags |= FF_LJUST;
            width = -(Py_ssize_t)v;
        }
        else {
            width = v;
        }
        f++;
    }
    else if (*f >= '0' && *f <= '9') {
        width = 0;
        while (*f >= '0' && *f <= '9') {
            if (width > (PY_SSIZE_T_MAX - (*f - '0')) / 10) {
                PyErr_SetString(PyExc_ValueError, "width too big");
                return NULL;
            }
            width = width * 10 + (*f - '0');
            f++;
        }
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            int v = va_arg(*vargs, int);
            precision = v < 0 ? -1 : v;
            f++;
        }
        else if (*f >= '0' && *f <= '9') {
            precision = 0;
            while (*f >= '0' && *f <= '9') {
                if (precision > (PY_SSIZE_T_MAX - (*f - '0')) / 10) {
                    PyErr_SetString(PyExc_ValueError, "precision too big");
                    return NULL;
                }
                precision = precision * 10 + (*f - '0');
                f++;
            }
        }
    }
    if (*f == 'l') {
        if (f[1] == 'l') {
            sizemod = SZ_LONGLONG;
            f += 2;
        }
        else {
            sizemod = SZ_LONG;
            f++;
        }
    }
    else if (*f == 'z') {
        sizemod = SZ_SIZE;
        f++;
    }
    else if (*f == 't') {
        sizemod = SZ_PTRDIFF;
        f++;
    }
    else if (*f == 'j') {
        sizemod = SZ_INTMAX;
        f++;
    }

    switch (*f) {
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X':
        break;
    case 'c': case 'p':
        if (sizemod != SZ_NONE || width >= 0 || precision >= 0)
            goto invalid;
        break;
    case 's': case 'V':
        if (sizemod != SZ_NONE && sizemod != SZ_LONG)
            goto invalid;
        break;
    default:
        if (sizemod != SZ_NONE)
            goto invalid;
        break;
    }

    switch (*f) {
    case 'c': {
        int ordinal = va_arg(*vargs, int);
        if (ordinal < 0 || ordinal > 0x10FFFF) {
            PyErr_SetString(PyExc_OverflowError,
                            "character argument not in range(0x110000)");
            return NULL;
        }
        if (w_char(w, (Py_UCS4)ordinal) < 0)
            return NULL;
        break;
    }
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': {
        char buf[72];
        char conv[8] = { '%', 0 };
        int len, sign;
        Py_ssize_t prec, wid, spacepad, zeropad;
        char *c = conv + 1;

        switch (sizemod) {
        case SZ_LONG: *c++ = 'l'; break;
        case SZ_LONGLONG: *c++ = 'l'; *c++ = 'l'; break;
        case SZ_SIZE: *c++ = 'z'; break;
        case SZ_PTRDIFF: *c++ = 't'; break;
        case SZ_INTMAX: *c++ = 'j'; break;
        default: break;
        }
        *c++ = (*f == 'i') ? 'd' : *f;
        *c = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (*f == 'd' || *f == 'i') {
            switch (sizemod) {
            case SZ_LONG: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, long)); break;
            case SZ_LONGLONG: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, long long)); break;
            case SZ_SIZE: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, Py_ssize_t)); break;
            case SZ_PTRDIFF: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, ptrdiff_t)); break;
            case SZ_INTMAX: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, intmax_t)); break;
            default: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, int)); break;
            }
        }
        else {
            switch (sizemod) {
            case SZ_LONG: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, unsigned long)); break;
            case SZ_LONGLONG: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, unsigned long long)); break;
            case SZ_SIZE: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, size_t)); break;
            case SZ_PTRDIFF: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, ptrdiff_t)); break;
            case SZ_INTMAX: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, uintmax_t)); break;
            default: len = snprintf(buf, sizeof(buf), conv, va_arg(*vargs, unsigned int)); break;
            }
        }
#pragma GCC diagnostic pop
        sign = buf[0] == '-';
        len -= sign;
        /* printf's rules: the precision is the minimum number of digits,
         * the width the minimum field; '0' pads digits up to the width. */
        prec = Py_MAX(precision, (Py_ssize_t)len);
        wid = Py_MAX(width, prec + sign);
        if ((flags & FF_ZERO) && !(flags & FF_LJUST))
            prec = wid - sign;
        spacepad = Py_MAX(wid - prec - sign, 0);
        zeropad = Py_MAX(prec - len, 0);
        if (!(flags & FF_LJUST) && w_fill(w, ' ', spacepad) < 0)
            return NULL;
        if (sign && w_ascii(w, "-", 1) < 0)
            return NULL;
        if (w_fill(w, '0', zeropad) < 0)
            return NULL;
        if (w_ascii(w, buf + sign, len) < 0)
            return NULL;
        if ((flags & FF_LJUST) && w_fill(w, ' ', spacepad) < 0)
            return NULL;
        break;
    }
    case 'p': {
        char buf[32];
        int len = snprintf(buf, sizeof(buf), "0x%" PRIxPTR,
                           (uintptr_t)va_arg(*vargs, void *));
        if (w_ascii(w, buf, len) < 0)
            return NULL;
        break;
    }
    case 's':
        if (sizemod == SZ_LONG) {
            const wchar_t *s = va_arg(*vargs, const wchar_t *);
            if (ff_write_wcs(w, s, width, precision, flags) < 0)
                return NULL;
        }
        else {
            const char *s = va_arg(*vargs, const char *);
            if (ff_write_utf8(w, s, width, precision, flags) < 0)
                return NULL;
        }
        break;
    case 'U': {
        PyObject *obj = va_arg(*vargs, PyObject *);
        if (ff_write_str(w, obj, width, precision, flags) < 0)
            return NULL;
        break;
    }
    case 'V': {
        PyObject *obj = va_arg(*vargs, PyObject *);
        const char *s = NULL;
        const wchar_t *ws = NULL;
        if (sizemod == SZ_LONG)
            ws = va_arg(*vargs, const wchar_t *);
        else
            s = va_arg(*vargs, const char *);
        if (obj != NULL) {
            if (ff_write_str(w, obj, width, precision, flags) < 0)
                return NULL;
        }
        else if (ws != NULL) {
            if (ff_write_wcs(w, ws, width, precision, flags) < 0)
                return NULL;
        }
        else if (ff_write_utf8(w, s, width, precision, flags) < 0) {
            return NULL;
        }
        break;
    }
    case 'S':
        if (ff_write_obj_str(w, PyObject_Str(va_arg(*vargs, PyObject *)),
                             width, precision, flags) < 0)
            return NULL;
        break;
    case 'R':
        if (ff_write_obj_str(w, PyObject_Repr(va_arg(*vargs, PyObject *)),
                             width, precision, flags) < 0)
            return NULL;
        break;
    case 'A':
        if (ff_write_obj_str(w, PyObject_ASCII(va_arg(*vargs, PyObject *)),
                             width, precision, flags) < 0)
            return NULL;
        break;
    case 'T': {
        PyObject *obj = va_arg(*vargs, PyObject *);
        if (ff_write_obj_str(w, ff_type_name(Py_TYPE(obj), flags & FF_ALT),
                             width, precision, flags) < 0)
            return NULL;
        break;
    }
    case 'N': {
        PyObject *type = va_arg(*vargs, PyObject *);
        if (!PyType_Check(type)) {
            PyErr_SetString(PyExc_TypeError, "%N argument must be a type");
            return NULL;
        }
        if (ff_write_obj_str(w, ff_type_name((PyTypeObject *)type, flags & FF_ALT),
                             width, precision, flags) < 0)
            return NULL;
        break;
    }
    default:
    invalid:
        PyErr_Format(PyExc_SystemError, "invalid format string: %s", p);
        return NULL;
    }
    return f + 1;
}

PyObject *
PyUnicode_FromFormatV(const char *format, va_list vargs)
{
    va_list ap;
    strw w;

    for (const unsigned char *q = (const unsigned char *)format; *q; q++) {
        if (*q > 127) {
            PyErr_Format(PyExc_ValueError,
                         "PyUnicode_FromFormatV() expects an ASCII-encoded format "
                         "string, got a non-ASCII byte: 0x%02x", *q);
            return NULL;
        }
    }
    w_init(&w);
    va_copy(ap, vargs);
    for (const char *f = format; *f;) {
        if (*f == '%') {
            f = ff_arg(&w, f, &ap);
            if (f == NULL)
                goto fail;
        }
        else {
            const char *q = f;
            while (*q && *q != '%')
                q++;
            if (w_ascii(&w, f, q - f) < 0)
                goto fail;
            f = q;
        }
    }
    va_end(ap);
    return w_finish(&w);
fail:
    va_end(ap);
    w_discard(&w);
    return NULL;
}

PyObject *
PyUnicode_FromFormat(const char *format, ...)
{
    va_list vargs;
    PyObject *res;

    va_start(vargs, format);
    res = PyUnicode_FromFormatV(format, vargs);
    va_end(vargs);
    return res;
}

/* ====================================================== 6. the intern table
 *
 * A ck_hs set (SPMC) of the interned str objects themselves.  Readers
 * (lookups) take no lock: they run ck_hs_get inside an rt_epoch section,
 * which keeps a map retired by a concurrent grow alive until they leave.
 * Interned strings are immortal, so a reader may use what it found after
 * leaving the section without a reference.  Writers serialise on
 * intern_lock.  A lookup probes with a struct intern_key whose second word
 * (where a PyObject has ob_type) is NULL; an insert probes with the str
 * itself; the compare callback tells them apart by that word.
 *
 * Publication order: a str is made immortal and flagged PYSTR_INTERNED
 * before ck_hs_put publishes it, and the table is grown ahead of the put
 * (intern_cap), so a put never fails after the str went immortal. */

struct intern_key {
    int64_t unused;           /* where a PyObject has its refcount */
    void *null_type;          /* NULL: marks a key (a str has ob_type here) */
    const char *text;
    Py_ssize_t n;
};

static ck_hs_t intern_hs;                 /* epoch-protected (readers) / intern_lock (writers) */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int intern_ready;          /* atomic: intern_hs initialised */
static unsigned long intern_cap;          /* guarded by intern_lock: ck_hs capacity */
#ifdef STR_TSAN
static char intern_publish;               /* TSan token for ck_hs publication */
#  define INTERN_RELEASE() __tsan_release(&intern_publish)
#  define INTERN_ACQUIRE() __tsan_acquire(&intern_publish)
#else
#  define INTERN_RELEASE() ((void)0)
#  define INTERN_ACQUIRE() ((void)0)
#endif

#define INTERN_INITIAL_CAP 1024ul

static Py_hash_t
str_hash(PyObject *op)
{
    Py_hash_t h = __atomic_load_n(&STR(op)->hash, __ATOMIC_RELAXED);

    if (h == -1) {
        h = rt_hash_bytes(str_text(op), (size_t)STR(op)->utf8_length);
        __atomic_store_n(&STR(op)->hash, h, __ATOMIC_RELAXED);
    }
    return h;
}

static unsigned long
intern_hash_cb(const void *obj, unsigned long seed)
{
    (void)seed;
    return (unsigned long)__atomic_load_n(&((const PyUnicodeObject *)obj)->hash,
                                          __ATOMIC_RELAXED);
}

static bool
intern_compare_cb(const void *stored, const void *probe)
{
    const PyUnicodeObject *s = stored;
    const char *text;
    Py_ssize_t n;

    INTERN_ACQUIRE();
    if (((const struct intern_key *)probe)->null_type == NULL) {
        text = ((const struct intern_key *)probe)->text;
        n = ((const struct intern_key *)probe)->n;
    }
    else {
        text = str_text((PyObject *)probe);
        n = ((const PyUnicodeObject *)probe)->utf8_length;
    }
    return s->utf8_length == n &&
           memcmp(str_text((PyObject *)s), text, (size_t)n) == 0;
}

static void *
intern_malloc(size_t n)
{
    return mem_alloc(n);
}

static void
intern_free(void *p, size_t n, bool defer)
{
    (void)n;
    if (defer)
        rt_epoch_defer_free(p);
    else
        mem_free(p);
}

static struct ck_malloc intern_allocator = {
    .malloc = intern_malloc, .realloc = NULL, .free = intern_free
};

static int
intern_init_locked(void)
{
    if (atomic_load_explicit(&intern_ready, memory_order_relaxed))
        return 0;
    if (!ck_hs_init(&intern_hs, CK_HS_MODE_SPMC | CK_HS_MODE_OBJECT,
                    intern_hash_cb, intern_compare_cb, &intern_allocator,
                    INTERN_INITIAL_CAP, 0)) {
        PyErr_NoMemory();
        return -1;
    }
    intern_cap = INTERN_INITIAL_CAP;
    atomic_store_explicit(&intern_ready, 1, memory_order_release);
    return 0;
}

int
str_intern_init(void)
{
    int rc;

    pthread_mutex_lock(&intern_lock);
    rc = intern_init_locked();
    pthread_mutex_unlock(&intern_lock);
    return rc;
}

void
str_intern_fini(void)
{
    ck_hs_iterator_t it = CK_HS_ITERATOR_INITIALIZER;
    void *obj;

    pthread_mutex_lock(&intern_lock);
    if (atomic_load_explicit(&intern_ready, memory_order_relaxed)) {
        /* No reader may run now (the runtime is finalizing). */
        while (ck_hs_next(&intern_hs, &it, &obj)) {
            PyUnicodeObject *u = obj;
            if (!(u->state & PYSTR_STATIC))
                PyObject_Free(u);
        }
        ck_hs_destroy(&intern_hs);
        atomic_store_explicit(&intern_ready, 0, memory_order_relaxed);
    }
    pthread_mutex_unlock(&intern_lock);
    rt_epoch_barrier();
}

/* Lock-free lookup; returns the interned str (immortal) or NULL. */
static PyObject *
intern_lookup(const char *text, Py_ssize_t n, Py_hash_t h)
{
    struct intern_key key = { 0, NULL, text, n };
    void *found;

    if (!atomic_load_explicit(&intern_ready, memory_order_acquire))
        return NULL;
    rt_epoch_enter();
    found = ck_hs_get(&intern_hs, (unsigned long)h, &key);
    rt_epoch_exit();
    if (found != NULL)
        INTERN_ACQUIRE();
    return found;
}

/* Interns 'cand' (an exact str no other thread can see, hash cached), or
 * finds the equal string another thread interned first.  With 'fresh' the
 * caller gives up its reference to 'cand'.  Returns the interned string
 * (immortal), or NULL with MemoryError. */
static PyObject *
intern_commit(PyUnicodeObject *cand, int fresh)
{
    Py_hash_t h = cand->hash;
    void *found;
    PyObject *res = NULL;

    pthread_mutex_lock(&intern_lock);
    if (intern_init_locked() < 0)
        goto done;
    found = ck_hs_get(&intern_hs, (unsigned long)h, cand);
    if (found != NULL) {
        res = found;
        goto done;
    }
    /* Keep the load factor under 1/2 ourselves so that the put below
     * cannot need memory. */
    if ((ck_hs_count(&intern_hs) + 1) * 2 > intern_cap) {
        if (!ck_hs_grow(&intern_hs, intern_cap * 2)) {
            PyErr_NoMemory();
            goto done;
        }
        intern_cap *= 2;
    }
    _Py_SetImmortal((PyObject *)cand);
    cand->state |= PYSTR_INTERNED;
    INTERN_RELEASE();
    if (!ck_hs_put(&intern_hs, (unsigned long)h, cand)) {
        /* Not reachable with the load factor kept above; the string stays
         * immortal but not interned (a leak, never a dangling pointer). */
        cand->state &= ~PYSTR_INTERNED;
        PyErr_NoMemory();
        fresh = 0;
        goto done;
    }
    res = (PyObject *)cand;
done:
    pthread_mutex_unlock(&intern_lock);
    rt_epoch_poll();
    if (fresh && res != (PyObject *)cand)
        Py_DECREF(cand);
    return res;
}

void
PyUnicode_InternInPlace(PyObject **p)
{
    PyObject *s, *hit, *res;
    PyUnicodeObject *cand;
    int fresh;

    if (p == NULL || (s = *p) == NULL || !PyUnicode_CheckExact(s))
        return;
    if (STR(s)->state & PYSTR_INTERNED)
        return;
    if (STR(s)->utf8_length == 0) {
        Py_SETREF(*p, str_get_empty());
        return;
    }
    str_hash(s);
    hit = intern_lookup(str_text(s), STR(s)->utf8_length, STR(s)->hash);
    if (hit != NULL) {
        Py_SETREF(*p, hit);
        return;
    }
    if (Py_REFCNT(s) == 1 && !_Py_IsImmortal(s)) {
        /* The caller's is the only reference: intern this very object. */
        cand = STR(s);
        fresh = 0;
    }
    else {
        /* Shared: never mutate it; intern a private copy instead. */
        cand = (PyUnicodeObject *)str_new_copy(str_text(s), STR(s)->utf8_length,
                                               STR(s)->length, STR(s)->state);
        if (cand == NULL) {
            PyErr_Clear();
            return;
        }
        cand->hash = STR(s)->hash;
        fresh = 1;
    }
    res = intern_commit(cand, fresh);
    if (res == NULL) {
        PyErr_Clear();      /* CPython leaves the string as it was */
        return;
    }
    if (res != s)
        Py_SETREF(*p, res);
}

PyObject *
PyUnicode_InternFromString(const char *u)
{
    Py_ssize_t n = (Py_ssize_t)strlen(u), ncp;
    Py_hash_t h;
    PyObject *hit;
    PyUnicodeObject *cand;

    if (rt_utf8_decode_check(u, n, &ncp) < 0)
        return NULL;
    if (n == 0)
        return str_get_empty();
    h = rt_hash_bytes(u, (size_t)n);
    hit = intern_lookup(u, n, h);
    if (hit != NULL)
        return hit;
    cand = (PyUnicodeObject *)str_new_copy(u, n, ncp, ncp == n ? PYSTR_ASCII : 0);
    if (cand == NULL)
        return NULL;
    cand->hash = h;
    return intern_commit(cand, 1);
}

/* ============================================================ 7. the type */

static void
str_dealloc(PyObject *op)
{
    /* Interned and static strings are immortal and never get here. */
    Py_TYPE(op)->tp_free(op);
}

static PyObject *
str_repr(PyObject *op)
{
    const unsigned char *p = (const unsigned char *)str_text(op);
    Py_ssize_t n = STR(op)->utf8_length, i = 0;
    int sq = memchr(p, '\'', (size_t)n) != NULL;
    int dq = memchr(p, '"', (size_t)n) != NULL;
    char quote = (sq && !dq) ? '"' : '\'';
    strw w;

    w_init(&w);
    if (w_reserve(&w, n + 2) < 0)
        return NULL;
    if (w_ascii(&w, &quote, 1) < 0)
        goto fail;
    while (i < n) {
        Py_ssize_t j = i;
        /* Copy a run of characters that stand for themselves. */
        while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != (unsigned char)quote &&
               p[j] != '\\')
            j++;
        if (w_ascii(&w, (const char *)p + i, j - i) < 0)
            goto fail;
        if (j == n)
            break;
        i = j;
        int len;
        Py_UCS4 ch = utf8_decode_at(p + i, &len);
        char esc[12];
        int elen;
        if (ch == (Py_UCS4)quote || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            elen = 2;
        }
        else if (ch == '\t' || ch == '\n' || ch == '\r') {
            esc[0] = '\\';
            esc[1] = ch == '\t' ? 't' : ch == '\n' ? 'n' : 'r';
            elen = 2;
        }
        else if (ch < 0x20 || ch == 0x7F) {
            elen = snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)ch);
        }
        else if (ucs_isprintable(ch)) {
            if (w_text(&w, (const char *)p + i, len, 1, 0) < 0)
                goto fail;
            i += len;
            continue;
        }
        else if (ch <= 0xFF) {
            elen = snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)ch);
        }
        else if (ch <= 0xFFFF) {
            elen = snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)ch);
        }
        else {
            elen = snprintf(esc, sizeof(esc), "\\U%08x", (unsigned)ch);
        }
        if (w_ascii(&w, esc, elen) < 0)
            goto fail;
        i += len;
    }
    if (w_ascii(&w, &quote, 1) < 0)
        goto fail;
    return w_finish(&w);
fail:
    w_discard(&w);
    return NULL;
}

static PyObject *
str_str(PyObject *op)
{
    return str_exact_copy(op);
}

static Py_ssize_t
str_length(PyObject *op)
{
    return STR(op)->length;
}

static PyObject *
str_item(PyObject *op, Py_ssize_t i)
{
    int len;
    Py_ssize_t off;

    if (i < 0 || i >= STR(op)->length) {
        PyErr_SetString(PyExc_IndexError, "string index out of range");
        return NULL;
    }
    off = str_offset(op, i);
    utf8_decode_at((const unsigned char *)str_text(op) + off, &len);
    return str_from_utf8_trusted(str_text(op) + off, len, 1);
}

static PyObject *
str_subscript(PyObject *op, PyObject *item)
{
    Py_ssize_t i;

    if (!PyIndex_Check(item)) {
        PyErr_Format(PyExc_TypeError, "string indices must be integers, not '%.200s'",
                     Py_TYPE(item)->tp_name);
        return NULL;
    }
    i = PyNumber_AsSsize_t(item, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0)
        i += STR(op)->length;
    return str_item(op, i);
}

static int
str_contains(PyObject *container, PyObject *element)
{
    return PyUnicode_Contains(container, element);
}

/* str(object='') and str(object=b'', encoding='utf-8', errors='strict'). */
static PyObject *
str_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static const char *const names[] = { "object", "encoding", "errors" };
    PyObject *argv[3] = { NULL, NULL, NULL };
    Py_ssize_t nargs = args ? PyTuple_GET_SIZE(args) : 0, nkw = 0;
    PyObject *res, *self;
    const char *encoding = NULL, *errors = NULL;

    if (nargs > 3) {
        PyErr_Format(PyExc_TypeError, "str() takes at most 3 arguments (%zd given)", nargs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        argv[i] = PyTuple_GET_ITEM(args, i);
    if (kwds != NULL) {
        for (int i = 0; i < 3; i++) {
            PyObject *v = PyDict_GetItemString(kwds, names[i]);
            if (v == NULL)
                continue;
            if (argv[i] != NULL) {
                PyErr_Format(PyExc_TypeError,
                             "argument for str() given by name ('%s') and position (%d)",
                             names[i], i + 1);
                return NULL;
            }
            argv[i] = v;
            nkw++;
        }
        if (nkw != PyDict_Size(kwds)) {
            PyErr_SetString(PyExc_TypeError, "str() got an unexpected keyword argument");
            return NULL;
        }
    }
    for (int i = 1; i < 3; i++) {
        if (argv[i] != NULL) {
            const char *s = PyUnicode_Check(argv[i]) ? PyUnicode_AsUTF8(argv[i]) : NULL;
            if (s == NULL) {
                if (!PyErr_Occurred())
                    PyErr_Format(PyExc_TypeError,
                                 "str() argument '%s' must be str, not %.50s",
                                 names[i], Py_TYPE(argv[i])->tp_name);
                return NULL;
            }
            if (i == 1)
                encoding = s;
            else
                errors = s;
        }
    }
    if (argv[0] == NULL) {
        res = str_get_empty();
    }
    else if (encoding == NULL && errors == NULL) {
        res = PyObject_Str(argv[0]);
    }
    else if (PyBytes_Check(argv[0])) {
        int kind = encoding_kind(encoding);
        const char *b = PyBytes_AS_STRING(argv[0]);
        Py_ssize_t bn = PyBytes_GET_SIZE(argv[0]);
        if (kind == 0) {
            PyErr_Format(PyExc_LookupError, "unknown encoding: %s", encoding);
            return NULL;
        }
        res = kind == 'u' ? PyUnicode_DecodeUTF8(b, bn, errors) :
              kind == 'a' ? PyUnicode_DecodeASCII(b, bn, errors) :
                            PyUnicode_DecodeLatin1(b, bn, errors);
    }
    else if (PyUnicode_Check(argv[0])) {
        PyErr_SetString(PyExc_TypeError, "decoding str is not supported");
        return NULL;
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "decoding to str: need a bytes-like object, %.80s found",
                     Py_TYPE(argv[0])->tp_name);
        return NULL;
    }
    if (res == NULL || type == &PyUnicode_Type)
        return res;
    /* A subclass instance: its own fields first, the text at tp_basicsize. */
    self = type->tp_alloc(type, STR(res)->utf8_length + 1);
    if (self == NULL) {
        Py_DECREF(res);
        return NULL;
    }
    STR(self)->length = STR(res)->length;
    STR(self)->utf8_length = STR(res)->utf8_length;
    STR(self)->hash = -1;
    STR(self)->state = STR(res)->state & (PYSTR_ASCII | PYSTR_SURROGATES);
    memcpy((char *)self + type->tp_basicsize, str_text(res),
           (size_t)STR(res)->utf8_length + 1);
    Py_DECREF(res);
    return self;
}

static PySequenceMethods str_as_sequence = {
    .sq_length = str_length,
    .sq_concat = PyUnicode_Concat,
    .sq_item = str_item,
    .sq_contains = str_contains,
};

static PyMappingMethods str_as_mapping = {
    .mp_length = str_length,
    .mp_subscript = str_subscript,
};

PyTypeObject PyUnicode_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "str",
    .tp_basicsize = (Py_ssize_t)STR_HDR,
    .tp_itemsize = 1,
    .tp_dealloc = str_dealloc,
    .tp_repr = str_repr,
    .tp_as_sequence = &str_as_sequence,
    .tp_as_mapping = &str_as_mapping,
    .tp_hash = str_hash,
    .tp_str = str_str,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_UNICODE_SUBCLASS |
                _Py_TPFLAGS_MATCH_SELF,
    .tp_doc = "str(object='') -> str\n"
              "str(bytes_or_buffer[, encoding[, errors]]) -> str\n\n"
              "Create a new string object from the given object. If encoding or\n"
              "errors is specified, then the object must expose a data buffer\n"
              "that will be decoded using the given encoding and error handler.\n"
              "Otherwise, returns the result of object.__str__() (if defined)\n"
              "or repr(object).\n"
              "encoding defaults to 'utf-8'.\n"
              "errors defaults to 'strict'.",
    .tp_richcompare = PyUnicode_RichCompare,
    .tp_new = str_new,
    .tp_free = PyObject_Free,
};

/* =================================== 8. generated Unicode property tables */

/* Generated from Unicode 14.0.0 (Python's unicodedata) by:
 *   ranges of cp >= 0x80 where chr(cp).isprintable()          -> ucs_printable
 *   ranges of cp >= 0x80 where chr(cp).isidentifier()         -> ucs_xid_start
 *   ranges of cp >= 0x80 where ('a' + chr(cp)).isidentifier() -> ucs_xid_continue
 * Do not edit by hand. */
static const struct ucs_range ucs_printable[699] = {
    {0xa1, 0xac}, {0xae, 0x377}, {0x37a, 0x37f}, {0x384, 0x38a}, {0x38c, 0x38c}, {0x38e, 0x3a1},
    {0x3a3, 0x52f}, {0x531, 0x556}, {0x559, 0x58a}, {0x58d, 0x58f}, {0x591, 0x5c7}, {0x5d0, 0x5ea},
    {0x5ef, 0x5f4}, {0x606, 0x61b}, {0x61d, 0x6dc}, {0x6de, 0x70d}, {0x710, 0x74a}, {0x74d, 0x7b1},
    {0x7c0, 0x7fa}, {0x7fd, 0x82d}, {0x830, 0x83e}, {0x840, 0x85b}, {0x85e, 0x85e}, {0x860, 0x86a},
    {0x870, 0x88e}, {0x898, 0x8e1}, {0x8e3, 0x983}, {0x985, 0x98c}, {0x98f, 0x990}, {0x993, 0x9a8},
    {0x9aa, 0x9b0}, {0x9b2, 0x9b2}, {0x9b6, 0x9b9}, {0x9bc, 0x9c4}, {0x9c7, 0x9c8}, {0x9cb, 0x9ce},
    {0x9d7, 0x9d7}, {0x9dc, 0x9dd}, {0x9df, 0x9e3}, {0x9e6, 0x9fe}, {0xa01, 0xa03}, {0xa05, 0xa0a},
    {0xa0f, 0xa10}, {0xa13, 0xa28}, {0xa2a, 0xa30}, {0xa32, 0xa33}, {0xa35, 0xa36}, {0xa38, 0xa39},
    {0xa3c, 0xa3c}, {0xa3e, 0xa42}, {0xa47, 0xa48}, {0xa4b, 0xa4d}, {0xa51, 0xa51}, {0xa59, 0xa5c},
    {0xa5e, 0xa5e}, {0xa66, 0xa76}, {0xa81, 0xa83}, {0xa85, 0xa8d}, {0xa8f, 0xa91}, {0xa93, 0xaa8},
    {0xaaa, 0xab0}, {0xab2, 0xab3}, {0xab5, 0xab9}, {0xabc, 0xac5}, {0xac7, 0xac9}, {0xacb, 0xacd},
    {0xad0, 0xad0}, {0xae0, 0xae3}, {0xae6, 0xaf1}, {0xaf9, 0xaff}, {0xb01, 0xb03}, {0xb05, 0xb0c},
    {0xb0f, 0xb10}, {0xb13, 0xb28}, {0xb2a, 0xb30}, {0xb32, 0xb33}, {0xb35, 0xb39}, {0xb3c, 0xb44},
    {0xb47, 0xb48}, {0xb4b, 0xb4d}, {0xb55, 0xb57}, {0xb5c, 0xb5d}, {0xb5f, 0xb63}, {0xb66, 0xb77},
    {0xb82, 0xb83}, {0xb85, 0xb8a}, {0xb8e, 0xb90}, {0xb92, 0xb95}, {0xb99, 0xb9a}, {0xb9c, 0xb9c},
    {0xb9e, 0xb9f}, {0xba3, 0xba4}, {0xba8, 0xbaa}, {0xbae, 0xbb9}, {0xbbe, 0xbc2}, {0xbc6, 0xbc8},
    {0xbca, 0xbcd}, {0xbd0, 0xbd0}, {0xbd7, 0xbd7}, {0xbe6, 0xbfa}, {0xc00, 0xc0c}, {0xc0e, 0xc10},
    {0xc12, 0xc28}, {0xc2a, 0xc39}, {0xc3c, 0xc44}, {0xc46, 0xc48}, {0xc4a, 0xc4d}, {0xc55, 0xc56},
    {0xc58, 0xc5a}, {0xc5d, 0xc5d}, {0xc60, 0xc63}, {0xc66, 0xc6f}, {0xc77, 0xc8c}, {0xc8e, 0xc90},
    {0xc92, 0xca8}, {0xcaa, 0xcb3}, {0xcb5, 0xcb9}, {0xcbc, 0xcc4}, {0xcc6, 0xcc8}, {0xcca, 0xccd},
    {0xcd5, 0xcd6}, {0xcdd, 0xcde}, {0xce0, 0xce3}, {0xce6, 0xcef}, {0xcf1, 0xcf2}, {0xd00, 0xd0c},
    {0xd0e, 0xd10}, {0xd12, 0xd44}, {0xd46, 0xd48}, {0xd4a, 0xd4f}, {0xd54, 0xd63}, {0xd66, 0xd7f},
    {0xd81, 0xd83}, {0xd85, 0xd96}, {0xd9a, 0xdb1}, {0xdb3, 0xdbb}, {0xdbd, 0xdbd}, {0xdc0, 0xdc6},
    {0xdca, 0xdca}, {0xdcf, 0xdd4}, {0xdd6, 0xdd6}, {0xdd8, 0xddf}, {0xde6, 0xdef}, {0xdf2, 0xdf4},
    {0xe01, 0xe3a}, {0xe3f, 0xe5b}, {0xe81, 0xe82}, {0xe84, 0xe84}, {0xe86, 0xe8a}, {0xe8c, 0xea3},
    {0xea5, 0xea5}, {0xea7, 0xebd}, {0xec0, 0xec4}, {0xec6, 0xec6}, {0xec8, 0xecd}, {0xed0, 0xed9},
    {0xedc, 0xedf}, {0xf00, 0xf47}, {0xf49, 0xf6c}, {0xf71, 0xf97}, {0xf99, 0xfbc}, {0xfbe, 0xfcc},
    {0xfce, 0xfda}, {0x1000, 0x10c5}, {0x10c7, 0x10c7}, {0x10cd, 0x10cd}, {0x10d0, 0x1248},
    {0x124a, 0x124d}, {0x1250, 0x1256}, {0x1258, 0x1258}, {0x125a, 0x125d}, {0x1260, 0x1288},
    {0x128a, 0x128d}, {0x1290, 0x12b0}, {0x12b2, 0x12b5}, {0x12b8, 0x12be}, {0x12c0, 0x12c0},
    {0x12c2, 0x12c5}, {0x12c8, 0x12d6}, {0x12d8, 0x1310}, {0x1312, 0x1315}, {0x1318, 0x135a},
    {0x135d, 0x137c}, {0x1380, 0x1399}, {0x13a0, 0x13f5}, {0x13f8, 0x13fd}, {0x1400, 0x167f},
    {0x1681, 0x169c}, {0x16a0, 0x16f8}, {0x1700, 0x1715}, {0x171f, 0x1736}, {0x1740, 0x1753},
    {0x1760, 0x176c}, {0x176e, 0x1770}, {0x1772, 0x1773}, {0x1780, 0x17dd}, {0x17e0, 0x17e9},
    {0x17f0, 0x17f9}, {0x1800, 0x180d}, {0x180f, 0x1819}, {0x1820, 0x1878}, {0x1880, 0x18aa},
    {0x18b0, 0x18f5}, {0x1900, 0x191e}, {0x1920, 0x192b}, {0x1930, 0x193b}, {0x1940, 0x1940},
    {0x1944, 0x196d}, {0x1970, 0x1974}, {0x1980, 0x19ab}, {0x19b0, 0x19c9}, {0x19d0, 0x19da},
    {0x19de, 0x1a1b}, {0x1a1e, 0x1a5e}, {0x1a60, 0x1a7c}, {0x1a7f, 0x1a89}, {0x1a90, 0x1a99},
    {0x1aa0, 0x1aad}, {0x1ab0, 0x1ace}, {0x1b00, 0x1b4c}, {0x1b50, 0x1b7e}, {0x1b80, 0x1bf3},
    {0x1bfc, 0x1c37}, {0x1c3b, 0x1c49}, {0x1c4d, 0x1c88}, {0x1c90, 0x1cba}, {0x1cbd, 0x1cc7},
    {0x1cd0, 0x1cfa}, {0x1d00, 0x1f15}, {0x1f18, 0x1f1d}, {0x1f20, 0x1f45}, {0x1f48, 0x1f4d},
    {0x1f50, 0x1f57}, {0x1f59, 0x1f59}, {0x1f5b, 0x1f5b}, {0x1f5d, 0x1f5d}, {0x1f5f, 0x1f7d},
    {0x1f80, 0x1fb4}, {0x1fb6, 0x1fc4}, {0x1fc6, 0x1fd3}, {0x1fd6, 0x1fdb}, {0x1fdd, 0x1fef},
    {0x1ff2, 0x1ff4}, {0x1ff6, 0x1ffe}, {0x2010, 0x2027}, {0x2030, 0x205e}, {0x2070, 0x2071},
    {0x2074, 0x208e}, {0x2090, 0x209c}, {0x20a0, 0x20c0}, {0x20d0, 0x20f0}, {0x2100, 0x218b},
    {0x2190, 0x2426}, {0x2440, 0x244a}, {0x2460, 0x2b73}, {0x2b76, 0x2b95}, {0x2b97, 0x2cf3},
    {0x2cf9, 0x2d25}, {0x2d27, 0x2d27}, {0x2d2d, 0x2d2d}, {0x2d30, 0x2d67}, {0x2d6f, 0x2d70},
    {0x2d7f, 0x2d96}, {0x2da0, 0x2da6}, {0x2da8, 0x2dae}, {0x2db0, 0x2db6}, {0x2db8, 0x2dbe},
    {0x2dc0, 0x2dc6}, {0x2dc8, 0x2dce}, {0x2dd0, 0x2dd6}, {0x2dd8, 0x2dde}, {0x2de0, 0x2e5d},
    {0x2e80, 0x2e99}, {0x2e9b, 0x2ef3}, {0x2f00, 0x2fd5}, {0x2ff0, 0x2ffb}, {0x3001, 0x303f},
    {0x3041, 0x3096}, {0x3099, 0x30ff}, {0x3105, 0x312f}, {0x3131, 0x318e}, {0x3190, 0x31e3},
    {0x31f0, 0x321e}, {0x3220, 0xa48c}, {0xa490, 0xa4c6}, {0xa4d0, 0xa62b}, {0xa640, 0xa6f7},
    {0xa700, 0xa7ca}, {0xa7d0, 0xa7d1}, {0xa7d3, 0xa7d3}, {0xa7d5, 0xa7d9}, {0xa7f2, 0xa82c},
    {0xa830, 0xa839}, {0xa840, 0xa877}, {0xa880, 0xa8c5}, {0xa8ce, 0xa8d9}, {0xa8e0, 0xa953},
    {0xa95f, 0xa97c}, {0xa980, 0xa9cd}, {0xa9cf, 0xa9d9}, {0xa9de, 0xa9fe}, {0xaa00, 0xaa36},
    {0xaa40, 0xaa4d}, {0xaa50, 0xaa59}, {0xaa5c, 0xaac2}, {0xaadb, 0xaaf6}, {0xab01, 0xab06},
    {0xab09, 0xab0e}, {0xab11, 0xab16}, {0xab20, 0xab26}, {0xab28, 0xab2e}, {0xab30, 0xab6b},
    {0xab70, 0xabed}, {0xabf0, 0xabf9}, {0xac00, 0xd7a3}, {0xd7b0, 0xd7c6}, {0xd7cb, 0xd7fb},
    {0xf900, 0xfa6d}, {0xfa70, 0xfad9}, {0xfb00, 0xfb06}, {0xfb13, 0xfb17}, {0xfb1d, 0xfb36},
    {0xfb38, 0xfb3c}, {0xfb3e, 0xfb3e}, {0xfb40, 0xfb41}, {0xfb43, 0xfb44}, {0xfb46, 0xfbc2},
    {0xfbd3, 0xfd8f}, {0xfd92, 0xfdc7}, {0xfdcf, 0xfdcf}, {0xfdf0, 0xfe19}, {0xfe20, 0xfe52},
    {0xfe54, 0xfe66}, {0xfe68, 0xfe6b}, {0xfe70, 0xfe74}, {0xfe76, 0xfefc}, {0xff01, 0xffbe},
    {0xffc2, 0xffc7}, {0xffca, 0xffcf}, {0xffd2, 0xffd7}, {0xffda, 0xffdc}, {0xffe0, 0xffe6},
    {0xffe8, 0xffee}, {0xfffc, 0xfffd}, {0x10000, 0x1000b}, {0x1000d, 0x10026}, {0x10028, 0x1003a},
    {0x1003c, 0x1003d}, {0x1003f, 0x1004d}, {0x10050, 0x1005d}, {0x10080, 0x100fa},
    {0x10100, 0x10102}, {0x10107, 0x10133}, {0x10137, 0x1018e}, {0x10190, 0x1019c},
    {0x101a0, 0x101a0}, {0x101d0, 0x101fd}, {0x10280, 0x1029c}, {0x102a0, 0x102d0},
    {0x102e0, 0x102fb}, {0x10300, 0x10323}, {0x1032d, 0x1034a}, {0x10350, 0x1037a},
    {0x10380, 0x1039d}, {0x1039f, 0x103c3}, {0x103c8, 0x103d5}, {0x10400, 0x1049d},
    {0x104a0, 0x104a9}, {0x104b0, 0x104d3}, {0x104d8, 0x104fb}, {0x10500, 0x10527},
    {0x10530, 0x10563}, {0x1056f, 0x1057a}, {0x1057c, 0x1058a}, {0x1058c, 0x10592},
    {0x10594, 0x10595}, {0x10597, 0x105a1}, {0x105a3, 0x105b1}, {0x105b3, 0x105b9},
    {0x105bb, 0x105bc}, {0x10600, 0x10736}, {0x10740, 0x10755}, {0x10760, 0x10767},
    {0x10780, 0x10785}, {0x10787, 0x107b0}, {0x107b2, 0x107ba}, {0x10800, 0x10805},
    {0x10808, 0x10808}, {0x1080a, 0x10835}, {0x10837, 0x10838}, {0x1083c, 0x1083c},
    {0x1083f, 0x10855}, {0x10857, 0x1089e}, {0x108a7, 0x108af}, {0x108e0, 0x108f2},
    {0x108f4, 0x108f5}, {0x108fb, 0x1091b}, {0x1091f, 0x10939}, {0x1093f, 0x1093f},
    {0x10980, 0x109b7}, {0x109bc, 0x109cf}, {0x109d2, 0x10a03}, {0x10a05, 0x10a06},
    {0x10a0c, 0x10a13}, {0x10a15, 0x10a17}, {0x10a19, 0x10a35}, {0x10a38, 0x10a3a},
    {0x10a3f, 0x10a48}, {0x10a50, 0x10a58}, {0x10a60, 0x10a9f}, {0x10ac0, 0x10ae6},
    {0x10aeb, 0x10af6}, {0x10b00, 0x10b35}, {0x10b39, 0x10b55}, {0x10b58, 0x10b72},
    {0x10b78, 0x10b91}, {0x10b99, 0x10b9c}, {0x10ba9, 0x10baf}, {0x10c00, 0x10c48},
    {0x10c80, 0x10cb2}, {0x10cc0, 0x10cf2}, {0x10cfa, 0x10d27}, {0x10d30, 0x10d39},
    {0x10e60, 0x10e7e}, {0x10e80, 0x10ea9}, {0x10eab, 0x10ead}, {0x10eb0, 0x10eb1},
    {0x10f00, 0x10f27}, {0x10f30, 0x10f59}, {0x10f70, 0x10f89}, {0x10fb0, 0x10fcb},
    {0x10fe0, 0x10ff6}, {0x11000, 0x1104d}, {0x11052, 0x11075}, {0x1107f, 0x110bc},
    {0x110be, 0x110c2}, {0x110d0, 0x110e8}, {0x110f0, 0x110f9}, {0x11100, 0x11134},
    {0x11136, 0x11147}, {0x11150, 0x11176}, {0x11180, 0x111df}, {0x111e1, 0x111f4},
    {0x11200, 0x11211}, {0x11213, 0x1123e}, {0x11280, 0x11286}, {0x11288, 0x11288},
    {0x1128a, 0x1128d}, {0x1128f, 0x1129d}, {0x1129f, 0x112a9}, {0x112b0, 0x112ea},
    {0x112f0, 0x112f9}, {0x11300, 0x11303}, {0x11305, 0x1130c}, {0x1130f, 0x11310},
    {0x11313, 0x11328}, {0x1132a, 0x11330}, {0x11332, 0x11333}, {0x11335, 0x11339},
    {0x1133b, 0x11344}, {0x11347, 0x11348}, {0x1134b, 0x1134d}, {0x11350, 0x11350},
    {0x11357, 0x11357}, {0x1135d, 0x11363}, {0x11366, 0x1136c}, {0x11370, 0x11374},
    {0x11400, 0x1145b}, {0x1145d, 0x11461}, {0x11480, 0x114c7}, {0x114d0, 0x114d9},
    {0x11580, 0x115b5}, {0x115b8, 0x115dd}, {0x11600, 0x11644}, {0x11650, 0x11659},
    {0x11660, 0x1166c}, {0x11680, 0x116b9}, {0x116c0, 0x116c9}, {0x11700, 0x1171a},
    {0x1171d, 0x1172b}, {0x11730, 0x11746}, {0x11800, 0x1183b}, {0x118a0, 0x118f2},
    {0x118ff, 0x11906}, {0x11909, 0x11909}, {0x1190c, 0x11913}, {0x11915, 0x11916},
    {0x11918, 0x11935}, {0x11937, 0x11938}, {0x1193b, 0x11946}, {0x11950, 0x11959},
    {0x119a0, 0x119a7}, {0x119aa, 0x119d7}, {0x119da, 0x119e4}, {0x11a00, 0x11a47},
    {0x11a50, 0x11aa2}, {0x11ab0, 0x11af8}, {0x11c00, 0x11c08}, {0x11c0a, 0x11c36},
    {0x11c38, 0x11c45}, {0x11c50, 0x11c6c}, {0x11c70, 0x11c8f}, {0x11c92, 0x11ca7},
    {0x11ca9, 0x11cb6}, {0x11d00, 0x11d06}, {0x11d08, 0x11d09}, {0x11d0b, 0x11d36},
    {0x11d3a, 0x11d3a}, {0x11d3c, 0x11d3d}, {0x11d3f, 0x11d47}, {0x11d50, 0x11d59},
    {0x11d60, 0x11d65}, {0x11d67, 0x11d68}, {0x11d6a, 0x11d8e}, {0x11d90, 0x11d91},
    {0x11d93, 0x11d98}, {0x11da0, 0x11da9}, {0x11ee0, 0x11ef8}, {0x11fb0, 0x11fb0},
    {0x11fc0, 0x11ff1}, {0x11fff, 0x12399}, {0x12400, 0x1246e}, {0x12470, 0x12474},
    {0x12480, 0x12543}, {0x12f90, 0x12ff2}, {0x13000, 0x1342e}, {0x14400, 0x14646},
    {0x16800, 0x16a38}, {0x16a40, 0x16a5e}, {0x16a60, 0x16a69}, {0x16a6e, 0x16abe},
    {0x16ac0, 0x16ac9}, {0x16ad0, 0x16aed}, {0x16af0, 0x16af5}, {0x16b00, 0x16b45},
    {0x16b50, 0x16b59}, {0x16b5b, 0x16b61}, {0x16b63, 0x16b77}, {0x16b7d, 0x16b8f},
    {0x16e40, 0x16e9a}, {0x16f00, 0x16f4a}, {0x16f4f, 0x16f87}, {0x16f8f, 0x16f9f},
    {0x16fe0, 0x16fe4}, {0x16ff0, 0x16ff1}, {0x17000, 0x187f7}, {0x18800, 0x18cd5},
    {0x18d00, 0x18d08}, {0x1aff0, 0x1aff3}, {0x1aff5, 0x1affb}, {0x1affd, 0x1affe},
    {0x1b000, 0x1b122}, {0x1b150, 0x1b152}, {0x1b164, 0x1b167}, {0x1b170, 0x1b2fb},
    {0x1bc00, 0x1bc6a}, {0x1bc70, 0x1bc7c}, {0x1bc80, 0x1bc88}, {0x1bc90, 0x1bc99},
    {0x1bc9c, 0x1bc9f}, {0x1cf00, 0x1cf2d}, {0x1cf30, 0x1cf46}, {0x1cf50, 0x1cfc3},
    {0x1d000, 0x1d0f5}, {0x1d100, 0x1d126}, {0x1d129, 0x1d172}, {0x1d17b, 0x1d1ea},
    {0x1d200, 0x1d245}, {0x1d2e0, 0x1d2f3}, {0x1d300, 0x1d356}, {0x1d360, 0x1d378},
    {0x1d400, 0x1d454}, {0x1d456, 0x1d49c}, {0x1d49e, 0x1d49f}, {0x1d4a2, 0x1d4a2},
    {0x1d4a5, 0x1d4a6}, {0x1d4a9, 0x1d4ac}, {0x1d4ae, 0x1d4b9}, {0x1d4bb, 0x1d4bb},
    {0x1d4bd, 0x1d4c3}, {0x1d4c5, 0x1d505}, {0x1d507, 0x1d50a}, {0x1d50d, 0x1d514},
    {0x1d516, 0x1d51c}, {0x1d51e, 0x1d539}, {0x1d53b, 0x1d53e}, {0x1d540, 0x1d544},
    {0x1d546, 0x1d546}, {0x1d54a, 0x1d550}, {0x1d552, 0x1d6a5}, {0x1d6a8, 0x1d7cb},
    {0x1d7ce, 0x1da8b}, {0x1da9b, 0x1da9f}, {0x1daa1, 0x1daaf}, {0x1df00, 0x1df1e},
    {0x1e000, 0x1e006}, {0x1e008, 0x1e018}, {0x1e01b, 0x1e021}, {0x1e023, 0x1e024},
    {0x1e026, 0x1e02a}, {0x1e100, 0x1e12c}, {0x1e130, 0x1e13d}, {0x1e140, 0x1e149},
    {0x1e14e, 0x1e14f}, {0x1e290, 0x1e2ae}, {0x1e2c0, 0x1e2f9}, {0x1e2ff, 0x1e2ff},
    {0x1e7e0, 0x1e7e6}, {0x1e7e8, 0x1e7eb}, {0x1e7ed, 0x1e7ee}, {0x1e7f0, 0x1e7fe},
    {0x1e800, 0x1e8c4}, {0x1e8c7, 0x1e8d6}, {0x1e900, 0x1e94b}, {0x1e950, 0x1e959},
    {0x1e95e, 0x1e95f}, {0x1ec71, 0x1ecb4}, {0x1ed01, 0x1ed3d}, {0x1ee00, 0x1ee03},
    {0x1ee05, 0x1ee1f}, {0x1ee21, 0x1ee22}, {0x1ee24, 0x1ee24}, {0x1ee27, 0x1ee27},
    {0x1ee29, 0x1ee32}, {0x1ee34, 0x1ee37}, {0x1ee39, 0x1ee39}, {0x1ee3b, 0x1ee3b},
    {0x1ee42, 0x1ee42}, {0x1ee47, 0x1ee47}, {0x1ee49, 0x1ee49}, {0x1ee4b, 0x1ee4b},
    {0x1ee4d, 0x1ee4f}, {0x1ee51, 0x1ee52}, {0x1ee54, 0x1ee54}, {0x1ee57, 0x1ee57},
    {0x1ee59, 0x1ee59}, {0x1ee5b, 0x1ee5b}, {0x1ee5d, 0x1ee5d}, {0x1ee5f, 0x1ee5f},
    {0x1ee61, 0x1ee62}, {0x1ee64, 0x1ee64}, {0x1ee67, 0x1ee6a}, {0x1ee6c, 0x1ee72},
    {0x1ee74, 0x1ee77}, {0x1ee79, 0x1ee7c}, {0x1ee7e, 0x1ee7e}, {0x1ee80, 0x1ee89},
    {0x1ee8b, 0x1ee9b}, {0x1eea1, 0x1eea3}, {0x1eea5, 0x1eea9}, {0x1eeab, 0x1eebb},
    {0x1eef0, 0x1eef1}, {0x1f000, 0x1f02b}, {0x1f030, 0x1f093}, {0x1f0a0, 0x1f0ae},
    {0x1f0b1, 0x1f0bf}, {0x1f0c1, 0x1f0cf}, {0x1f0d1, 0x1f0f5}, {0x1f100, 0x1f1ad},
    {0x1f1e6, 0x1f202}, {0x1f210, 0x1f23b}, {0x1f240, 0x1f248}, {0x1f250, 0x1f251},
    {0x1f260, 0x1f265}, {0x1f300, 0x1f6d7}, {0x1f6dd, 0x1f6ec}, {0x1f6f0, 0x1f6fc},
    {0x1f700, 0x1f773}, {0x1f780, 0x1f7d8}, {0x1f7e0, 0x1f7eb}, {0x1f7f0, 0x1f7f0},
    {0x1f800, 0x1f80b}, {0x1f810, 0x1f847}, {0x1f850, 0x1f859}, {0x1f860, 0x1f887},
    {0x1f890, 0x1f8ad}, {0x1f8b0, 0x1f8b1}, {0x1f900, 0x1fa53}, {0x1fa60, 0x1fa6d},
    {0x1fa70, 0x1fa74}, {0x1fa78, 0x1fa7c}, {0x1fa80, 0x1fa86}, {0x1fa90, 0x1faac},
    {0x1fab0, 0x1faba}, {0x1fac0, 0x1fac5}, {0x1fad0, 0x1fad9}, {0x1fae0, 0x1fae7},
    {0x1faf0, 0x1faf6}, {0x1fb00, 0x1fb92}, {0x1fb94, 0x1fbca}, {0x1fbf0, 0x1fbf9},
    {0x20000, 0x2a6df}, {0x2a700, 0x2b738}, {0x2b740, 0x2b81d}, {0x2b820, 0x2cea1},
    {0x2ceb0, 0x2ebe0}, {0x2f800, 0x2fa1d}, {0x30000, 0x3134a}, {0xe0100, 0xe01ef},
};
static const struct ucs_range ucs_xid_start[653] = {
    {0xaa, 0xaa}, {0xb5, 0xb5}, {0xba, 0xba}, {0xc0, 0xd6}, {0xd8, 0xf6}, {0xf8, 0x2c1},
    {0x2c6, 0x2d1}, {0x2e0, 0x2e4}, {0x2ec, 0x2ec}, {0x2ee, 0x2ee}, {0x370, 0x374}, {0x376, 0x377},
    {0x37b, 0x37d}, {0x37f, 0x37f}, {0x386, 0x386}, {0x388, 0x38a}, {0x38c, 0x38c}, {0x38e, 0x3a1},
    {0x3a3, 0x3f5}, {0x3f7, 0x481}, {0x48a, 0x52f}, {0x531, 0x556}, {0x559, 0x559}, {0x560, 0x588},
    {0x5d0, 0x5ea}, {0x5ef, 0x5f2}, {0x620, 0x64a}, {0x66e, 0x66f}, {0x671, 0x6d3}, {0x6d5, 0x6d5},
    {0x6e5, 0x6e6}, {0x6ee, 0x6ef}, {0x6fa, 0x6fc}, {0x6ff, 0x6ff}, {0x710, 0x710}, {0x712, 0x72f},
    {0x74d, 0x7a5}, {0x7b1, 0x7b1}, {0x7ca, 0x7ea}, {0x7f4, 0x7f5}, {0x7fa, 0x7fa}, {0x800, 0x815},
    {0x81a, 0x81a}, {0x824, 0x824}, {0x828, 0x828}, {0x840, 0x858}, {0x860, 0x86a}, {0x870, 0x887},
    {0x889, 0x88e}, {0x8a0, 0x8c9}, {0x904, 0x939}, {0x93d, 0x93d}, {0x950, 0x950}, {0x958, 0x961},
    {0x971, 0x980}, {0x985, 0x98c}, {0x98f, 0x990}, {0x993, 0x9a8}, {0x9aa, 0x9b0}, {0x9b2, 0x9b2},
    {0x9b6, 0x9b9}, {0x9bd, 0x9bd}, {0x9ce, 0x9ce}, {0x9dc, 0x9dd}, {0x9df, 0x9e1}, {0x9f0, 0x9f1},
    {0x9fc, 0x9fc}, {0xa05, 0xa0a}, {0xa0f, 0xa10}, {0xa13, 0xa28}, {0xa2a, 0xa30}, {0xa32, 0xa33},
    {0xa35, 0xa36}, {0xa38, 0xa39}, {0xa59, 0xa5c}, {0xa5e, 0xa5e}, {0xa72, 0xa74}, {0xa85, 0xa8d},
    {0xa8f, 0xa91}, {0xa93, 0xaa8}, {0xaaa, 0xab0}, {0xab2, 0xab3}, {0xab5, 0xab9}, {0xabd, 0xabd},
    {0xad0, 0xad0}, {0xae0, 0xae1}, {0xaf9, 0xaf9}, {0xb05, 0xb0c}, {0xb0f, 0xb10}, {0xb13, 0xb28},
    {0xb2a, 0xb30}, {0xb32, 0xb33}, {0xb35, 0xb39}, {0xb3d, 0xb3d}, {0xb5c, 0xb5d}, {0xb5f, 0xb61},
    {0xb71, 0xb71}, {0xb83, 0xb83}, {0xb85, 0xb8a}, {0xb8e, 0xb90}, {0xb92, 0xb95}, {0xb99, 0xb9a},
    {0xb9c, 0xb9c}, {0xb9e, 0xb9f}, {0xba3, 0xba4}, {0xba8, 0xbaa}, {0xbae, 0xbb9}, {0xbd0, 0xbd0},
    {0xc05, 0xc0c}, {0xc0e, 0xc10}, {0xc12, 0xc28}, {0xc2a, 0xc39}, {0xc3d, 0xc3d}, {0xc58, 0xc5a},
    {0xc5d, 0xc5d}, {0xc60, 0xc61}, {0xc80, 0xc80}, {0xc85, 0xc8c}, {0xc8e, 0xc90}, {0xc92, 0xca8},
    {0xcaa, 0xcb3}, {0xcb5, 0xcb9}, {0xcbd, 0xcbd}, {0xcdd, 0xcde}, {0xce0, 0xce1}, {0xcf1, 0xcf2},
    {0xd04, 0xd0c}, {0xd0e, 0xd10}, {0xd12, 0xd3a}, {0xd3d, 0xd3d}, {0xd4e, 0xd4e}, {0xd54, 0xd56},
    {0xd5f, 0xd61}, {0xd7a, 0xd7f}, {0xd85, 0xd96}, {0xd9a, 0xdb1}, {0xdb3, 0xdbb}, {0xdbd, 0xdbd},
    {0xdc0, 0xdc6}, {0xe01, 0xe30}, {0xe32, 0xe32}, {0xe40, 0xe46}, {0xe81, 0xe82}, {0xe84, 0xe84},
    {0xe86, 0xe8a}, {0xe8c, 0xea3}, {0xea5, 0xea5}, {0xea7, 0xeb0}, {0xeb2, 0xeb2}, {0xebd, 0xebd},
    {0xec0, 0xec4}, {0xec6, 0xec6}, {0xedc, 0xedf}, {0xf00, 0xf00}, {0xf40, 0xf47}, {0xf49, 0xf6c},
    {0xf88, 0xf8c}, {0x1000, 0x102a}, {0x103f, 0x103f}, {0x1050, 0x1055}, {0x105a, 0x105d},
    {0x1061, 0x1061}, {0x1065, 0x1066}, {0x106e, 0x1070}, {0x1075, 0x1081}, {0x108e, 0x108e},
    {0x10a0, 0x10c5}, {0x10c7, 0x10c7}, {0x10cd, 0x10cd}, {0x10d0, 0x10fa}, {0x10fc, 0x1248},
    {0x124a, 0x124d}, {0x1250, 0x1256}, {0x1258, 0x1258}, {0x125a, 0x125d}, {0x1260, 0x1288},
    {0x128a, 0x128d}, {0x1290, 0x12b0}, {0x12b2, 0x12b5}, {0x12b8, 0x12be}, {0x12c0, 0x12c0},
    {0x12c2, 0x12c5}, {0x12c8, 0x12d6}, {0x12d8, 0x1310}, {0x1312, 0x1315}, {0x1318, 0x135a},
    {0x1380, 0x138f}, {0x13a0, 0x13f5}, {0x13f8, 0x13fd}, {0x1401, 0x166c}, {0x166f, 0x167f},
    {0x1681, 0x169a}, {0x16a0, 0x16ea}, {0x16ee, 0x16f8}, {0x1700, 0x1711}, {0x171f, 0x1731},
    {0x1740, 0x1751}, {0x1760, 0x176c}, {0x176e, 0x1770}, {0x1780, 0x17b3}, {0x17d7, 0x17d7},
    {0x17dc, 0x17dc}, {0x1820, 0x1878}, {0x1880, 0x18a8}, {0x18aa, 0x18aa}, {0x18b0, 0x18f5},
    {0x1900, 0x191e}, {0x1950, 0x196d}, {0x1970, 0x1974}, {0x1980, 0x19ab}, {0x19b0, 0x19c9},
    {0x1a00, 0x1a16}, {0x1a20, 0x1a54}, {0x1aa7, 0x1aa7}, {0x1b05, 0x1b33}, {0x1b45, 0x1b4c},
    {0x1b83, 0x1ba0}, {0x1bae, 0x1baf}, {0x1bba, 0x1be5}, {0x1c00, 0x1c23}, {0x1c4d, 0x1c4f},
    {0x1c5a, 0x1c7d}, {0x1c80, 0x1c88}, {0x1c90, 0x1cba}, {0x1cbd, 0x1cbf}, {0x1ce9, 0x1cec},
    {0x1cee, 0x1cf3}, {0x1cf5, 0x1cf6}, {0x1cfa, 0x1cfa}, {0x1d00, 0x1dbf}, {0x1e00, 0x1f15},
    {0x1f18, 0x1f1d}, {0x1f20, 0x1f45}, {0x1f48, 0x1f4d}, {0x1f50, 0x1f57}, {0x1f59, 0x1f59},
    {0x1f5b, 0x1f5b}, {0x1f5d, 0x1f5d}, {0x1f5f, 0x1f7d}, {0x1f80, 0x1fb4}, {0x1fb6, 0x1fbc},
    {0x1fbe, 0x1fbe}, {0x1fc2, 0x1fc4}, {0x1fc6, 0x1fcc}, {0x1fd0, 0x1fd3}, {0x1fd6, 0x1fdb},
    {0x1fe0, 0x1fec}, {0x1ff2, 0x1ff4}, {0x1ff6, 0x1ffc}, {0x2071, 0x2071}, {0x207f, 0x207f},
    {0x2090, 0x209c}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210a, 0x2113}, {0x2115, 0x2115},
    {0x2118, 0x211d}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212a, 0x2139},
    {0x213c, 0x213f}, {0x2145, 0x2149}, {0x214e, 0x214e}, {0x2160, 0x2188}, {0x2c00, 0x2ce4},
    {0x2ceb, 0x2cee}, {0x2cf2, 0x2cf3}, {0x2d00, 0x2d25}, {0x2d27, 0x2d27}, {0x2d2d, 0x2d2d},
    {0x2d30, 0x2d67}, {0x2d6f, 0x2d6f}, {0x2d80, 0x2d96}, {0x2da0, 0x2da6}, {0x2da8, 0x2dae},
    {0x2db0, 0x2db6}, {0x2db8, 0x2dbe}, {0x2dc0, 0x2dc6}, {0x2dc8, 0x2dce}, {0x2dd0, 0x2dd6},
    {0x2dd8, 0x2dde}, {0x3005, 0x3007}, {0x3021, 0x3029}, {0x3031, 0x3035}, {0x3038, 0x303c},
    {0x3041, 0x3096}, {0x309d, 0x309f}, {0x30a1, 0x30fa}, {0x30fc, 0x30ff}, {0x3105, 0x312f},
    {0x3131, 0x318e}, {0x31a0, 0x31bf}, {0x31f0, 0x31ff}, {0x3400, 0x4dbf}, {0x4e00, 0xa48c},
    {0xa4d0, 0xa4fd}, {0xa500, 0xa60c}, {0xa610, 0xa61f}, {0xa62a, 0xa62b}, {0xa640, 0xa66e},
    {0xa67f, 0xa69d}, {0xa6a0, 0xa6ef}, {0xa717, 0xa71f}, {0xa722, 0xa788}, {0xa78b, 0xa7ca},
    {0xa7d0, 0xa7d1}, {0xa7d3, 0xa7d3}, {0xa7d5, 0xa7d9}, {0xa7f2, 0xa801}, {0xa803, 0xa805},
    {0xa807, 0xa80a}, {0xa80c, 0xa822}, {0xa840, 0xa873}, {0xa882, 0xa8b3}, {0xa8f2, 0xa8f7},
    {0xa8fb, 0xa8fb}, {0xa8fd, 0xa8fe}, {0xa90a, 0xa925}, {0xa930, 0xa946}, {0xa960, 0xa97c},
    {0xa984, 0xa9b2}, {0xa9cf, 0xa9cf}, {0xa9e0, 0xa9e4}, {0xa9e6, 0xa9ef}, {0xa9fa, 0xa9fe},
    {0xaa00, 0xaa28}, {0xaa40, 0xaa42}, {0xaa44, 0xaa4b}, {0xaa60, 0xaa76}, {0xaa7a, 0xaa7a},
    {0xaa7e, 0xaaaf}, {0xaab1, 0xaab1}, {0xaab5, 0xaab6}, {0xaab9, 0xaabd}, {0xaac0, 0xaac0},
    {0xaac2, 0xaac2}, {0xaadb, 0xaadd}, {0xaae0, 0xaaea}, {0xaaf2, 0xaaf4}, {0xab01, 0xab06},
    {0xab09, 0xab0e}, {0xab11, 0xab16}, {0xab20, 0xab26}, {0xab28, 0xab2e}, {0xab30, 0xab5a},
    {0xab5c, 0xab69}, {0xab70, 0xabe2}, {0xac00, 0xd7a3}, {0xd7b0, 0xd7c6}, {0xd7cb, 0xd7fb},
    {0xf900, 0xfa6d}, {0xfa70, 0xfad9}, {0xfb00, 0xfb06}, {0xfb13, 0xfb17}, {0xfb1d, 0xfb1d},
    {0xfb1f, 0xfb28}, {0xfb2a, 0xfb36}, {0xfb38, 0xfb3c}, {0xfb3e, 0xfb3e}, {0xfb40, 0xfb41},
    {0xfb43, 0xfb44}, {0xfb46, 0xfbb1}, {0xfbd3, 0xfc5d}, {0xfc64, 0xfd3d}, {0xfd50, 0xfd8f},
    {0xfd92, 0xfdc7}, {0xfdf0, 0xfdf9}, {0xfe71, 0xfe71}, {0xfe73, 0xfe73}, {0xfe77, 0xfe77},
    {0xfe79, 0xfe79}, {0xfe7b, 0xfe7b}, {0xfe7d, 0xfe7d}, {0xfe7f, 0xfefc}, {0xff21, 0xff3a},
    {0xff41, 0xff5a}, {0xff66, 0xff9d}, {0xffa0, 0xffbe}, {0xffc2, 0xffc7}, {0xffca, 0xffcf},
    {0xffd2, 0xffd7}, {0xffda, 0xffdc}, {0x10000, 0x1000b}, {0x1000d, 0x10026}, {0x10028, 0x1003a},
    {0x1003c, 0x1003d}, {0x1003f, 0x1004d}, {0x10050, 0x1005d}, {0x10080, 0x100fa},
    {0x10140, 0x10174}, {0x10280, 0x1029c}, {0x102a0, 0x102d0}, {0x10300, 0x1031f},
    {0x1032d, 0x1034a}, {0x10350, 0x10375}, {0x10380, 0x1039d}, {0x103a0, 0x103c3},
    {0x103c8, 0x103cf}, {0x103d1, 0x103d5}, {0x10400, 0x1049d}, {0x104b0, 0x104d3},
    {0x104d8, 0x104fb}, {0x10500, 0x10527}, {0x10530, 0x10563}, {0x10570, 0x1057a},
    {0x1057c, 0x1058a}, {0x1058c, 0x10592}, {0x10594, 0x10595}, {0x10597, 0x105a1},
    {0x105a3, 0x105b1}, {0x105b3, 0x105b9}, {0x105bb, 0x105bc}, {0x10600, 0x10736},
    {0x10740, 0x10755}, {0x10760, 0x10767}, {0x10780, 0x10785}, {0x10787, 0x107b0},
    {0x107b2, 0x107ba}, {0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080a, 0x10835},
    {0x10837, 0x10838}, {0x1083c, 0x1083c}, {0x1083f, 0x10855}, {0x10860, 0x10876},
    {0x10880, 0x1089e}, {0x108e0, 0x108f2}, {0x108f4, 0x108f5}, {0x10900, 0x10915},
    {0x10920, 0x10939}, {0x10980, 0x109b7}, {0x109be, 0x109bf}, {0x10a00, 0x10a00},
    {0x10a10, 0x10a13}, {0x10a15, 0x10a17}, {0x10a19, 0x10a35}, {0x10a60, 0x10a7c},
    {0x10a80, 0x10a9c}, {0x10ac0, 0x10ac7}, {0x10ac9, 0x10ae4}, {0x10b00, 0x10b35},
    {0x10b40, 0x10b55}, {0x10b60, 0x10b72}, {0x10b80, 0x10b91}, {0x10c00, 0x10c48},
    {0x10c80, 0x10cb2}, {0x10cc0, 0x10cf2}, {0x10d00, 0x10d23}, {0x10e80, 0x10ea9},
    {0x10eb0, 0x10eb1}, {0x10f00, 0x10f1c}, {0x10f27, 0x10f27}, {0x10f30, 0x10f45},
    {0x10f70, 0x10f81}, {0x10fb0, 0x10fc4}, {0x10fe0, 0x10ff6}, {0x11003, 0x11037},
    {0x11071, 0x11072}, {0x11075, 0x11075}, {0x11083, 0x110af}, {0x110d0, 0x110e8},
    {0x11103, 0x11126}, {0x11144, 0x11144}, {0x11147, 0x11147}, {0x11150, 0x11172},
    {0x11176, 0x11176}, {0x11183, 0x111b2}, {0x111c1, 0x111c4}, {0x111da, 0x111da},
    {0x111dc, 0x111dc}, {0x11200, 0x11211}, {0x11213, 0x1122b}, {0x11280, 0x11286},
    {0x11288, 0x11288}, {0x1128a, 0x1128d}, {0x1128f, 0x1129d}, {0x1129f, 0x112a8},
    {0x112b0, 0x112de}, {0x11305, 0x1130c}, {0x1130f, 0x11310}, {0x11313, 0x11328},
    {0x1132a, 0x11330}, {0x11332, 0x11333}, {0x11335, 0x11339}, {0x1133d, 0x1133d},
    {0x11350, 0x11350}, {0x1135d, 0x11361}, {0x11400, 0x11434}, {0x11447, 0x1144a},
    {0x1145f, 0x11461}, {0x11480, 0x114af}, {0x114c4, 0x114c5}, {0x114c7, 0x114c7},
    {0x11580, 0x115ae}, {0x115d8, 0x115db}, {0x11600, 0x1162f}, {0x11644, 0x11644},
    {0x11680, 0x116aa}, {0x116b8, 0x116b8}, {0x11700, 0x1171a}, {0x11740, 0x11746},
    {0x11800, 0x1182b}, {0x118a0, 0x118df}, {0x118ff, 0x11906}, {0x11909, 0x11909},
    {0x1190c, 0x11913}, {0x11915, 0x11916}, {0x11918, 0x1192f}, {0x1193f, 0x1193f},
    {0x11941, 0x11941}, {0x119a0, 0x119a7}, {0x119aa, 0x119d0}, {0x119e1, 0x119e1},
    {0x119e3, 0x119e3}, {0x11a00, 0x11a00}, {0x11a0b, 0x11a32}, {0x11a3a, 0x11a3a},
    {0x11a50, 0x11a50}, {0x11a5c, 0x11a89}, {0x11a9d, 0x11a9d}, {0x11ab0, 0x11af8},
    {0x11c00, 0x11c08}, {0x11c0a, 0x11c2e}, {0x11c40, 0x11c40}, {0x11c72, 0x11c8f},
    {0x11d00, 0x11d06}, {0x11d08, 0x11d09}, {0x11d0b, 0x11d30}, {0x11d46, 0x11d46},
    {0x11d60, 0x11d65}, {0x11d67, 0x11d68}, {0x11d6a, 0x11d89}, {0x11d98, 0x11d98},
    {0x11ee0, 0x11ef2}, {0x11fb0, 0x11fb0}, {0x12000, 0x12399}, {0x12400, 0x1246e},
    {0x12480, 0x12543}, {0x12f90, 0x12ff0}, {0x13000, 0x1342e}, {0x14400, 0x14646},
    {0x16800, 0x16a38}, {0x16a40, 0x16a5e}, {0x16a70, 0x16abe}, {0x16ad0, 0x16aed},
    {0x16b00, 0x16b2f}, {0x16b40, 0x16b43}, {0x16b63, 0x16b77}, {0x16b7d, 0x16b8f},
    {0x16e40, 0x16e7f}, {0x16f00, 0x16f4a}, {0x16f50, 0x16f50}, {0x16f93, 0x16f9f},
    {0x16fe0, 0x16fe1}, {0x16fe3, 0x16fe3}, {0x17000, 0x187f7}, {0x18800, 0x18cd5},
    {0x18d00, 0x18d08}, {0x1aff0, 0x1aff3}, {0x1aff5, 0x1affb}, {0x1affd, 0x1affe},
    {0x1b000, 0x1b122}, {0x1b150, 0x1b152}, {0x1b164, 0x1b167}, {0x1b170, 0x1b2fb},
    {0x1bc00, 0x1bc6a}, {0x1bc70, 0x1bc7c}, {0x1bc80, 0x1bc88}, {0x1bc90, 0x1bc99},
    {0x1d400, 0x1d454}, {0x1d456, 0x1d49c}, {0x1d49e, 0x1d49f}, {0x1d4a2, 0x1d4a2},
    {0x1d4a5, 0x1d4a6}, {0x1d4a9, 0x1d4ac}, {0x1d4ae, 0x1d4b9}, {0x1d4bb, 0x1d4bb},
    {0x1d4bd, 0x1d4c3}, {0x1d4c5, 0x1d505}, {0x1d507, 0x1d50a}, {0x1d50d, 0x1d514},
    {0x1d516, 0x1d51c}, {0x1d51e, 0x1d539}, {0x1d53b, 0x1d53e}, {0x1d540, 0x1d544},
    {0x1d546, 0x1d546}, {0x1d54a, 0x1d550}, {0x1d552, 0x1d6a5}, {0x1d6a8, 0x1d6c0},
    {0x1d6c2, 0x1d6da}, {0x1d6dc, 0x1d6fa}, {0x1d6fc, 0x1d714}, {0x1d716, 0x1d734},
    {0x1d736, 0x1d74e}, {0x1d750, 0x1d76e}, {0x1d770, 0x1d788}, {0x1d78a, 0x1d7a8},
    {0x1d7aa, 0x1d7c2}, {0x1d7c4, 0x1d7cb}, {0x1df00, 0x1df1e}, {0x1e100, 0x1e12c},
    {0x1e137, 0x1e13d}, {0x1e14e, 0x1e14e}, {0x1e290, 0x1e2ad}, {0x1e2c0, 0x1e2eb},
    {0x1e7e0, 0x1e7e6}, {0x1e7e8, 0x1e7eb}, {0x1e7ed, 0x1e7ee}, {0x1e7f0, 0x1e7fe},
    {0x1e800, 0x1e8c4}, {0x1e900, 0x1e943}, {0x1e94b, 0x1e94b}, {0x1ee00, 0x1ee03},
    {0x1ee05, 0x1ee1f}, {0x1ee21, 0x1ee22}, {0x1ee24, 0x1ee24}, {0x1ee27, 0x1ee27},
    {0x1ee29, 0x1ee32}, {0x1ee34, 0x1ee37}, {0x1ee39, 0x1ee39}, {0x1ee3b, 0x1ee3b},
    {0x1ee42, 0x1ee42}, {0x1ee47, 0x1ee47}, {0x1ee49, 0x1ee49}, {0x1ee4b, 0x1ee4b},
    {0x1ee4d, 0x1ee4f}, {0x1ee51, 0x1ee52}, {0x1ee54, 0x1ee54}, {0x1ee57, 0x1ee57},
    {0x1ee59, 0x1ee59}, {0x1ee5b, 0x1ee5b}, {0x1ee5d, 0x1ee5d}, {0x1ee5f, 0x1ee5f},
    {0x1ee61, 0x1ee62}, {0x1ee64, 0x1ee64}, {0x1ee67, 0x1ee6a}, {0x1ee6c, 0x1ee72},
    {0x1ee74, 0x1ee77}, {0x1ee79, 0x1ee7c}, {0x1ee7e, 0x1ee7e}, {0x1ee80, 0x1ee89},
    {0x1ee8b, 0x1ee9b}, {0x1eea1, 0x1eea3}, {0x1eea5, 0x1eea9}, {0x1eeab, 0x1eebb},
    {0x20000, 0x2a6df}, {0x2a700, 0x2b738}, {0x2b740, 0x2b81d}, {0x2b820, 0x2cea1},
    {0x2ceb0, 0x2ebe0}, {0x2f800, 0x2fa1d}, {0x30000, 0x3134a},
};
static const struct ucs_range ucs_xid_continue[759] = {
    {0xaa, 0xaa}, {0xb5, 0xb5}, {0xb7, 0xb7}, {0xba, 0xba}, {0xc0, 0xd6}, {0xd8, 0xf6},
    {0xf8, 0x2c1}, {0x2c6, 0x2d1}, {0x2e0, 0x2e4}, {0x2ec, 0x2ec}, {0x2ee, 0x2ee}, {0x300, 0x374},
    {0x376, 0x377}, {0x37b, 0x37d}, {0x37f, 0x37f}, {0x386, 0x38a}, {0x38c, 0x38c}, {0x38e, 0x3a1},
    {0x3a3, 0x3f5}, {0x3f7, 0x481}, {0x483, 0x487}, {0x48a, 0x52f}, {0x531, 0x556}, {0x559, 0x559},
    {0x560, 0x588}, {0x591, 0x5bd}, {0x5bf, 0x5bf}, {0x5c1, 0x5c2}, {0x5c4, 0x5c5}, {0x5c7, 0x5c7},
    {0x5d0, 0x5ea}, {0x5ef, 0x5f2}, {0x610, 0x61a}, {0x620, 0x669}, {0x66e, 0x6d3}, {0x6d5, 0x6dc},
    {0x6df, 0x6e8}, {0x6ea, 0x6fc}, {0x6ff, 0x6ff}, {0x710, 0x74a}, {0x74d, 0x7b1}, {0x7c0, 0x7f5},
    {0x7fa, 0x7fa}, {0x7fd, 0x7fd}, {0x800, 0x82d}, {0x840, 0x85b}, {0x860, 0x86a}, {0x870, 0x887},
    {0x889, 0x88e}, {0x898, 0x8e1}, {0x8e3, 0x963}, {0x966, 0x96f}, {0x971, 0x983}, {0x985, 0x98c},
    {0x98f, 0x990}, {0x993, 0x9a8}, {0x9aa, 0x9b0}, {0x9b2, 0x9b2}, {0x9b6, 0x9b9}, {0x9bc, 0x9c4},
    {0x9c7, 0x9c8}, {0x9cb, 0x9ce}, {0x9d7, 0x9d7}, {0x9dc, 0x9dd}, {0x9df, 0x9e3}, {0x9e6, 0x9f1},
    {0x9fc, 0x9fc}, {0x9fe, 0x9fe}, {0xa01, 0xa03}, {0xa05, 0xa0a}, {0xa0f, 0xa10}, {0xa13, 0xa28},
    {0xa2a, 0xa30}, {0xa32, 0xa33}, {0xa35, 0xa36}, {0xa38, 0xa39}, {0xa3c, 0xa3c}, {0xa3e, 0xa42},
    {0xa47, 0xa48}, {0xa4b, 0xa4d}, {0xa51, 0xa51}, {0xa59, 0xa5c}, {0xa5e, 0xa5e}, {0xa66, 0xa75},
    {0xa81, 0xa83}, {0xa85, 0xa8d}, {0xa8f, 0xa91}, {0xa93, 0xaa8}, {0xaaa, 0xab0}, {0xab2, 0xab3},
    {0xab5, 0xab9}, {0xabc, 0xac5}, {0xac7, 0xac9}, {0xacb, 0xacd}, {0xad0, 0xad0}, {0xae0, 0xae3},
    {0xae6, 0xaef}, {0xaf9, 0xaff}, {0xb01, 0xb03}, {0xb05, 0xb0c}, {0xb0f, 0xb10}, {0xb13, 0xb28},
    {0xb2a, 0xb30}, {0xb32, 0xb33}, {0xb35, 0xb39}, {0xb3c, 0xb44}, {0xb47, 0xb48}, {0xb4b, 0xb4d},
    {0xb55, 0xb57}, {0xb5c, 0xb5d}, {0xb5f, 0xb63}, {0xb66, 0xb6f}, {0xb71, 0xb71}, {0xb82, 0xb83},
    {0xb85, 0xb8a}, {0xb8e, 0xb90}, {0xb92, 0xb95}, {0xb99, 0xb9a}, {0xb9c, 0xb9c}, {0xb9e, 0xb9f},
    {0xba3, 0xba4}, {0xba8, 0xbaa}, {0xbae, 0xbb9}, {0xbbe, 0xbc2}, {0xbc6, 0xbc8}, {0xbca, 0xbcd},
    {0xbd0, 0xbd0}, {0xbd7, 0xbd7}, {0xbe6, 0xbef}, {0xc00, 0xc0c}, {0xc0e, 0xc10}, {0xc12, 0xc28},
    {0xc2a, 0xc39}, {0xc3c, 0xc44}, {0xc46, 0xc48}, {0xc4a, 0xc4d}, {0xc55, 0xc56}, {0xc58, 0xc5a},
    {0xc5d, 0xc5d}, {0xc60, 0xc63}, {0xc66, 0xc6f}, {0xc80, 0xc83}, {0xc85, 0xc8c}, {0xc8e, 0xc90},
    {0xc92, 0xca8}, {0xcaa, 0xcb3}, {0xcb5, 0xcb9}, {0xcbc, 0xcc4}, {0xcc6, 0xcc8}, {0xcca, 0xccd},
    {0xcd5, 0xcd6}, {0xcdd, 0xcde}, {0xce0, 0xce3}, {0xce6, 0xcef}, {0xcf1, 0xcf2}, {0xd00, 0xd0c},
    {0xd0e, 0xd10}, {0xd12, 0xd44}, {0xd46, 0xd48}, {0xd4a, 0xd4e}, {0xd54, 0xd57}, {0xd5f, 0xd63},
    {0xd66, 0xd6f}, {0xd7a, 0xd7f}, {0xd81, 0xd83}, {0xd85, 0xd96}, {0xd9a, 0xdb1}, {0xdb3, 0xdbb},
    {0xdbd, 0xdbd}, {0xdc0, 0xdc6}, {0xdca, 0xdca}, {0xdcf, 0xdd4}, {0xdd6, 0xdd6}, {0xdd8, 0xddf},
    {0xde6, 0xdef}, {0xdf2, 0xdf3}, {0xe01, 0xe3a}, {0xe40, 0xe4e}, {0xe50, 0xe59}, {0xe81, 0xe82},
    {0xe84, 0xe84}, {0xe86, 0xe8a}, {0xe8c, 0xea3}, {0xea5, 0xea5}, {0xea7, 0xebd}, {0xec0, 0xec4},
    {0xec6, 0xec6}, {0xec8, 0xecd}, {0xed0, 0xed9}, {0xedc, 0xedf}, {0xf00, 0xf00}, {0xf18, 0xf19},
    {0xf20, 0xf29}, {0xf35, 0xf35}, {0xf37, 0xf37}, {0xf39, 0xf39}, {0xf3e, 0xf47}, {0xf49, 0xf6c},
    {0xf71, 0xf84}, {0xf86, 0xf97}, {0xf99, 0xfbc}, {0xfc6, 0xfc6}, {0x1000, 0x1049},
    {0x1050, 0x109d}, {0x10a0, 0x10c5}, {0x10c7, 0x10c7}, {0x10cd, 0x10cd}, {0x10d0, 0x10fa},
    {0x10fc, 0x1248}, {0x124a, 0x124d}, {0x1250, 0x1256}, {0x1258, 0x1258}, {0x125a, 0x125d},
    {0x1260, 0x1288}, {0x128a, 0x128d}, {0x1290, 0x12b0}, {0x12b2, 0x12b5}, {0x12b8, 0x12be},
    {0x12c0, 0x12c0}, {0x12c2, 0x12c5}, {0x12c8, 0x12d6}, {0x12d8, 0x1310}, {0x1312, 0x1315},
    {0x1318, 0x135a}, {0x135d, 0x135f}, {0x1369, 0x1371}, {0x1380, 0x138f}, {0x13a0, 0x13f5},
    {0x13f8, 0x13fd}, {0x1401, 0x166c}, {0x166f, 0x167f}, {0x1681, 0x169a}, {0x16a0, 0x16ea},
    {0x16ee, 0x16f8}, {0x1700, 0x1715}, {0x171f, 0x1734}, {0x1740, 0x1753}, {0x1760, 0x176c},
    {0x176e, 0x1770}, {0x1772, 0x1773}, {0x1780, 0x17d3}, {0x17d7, 0x17d7}, {0x17dc, 0x17dd},
    {0x17e0, 0x17e9}, {0x180b, 0x180d}, {0x180f, 0x1819}, {0x1820, 0x1878}, {0x1880, 0x18aa},
    {0x18b0, 0x18f5}, {0x1900, 0x191e}, {0x1920, 0x192b}, {0x1930, 0x193b}, {0x1946, 0x196d},
    {0x1970, 0x1974}, {0x1980, 0x19ab}, {0x19b0, 0x19c9}, {0x19d0, 0x19da}, {0x1a00, 0x1a1b},
    {0x1a20, 0x1a5e}, {0x1a60, 0x1a7c}, {0x1a7f, 0x1a89}, {0x1a90, 0x1a99}, {0x1aa7, 0x1aa7},
    {0x1ab0, 0x1abd}, {0x1abf, 0x1ace}, {0x1b00, 0x1b4c}, {0x1b50, 0x1b59}, {0x1b6b, 0x1b73},
    {0x1b80, 0x1bf3}, {0x1c00, 0x1c37}, {0x1c40, 0x1c49}, {0x1c4d, 0x1c7d}, {0x1c80, 0x1c88},
    {0x1c90, 0x1cba}, {0x1cbd, 0x1cbf}, {0x1cd0, 0x1cd2}, {0x1cd4, 0x1cfa}, {0x1d00, 0x1f15},
    {0x1f18, 0x1f1d}, {0x1f20, 0x1f45}, {0x1f48, 0x1f4d}, {0x1f50, 0x1f57}, {0x1f59, 0x1f59},
    {0x1f5b, 0x1f5b}, {0x1f5d, 0x1f5d}, {0x1f5f, 0x1f7d}, {0x1f80, 0x1fb4}, {0x1fb6, 0x1fbc},
    {0x1fbe, 0x1fbe}, {0x1fc2, 0x1fc4}, {0x1fc6, 0x1fcc}, {0x1fd0, 0x1fd3}, {0x1fd6, 0x1fdb},
    {0x1fe0, 0x1fec}, {0x1ff2, 0x1ff4}, {0x1ff6, 0x1ffc}, {0x203f, 0x2040}, {0x2054, 0x2054},
    {0x2071, 0x2071}, {0x207f, 0x207f}, {0x2090, 0x209c}, {0x20d0, 0x20dc}, {0x20e1, 0x20e1},
    {0x20e5, 0x20f0}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210a, 0x2113}, {0x2115, 0x2115},
    {0x2118, 0x211d}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212a, 0x2139},
    {0x213c, 0x213f}, {0x2145, 0x2149}, {0x214e, 0x214e}, {0x2160, 0x2188}, {0x2c00, 0x2ce4},
    {0x2ceb, 0x2cf3}, {0x2d00, 0x2d25}, {0x2d27, 0x2d27}, {0x2d2d, 0x2d2d}, {0x2d30, 0x2d67},
    {0x2d6f, 0x2d6f}, {0x2d7f, 0x2d96}, {0x2da0, 0x2da6}, {0x2da8, 0x2dae}, {0x2db0, 0x2db6},
    {0x2db8, 0x2dbe}, {0x2dc0, 0x2dc6}, {0x2dc8, 0x2dce}, {0x2dd0, 0x2dd6}, {0x2dd8, 0x2dde},
    {0x2de0, 0x2dff}, {0x3005, 0x3007}, {0x3021, 0x302f}, {0x3031, 0x3035}, {0x3038, 0x303c},
    {0x3041, 0x3096}, {0x3099, 0x309a}, {0x309d, 0x309f}, {0x30a1, 0x30fa}, {0x30fc, 0x30ff},
    {0x3105, 0x312f}, {0x3131, 0x318e}, {0x31a0, 0x31bf}, {0x31f0, 0x31ff}, {0x3400, 0x4dbf},
    {0x4e00, 0xa48c}, {0xa4d0, 0xa4fd}, {0xa500, 0xa60c}, {0xa610, 0xa62b}, {0xa640, 0xa66f},
    {0xa674, 0xa67d}, {0xa67f, 0xa6f1}, {0xa717, 0xa71f}, {0xa722, 0xa788}, {0xa78b, 0xa7ca},
    {0xa7d0, 0xa7d1}, {0xa7d3, 0xa7d3}, {0xa7d5, 0xa7d9}, {0xa7f2, 0xa827}, {0xa82c, 0xa82c},
    {0xa840, 0xa873}, {0xa880, 0xa8c5}, {0xa8d0, 0xa8d9}, {0xa8e0, 0xa8f7}, {0xa8fb, 0xa8fb},
    {0xa8fd, 0xa92d}, {0xa930, 0xa953}, {0xa960, 0xa97c}, {0xa980, 0xa9c0}, {0xa9cf, 0xa9d9},
    {0xa9e0, 0xa9fe}, {0xaa00, 0xaa36}, {0xaa40, 0xaa4d}, {0xaa50, 0xaa59}, {0xaa60, 0xaa76},
    {0xaa7a, 0xaac2}, {0xaadb, 0xaadd}, {0xaae0, 0xaaef}, {0xaaf2, 0xaaf6}, {0xab01, 0xab06},
    {0xab09, 0xab0e}, {0xab11, 0xab16}, {0xab20, 0xab26}, {0xab28, 0xab2e}, {0xab30, 0xab5a},
    {0xab5c, 0xab69}, {0xab70, 0xabea}, {0xabec, 0xabed}, {0xabf0, 0xabf9}, {0xac00, 0xd7a3},
    {0xd7b0, 0xd7c6}, {0xd7cb, 0xd7fb}, {0xf900, 0xfa6d}, {0xfa70, 0xfad9}, {0xfb00, 0xfb06},
    {0xfb13, 0xfb17}, {0xfb1d, 0xfb28}, {0xfb2a, 0xfb36}, {0xfb38, 0xfb3c}, {0xfb3e, 0xfb3e},
    {0xfb40, 0xfb41}, {0xfb43, 0xfb44}, {0xfb46, 0xfbb1}, {0xfbd3, 0xfc5d}, {0xfc64, 0xfd3d},
    {0xfd50, 0xfd8f}, {0xfd92, 0xfdc7}, {0xfdf0, 0xfdf9}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
    {0xfe33, 0xfe34}, {0xfe4d, 0xfe4f}, {0xfe71, 0xfe71}, {0xfe73, 0xfe73}, {0xfe77, 0xfe77},
    {0xfe79, 0xfe79}, {0xfe7b, 0xfe7b}, {0xfe7d, 0xfe7d}, {0xfe7f, 0xfefc}, {0xff10, 0xff19},
    {0xff21, 0xff3a}, {0xff3f, 0xff3f}, {0xff41, 0xff5a}, {0xff66, 0xffbe}, {0xffc2, 0xffc7},
    {0xffca, 0xffcf}, {0xffd2, 0xffd7}, {0xffda, 0xffdc}, {0x10000, 0x1000b}, {0x1000d, 0x10026},
    {0x10028, 0x1003a}, {0x1003c, 0x1003d}, {0x1003f, 0x1004d}, {0x10050, 0x1005d},
    {0x10080, 0x100fa}, {0x10140, 0x10174}, {0x101fd, 0x101fd}, {0x10280, 0x1029c},
    {0x102a0, 0x102d0}, {0x102e0, 0x102e0}, {0x10300, 0x1031f}, {0x1032d, 0x1034a},
    {0x10350, 0x1037a}, {0x10380, 0x1039d}, {0x103a0, 0x103c3}, {0x103c8, 0x103cf},
    {0x103d1, 0x103d5}, {0x10400, 0x1049d}, {0x104a0, 0x104a9}, {0x104b0, 0x104d3},
    {0x104d8, 0x104fb}, {0x10500, 0x10527}, {0x10530, 0x10563}, {0x10570, 0x1057a},
    {0x1057c, 0x1058a}, {0x1058c, 0x10592}, {0x10594, 0x10595}, {0x10597, 0x105a1},
    {0x105a3, 0x105b1}, {0x105b3, 0x105b9}, {0x105bb, 0x105bc}, {0x10600, 0x10736},
    {0x10740, 0x10755}, {0x10760, 0x10767}, {0x10780, 0x10785}, {0x10787, 0x107b0},
    {0x107b2, 0x107ba}, {0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080a, 0x10835},
    {0x10837, 0x10838}, {0x1083c, 0x1083c}, {0x1083f, 0x10855}, {0x10860, 0x10876},
    {0x10880, 0x1089e}, {0x108e0, 0x108f2}, {0x108f4, 0x108f5}, {0x10900, 0x10915},
    {0x10920, 0x10939}, {0x10980, 0x109b7}, {0x109be, 0x109bf}, {0x10a00, 0x10a03},
    {0x10a05, 0x10a06}, {0x10a0c, 0x10a13}, {0x10a15, 0x10a17}, {0x10a19, 0x10a35},
    {0x10a38, 0x10a3a}, {0x10a3f, 0x10a3f}, {0x10a60, 0x10a7c}, {0x10a80, 0x10a9c},
    {0x10ac0, 0x10ac7}, {0x10ac9, 0x10ae6}, {0x10b00, 0x10b35}, {0x10b40, 0x10b55},
    {0x10b60, 0x10b72}, {0x10b80, 0x10b91}, {0x10c00, 0x10c48}, {0x10c80, 0x10cb2},
    {0x10cc0, 0x10cf2}, {0x10d00, 0x10d27}, {0x10d30, 0x10d39}, {0x10e80, 0x10ea9},
    {0x10eab, 0x10eac}, {0x10eb0, 0x10eb1}, {0x10f00, 0x10f1c}, {0x10f27, 0x10f27},
    {0x10f30, 0x10f50}, {0x10f70, 0x10f85}, {0x10fb0, 0x10fc4}, {0x10fe0, 0x10ff6},
    {0x11000, 0x11046}, {0x11066, 0x11075}, {0x1107f, 0x110ba}, {0x110c2, 0x110c2},
    {0x110d0, 0x110e8}, {0x110f0, 0x110f9}, {0x11100, 0x11134}, {0x11136, 0x1113f},
    {0x11144, 0x11147}, {0x11150, 0x11173}, {0x11176, 0x11176}, {0x11180, 0x111c4},
    {0x111c9, 0x111cc}, {0x111ce, 0x111da}, {0x111dc, 0x111dc}, {0x11200, 0x11211},
    {0x11213, 0x11237}, {0x1123e, 0x1123e}, {0x11280, 0x11286}, {0x11288, 0x11288},
    {0x1128a, 0x1128d}, {0x1128f, 0x1129d}, {0x1129f, 0x112a8}, {0x112b0, 0x112ea},
    {0x112f0, 0x112f9}, {0x11300, 0x11303}, {0x11305, 0x1130c}, {0x1130f, 0x11310},
    {0x11313, 0x11328}, {0x1132a, 0x11330}, {0x11332, 0x11333}, {0x11335, 0x11339},
    {0x1133b, 0x11344}, {0x11347, 0x11348}, {0x1134b, 0x1134d}, {0x11350, 0x11350},
    {0x11357, 0x11357}, {0x1135d, 0x11363}, {0x11366, 0x1136c}, {0x11370, 0x11374},
    {0x11400, 0x1144a}, {0x11450, 0x11459}, {0x1145e, 0x11461}, {0x11480, 0x114c5},
    {0x114c7, 0x114c7}, {0x114d0, 0x114d9}, {0x11580, 0x115b5}, {0x115b8, 0x115c0},
    {0x115d8, 0x115dd}, {0x11600, 0x11640}, {0x11644, 0x11644}, {0x11650, 0x11659},
    {0x11680, 0x116b8}, {0x116c0, 0x116c9}, {0x11700, 0x1171a}, {0x1171d, 0x1172b},
    {0x11730, 0x11739}, {0x11740, 0x11746}, {0x11800, 0x1183a}, {0x118a0, 0x118e9},
    {0x118ff, 0x11906}, {0x11909, 0x11909}, {0x1190c, 0x11913}, {0x11915, 0x11916},
    {0x11918, 0x11935}, {0x11937, 0x11938}, {0x1193b, 0x11943}, {0x11950, 0x11959},
    {0x119a0, 0x119a7}, {0x119aa, 0x119d7}, {0x119da, 0x119e1}, {0x119e3, 0x119e4},
    {0x11a00, 0x11a3e}, {0x11a47, 0x11a47}, {0x11a50, 0x11a99}, {0x11a9d, 0x11a9d},
    {0x11ab0, 0x11af8}, {0x11c00, 0x11c08}, {0x11c0a, 0x11c36}, {0x11c38, 0x11c40},
    {0x11c50, 0x11c59}, {0x11c72, 0x11c8f}, {0x11c92, 0x11ca7}, {0x11ca9, 0x11cb6},
    {0x11d00, 0x11d06}, {0x11d08, 0x11d09}, {0x11d0b, 0x11d36}, {0x11d3a, 0x11d3a},
    {0x11d3c, 0x11d3d}, {0x11d3f, 0x11d47}, {0x11d50, 0x11d59}, {0x11d60, 0x11d65},
    {0x11d67, 0x11d68}, {0x11d6a, 0x11d8e}, {0x11d90, 0x11d91}, {0x11d93, 0x11d98},
    {0x11da0, 0x11da9}, {0x11ee0, 0x11ef6}, {0x11fb0, 0x11fb0}, {0x12000, 0x12399},
    {0x12400, 0x1246e}, {0x12480, 0x12543}, {0x12f90, 0x12ff0}, {0x13000, 0x1342e},
    {0x14400, 0x14646}, {0x16800, 0x16a38}, {0x16a40, 0x16a5e}, {0x16a60, 0x16a69},
    {0x16a70, 0x16abe}, {0x16ac0, 0x16ac9}, {0x16ad0, 0x16aed}, {0x16af0, 0x16af4},
    {0x16b00, 0x16b36}, {0x16b40, 0x16b43}, {0x16b50, 0x16b59}, {0x16b63, 0x16b77},
    {0x16b7d, 0x16b8f}, {0x16e40, 0x16e7f}, {0x16f00, 0x16f4a}, {0x16f4f, 0x16f87},
    {0x16f8f, 0x16f9f}, {0x16fe0, 0x16fe1}, {0x16fe3, 0x16fe4}, {0x16ff0, 0x16ff1},
    {0x17000, 0x187f7}, {0x18800, 0x18cd5}, {0x18d00, 0x18d08}, {0x1aff0, 0x1aff3},
    {0x1aff5, 0x1affb}, {0x1affd, 0x1affe}, {0x1b000, 0x1b122}, {0x1b150, 0x1b152},
    {0x1b164, 0x1b167}, {0x1b170, 0x1b2fb}, {0x1bc00, 0x1bc6a}, {0x1bc70, 0x1bc7c},
    {0x1bc80, 0x1bc88}, {0x1bc90, 0x1bc99}, {0x1bc9d, 0x1bc9e}, {0x1cf00, 0x1cf2d},
    {0x1cf30, 0x1cf46}, {0x1d165, 0x1d169}, {0x1d16d, 0x1d172}, {0x1d17b, 0x1d182},
    {0x1d185, 0x1d18b}, {0x1d1aa, 0x1d1ad}, {0x1d242, 0x1d244}, {0x1d400, 0x1d454},
    {0x1d456, 0x1d49c}, {0x1d49e, 0x1d49f}, {0x1d4a2, 0x1d4a2}, {0x1d4a5, 0x1d4a6},
    {0x1d4a9, 0x1d4ac}, {0x1d4ae, 0x1d4b9}, {0x1d4bb, 0x1d4bb}, {0x1d4bd, 0x1d4c3},
    {0x1d4c5, 0x1d505}, {0x1d507, 0x1d50a}, {0x1d50d, 0x1d514}, {0x1d516, 0x1d51c},
    {0x1d51e, 0x1d539}, {0x1d53b, 0x1d53e}, {0x1d540, 0x1d544}, {0x1d546, 0x1d546},
    {0x1d54a, 0x1d550}, {0x1d552, 0x1d6a5}, {0x1d6a8, 0x1d6c0}, {0x1d6c2, 0x1d6da},
    {0x1d6dc, 0x1d6fa}, {0x1d6fc, 0x1d714}, {0x1d716, 0x1d734}, {0x1d736, 0x1d74e},
    {0x1d750, 0x1d76e}, {0x1d770, 0x1d788}, {0x1d78a, 0x1d7a8}, {0x1d7aa, 0x1d7c2},
    {0x1d7c4, 0x1d7cb}, {0x1d7ce, 0x1d7ff}, {0x1da00, 0x1da36}, {0x1da3b, 0x1da6c},
    {0x1da75, 0x1da75}, {0x1da84, 0x1da84}, {0x1da9b, 0x1da9f}, {0x1daa1, 0x1daaf},
    {0x1df00, 0x1df1e}, {0x1e000, 0x1e006}, {0x1e008, 0x1e018}, {0x1e01b, 0x1e021},
    {0x1e023, 0x1e024}, {0x1e026, 0x1e02a}, {0x1e100, 0x1e12c}, {0x1e130, 0x1e13d},
    {0x1e140, 0x1e149}, {0x1e14e, 0x1e14e}, {0x1e290, 0x1e2ae}, {0x1e2c0, 0x1e2f9},
    {0x1e7e0, 0x1e7e6}, {0x1e7e8, 0x1e7eb}, {0x1e7ed, 0x1e7ee}, {0x1e7f0, 0x1e7fe},
    {0x1e800, 0x1e8c4}, {0x1e8d0, 0x1e8d6}, {0x1e900, 0x1e94b}, {0x1e950, 0x1e959},
    {0x1ee00, 0x1ee03}, {0x1ee05, 0x1ee1f}, {0x1ee21, 0x1ee22}, {0x1ee24, 0x1ee24},
    {0x1ee27, 0x1ee27}, {0x1ee29, 0x1ee32}, {0x1ee34, 0x1ee37}, {0x1ee39, 0x1ee39},
    {0x1ee3b, 0x1ee3b}, {0x1ee42, 0x1ee42}, {0x1ee47, 0x1ee47}, {0x1ee49, 0x1ee49},
    {0x1ee4b, 0x1ee4b}, {0x1ee4d, 0x1ee4f}, {0x1ee51, 0x1ee52}, {0x1ee54, 0x1ee54},
    {0x1ee57, 0x1ee57}, {0x1ee59, 0x1ee59}, {0x1ee5b, 0x1ee5b}, {0x1ee5d, 0x1ee5d},
    {0x1ee5f, 0x1ee5f}, {0x1ee61, 0x1ee62}, {0x1ee64, 0x1ee64}, {0x1ee67, 0x1ee6a},
    {0x1ee6c, 0x1ee72}, {0x1ee74, 0x1ee77}, {0x1ee79, 0x1ee7c}, {0x1ee7e, 0x1ee7e},
    {0x1ee80, 0x1ee89}, {0x1ee8b, 0x1ee9b}, {0x1eea1, 0x1eea3}, {0x1eea5, 0x1eea9},
    {0x1eeab, 0x1eebb}, {0x1fbf0, 0x1fbf9}, {0x20000, 0x2a6df}, {0x2a700, 0x2b738},
    {0x2b740, 0x2b81d}, {0x2b820, 0x2cea1}, {0x2ceb0, 0x2ebe0}, {0x2f800, 0x2fa1d},
    {0x30000, 0x3134a}, {0xe0100, 0xe01ef},
};
