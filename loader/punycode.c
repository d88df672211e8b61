/*
 * loader/punycode.c - Punycode (RFC 3492) and hook symbol names.
 *
 * Purpose
 * -------
 * CPython looks up the init hook of a module whose short name is not ASCII
 * as `PyInitU_<punycode>` (and, from 3.15, the export hook as
 * `PyModExportU_<punycode>`), where <punycode> is what `str.encode
 * ('punycode')` returns with every '-' turned into '_' (SEMANTICS.md 2.3).
 * This file reproduces that codec byte for byte, its inverse, and the
 * symbol construction, without a Python runtime, a heap or global state.
 *
 * The algorithm in brief
 * ----------------------
 * Punycode writes a string of arbitrary code points using only ASCII:
 *
 *  1. Every ASCII ("basic") code point is copied to the output in its
 *     original order.  If there was at least one, a '-' follows.  Since '-'
 *     never occurs after this point, a decoder finds the end of the copied
 *     part by looking for the last '-'.
 *
 *  2. The remaining code points are described as insertions into that
 *     ASCII string, in increasing order of code point (ties left to
 *     right).  Picture a decoder with a counter n (the code point it would
 *     insert next, starting at 128) and a position i in its current
 *     string.  Each step either inserts n at i or advances the state:
 *     i moves right by one, and past the end it wraps to 0 and n goes up
 *     by one.  Every insertion is sent as a "delta": the number of steps
 *     to skip before it.  Because the code points are visited in order,
 *     deltas are small for text from a single script.
 *
 *  3. Each delta is written as a little-endian variable-length number in
 *     base 36 (digits a-z = 0..25, 0-9 = 26..35).  The j-th digit has a
 *     threshold t in [1, 26]; a digit below its threshold is the last one
 *     of the number, which makes the numbers self-delimiting without a
 *     separator.  The weight of a digit is the product of (36 - t) over
 *     the digits before it.
 *
 *  4. The thresholds come from a "bias" that is recomputed after every
 *     delta from the size of that delta (the adapt step), so the encoding
 *     tunes itself to the expected size of the next delta.  The first
 *     delta is scaled down much harder (damp = 700) than later ones (2),
 *     because it usually carries the large jump from 128 to the script's
 *     block.
 *
 * Punycode parameters: base 36, tmin 1, tmax 26, skew 38, damp 700,
 * initial bias 72, initial n 128, delimiter '-'.
 *
 * Invariants
 * ----------
 *  - No heap, no globals, no locale: every function is reentrant.
 *  - No function writes outside [buf, buf + cap).
 *  - Arithmetic is done in 64 bits and every addition or multiplication
 *    that could exceed that is checked beforehand, using the tests of RFC
 *    3492 section 6.4 (`A + B*C` overflows iff `B > (max - A) / C`).
 *    Python's codec uses unbounded integers; 64 bits is enough for any
 *    input that fits in memory, so the encoder never reports an overflow
 *    that Python would not.
 *
 * Map of this file
 * ----------------
 *   Constants and small helpers     digits, thresholds, adapt
 *   UTF-8                           strict reader, length, writer
 *   Encoder                         output sink, core, imp_punycode_encode
 *   Decoder                         core (measure / build), the public call
 *   Hook symbols                    imp_hook_symbol
 */

/* This file is part of the runtime; CMake defines this for the whole
 * loader target, the guard keeps a standalone compile working too. */
#ifndef PYMODRT_BUILD_CORE
#define PYMODRT_BUILD_CORE 1
#endif
#include "punycode.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ===================================================================== */
/* Constants and small helpers                                           */
/* ===================================================================== */

typedef uint64_t puny_uint;
#define PUNY_UINT_MAX UINT64_MAX

_Static_assert(SIZE_MAX <= PUNY_UINT_MAX,
               "lengths must be representable as puny_uint");

enum {
    PUNY_BASE = 36,
    PUNY_TMIN = 1,
    PUNY_TMAX = 26,
    PUNY_SKEW = 38,
    PUNY_DAMP = 700,
    PUNY_INITIAL_BIAS = 72,
    PUNY_INITIAL_N = 0x80,
    PUNY_DELIMITER = '-'
};

#define UNI_MAX 0x10FFFFu
#define UNI_SURROGATE_FIRST 0xD800u
#define UNI_SURROGATE_LAST 0xDFFFu

/* The character for digit d (0..35): a-z then 0-9, lowercase as Python
 * writes them. */
static char
puny_digit_char(puny_uint d)
{
    assert(d < PUNY_BASE);
    return d < 26 ? (char)('a' + d) : (char)('0' + (d - 26));
}

/* Digit value of an input byte, either case; -1 if it is not a digit. */
static int
puny_digit_value(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '0' && c <= '9')
        return c - '0' + 26;
    return -1;
}

/*
 * Threshold t(j) of digit j (0 = least significant), passed as
 * k = base * (j + 1): `k - bias` clamped to [tmin, tmax].
 */
static puny_uint
puny_threshold(puny_uint k, puny_uint bias)
{
    if (k <= bias)
        return PUNY_TMIN;
    if (k >= bias + PUNY_TMAX)
        return PUNY_TMAX;
    return k - bias;
}

/*
 * New bias after a delta.  `numpoints` is the length of the string once the
 * code point this delta describes has been inserted; `first` is true for
 * the first delta of the string.  Cannot overflow: after the first
 * division `delta` is at most max/2, and `delta / numpoints` adds at most
 * as much again.
 */
static puny_uint
puny_adapt(puny_uint delta, puny_uint numpoints, bool first)
{
    puny_uint k = 0;

    delta /= first ? PUNY_DAMP : 2;
    delta += delta / numpoints;
    while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
        delta /= PUNY_BASE - PUNY_TMIN;
        k += PUNY_BASE;
    }
    return k + ((PUNY_BASE - PUNY_TMIN + 1) * delta) / (delta + PUNY_SKEW);
}

/* ===================================================================== */
/* UTF-8                                                                 */
/* ===================================================================== */

/*
 * Read one code point from s[*pos .. len).  Strict: rejects continuation
 * bytes without a lead byte, sequences cut short by the end of the input
 * or by a non-continuation byte, overlong forms, surrogates and values
 * above U+10FFFF.  On success advances *pos.
 */
static int
utf8_next(const unsigned char *s, size_t len, size_t *pos, uint32_t *cp)
{
    size_t p = *pos;
    unsigned char lead = s[p];
    uint32_t c, min;
    size_t more;

    if (lead < 0x80) {
        *cp = lead;
        *pos = p + 1;
        return 0;
    }
    if (lead < 0xC0)
        return IMP_PUNY_EBADUTF8; /* continuation byte with no lead */
    if (lead < 0xE0) {
        more = 1;
        c = lead & 0x1Fu;
        min = 0x80;
    } else if (lead < 0xF0) {
        more = 2;
        c = lead & 0x0Fu;
        min = 0x800;
    } else if (lead < 0xF8) {
        more = 3;
        c = lead & 0x07u;
        min = 0x10000;
    } else {
        return IMP_PUNY_EBADUTF8; /* no such lead byte */
    }
    if (len - p - 1 < more)
        return IMP_PUNY_EBADUTF8; /* truncated at end of input */
    for (size_t j = 1; j <= more; j++) {
        unsigned char b = s[p + j];
        if ((b & 0xC0u) != 0x80u)
            return IMP_PUNY_EBADUTF8; /* truncated by another lead */
        c = (c << 6) | (b & 0x3Fu);
    }
    if (c < min)
        return IMP_PUNY_EBADUTF8; /* overlong */
    if (c > UNI_MAX)
        return IMP_PUNY_EBADUTF8;
    if (c >= UNI_SURROGATE_FIRST && c <= UNI_SURROGATE_LAST)
        return IMP_PUNY_EBADUTF8;
    *cp = c;
    *pos = p + 1 + more;
    return 0;
}

/* Bytes needed to write scalar value c (already checked) in UTF-8. */
static size_t
utf8_size(uint32_t c)
{
    if (c < 0x80)
        return 1;
    if (c < 0x800)
        return 2;
    if (c < 0x10000)
        return 3;
    return 4;
}

/* Write c at dst; dst must have utf8_size(c) bytes. */
static void
utf8_put(unsigned char *dst, uint32_t c)
{
    switch (utf8_size(c)) {
    case 1:
        dst[0] = (unsigned char)c;
        break;
    case 2:
        dst[0] = (unsigned char)(0xC0u | (c >> 6));
        dst[1] = (unsigned char)(0x80u | (c & 0x3Fu));
        break;
    case 3:
        dst[0] = (unsigned char)(0xE0u | (c >> 12));
        dst[1] = (unsigned char)(0x80u | ((c >> 6) & 0x3Fu));
        dst[2] = (unsigned char)(0x80u | (c & 0x3Fu));
        break;
    default:
        dst[0] = (unsigned char)(0xF0u | (c >> 18));
        dst[1] = (unsigned char)(0x80u | ((c >> 12) & 0x3Fu));
        dst[2] = (unsigned char)(0x80u | ((c >> 6) & 0x3Fu));
        dst[3] = (unsigned char)(0x80u | (c & 0x3Fu));
        break;
    }
}

/* Byte offset of code point number idx in the valid UTF-8 s[0 .. n). */
static size_t
utf8_offset(const unsigned char *s, size_t n, size_t idx)
{
    size_t off = 0;

    while (idx > 0 && off < n) {
        off++;
        while (off < n && (s[off] & 0xC0u) == 0x80u)
            off++;
        idx--;
    }
    return off;
}

/* Check that s[0 .. len) is valid UTF-8, counting code points. */
static int
utf8_validate(const unsigned char *s, size_t len, size_t *ncp, size_t *nbasic)
{
    size_t pos = 0, total = 0, basic = 0;
    uint32_t c;

    while (pos < len) {
        int rc = utf8_next(s, len, &pos, &c);
        if (rc < 0)
            return rc;
        total++;
        if (c < PUNY_INITIAL_N)
            basic++;
    }
    if (ncp != NULL)
        *ncp = total;
    if (nbasic != NULL)
        *nbasic = basic;
    return 0;
}

/* ===================================================================== */
/* Encoder                                                               */
/* ===================================================================== */

/*
 * Where the encoder writes.  It counts every character it is given but
 * stores only those that leave room for the terminating NUL, so the caller
 * learns the full length even when the buffer is too small, and the stored
 * part is always a prefix of the full result.
 */
struct puny_sink {
    char *buf;
    size_t cap;
    size_t len; /* characters produced so far, stored or not */
};

static int
puny_sink_put(struct puny_sink *o, char ch)
{
    if (o->len >= SIZE_MAX - 1)
        return IMP_PUNY_EOVERFLOW; /* no room to count the NUL */
    if (o->len + 1 < o->cap)
        o->buf[o->len] = ch;
    o->len++;
    return 0;
}

/* Write q as a variable-length number under the current bias. */
static int
puny_put_number(struct puny_sink *o, puny_uint q, puny_uint bias)
{
    int rc;

    for (puny_uint k = PUNY_BASE;; k += PUNY_BASE) {
        puny_uint t = puny_threshold(k, bias);
        if (q < t)
            break;
        rc = puny_sink_put(o, puny_digit_char(t + (q - t) % (PUNY_BASE - t)));
        if (rc < 0)
            return rc;
        q = (q - t) / (PUNY_BASE - t);
    }
    return puny_sink_put(o, puny_digit_char(q));
}

/*
 * Encode the UTF-8 in[0 .. len) into o.  The input is scanned once to
 * validate it, once to copy the basic code points, and then twice per
 * distinct non-basic code point (find the next one, then emit its
 * deltas); this trades time for needing no memory beyond the stack.
 */
static int
puny_encode_core(const unsigned char *in, size_t len, struct puny_sink *o)
{
    size_t total, basic, pos;
    puny_uint n = PUNY_INITIAL_N, delta = 0, bias = PUNY_INITIAL_BIAS, h;
    uint32_t c;
    int rc;

    rc = utf8_validate(in, len, &total, &basic);
    if (rc < 0)
        return rc;

    /* In valid UTF-8 the bytes below 0x80 are exactly the basic code
     * points. */
    for (pos = 0; pos < len; pos++) {
        if (in[pos] < 0x80) {
            rc = puny_sink_put(o, (char)in[pos]);
            if (rc < 0)
                return rc;
        }
    }
    if (basic > 0) {
        rc = puny_sink_put(o, PUNY_DELIMITER);
        if (rc < 0)
            return rc;
    }

    h = basic; /* code points the decoder will have after each insertion */
    while (h < total) {
        /* m: the smallest code point not yet handled.  One exists since
         * h < total, and it is >= n >= 0x80. */
        puny_uint m = PUNY_UINT_MAX;
        for (pos = 0; pos < len;) {
            (void)utf8_next(in, len, &pos, &c);
            if (c >= n && c < m)
                m = c;
        }
        assert(m != PUNY_UINT_MAX);

        /* Skip (m - n) full rounds of h + 1 positions each. */
        if (m - n > (PUNY_UINT_MAX - delta) / (h + 1))
            return IMP_PUNY_EOVERFLOW;
        delta += (m - n) * (h + 1);
        n = m;

        for (pos = 0; pos < len;) {
            (void)utf8_next(in, len, &pos, &c);
            if (c < n) {
                /* Already in the decoder's string: one more position. */
                if (delta == PUNY_UINT_MAX)
                    return IMP_PUNY_EOVERFLOW;
                delta++;
            } else if (c == n) {
                rc = puny_put_number(o, delta, bias);
                if (rc < 0)
                    return rc;
                bias = puny_adapt(delta, h + 1, h == basic);
                delta = 0;
                h++;
            }
        }
        /* The wrap-around from the end of the string to n + 1. */
        if (delta == PUNY_UINT_MAX)
            return IMP_PUNY_EOVERFLOW;
        delta++;
        n++;
    }
    return 0;
}

int
imp_punycode_encode(const char *utf8, size_t len, char *out, size_t cap,
                    size_t *outlen)
{
    struct puny_sink sink = {out, cap, 0};
    int rc;

    if (out == NULL && cap > 0)
        return IMP_PUNY_EBADINPUT;
    if (utf8 == NULL && len > 0) {
        if (cap > 0)
            out[0] = '\0';
        return IMP_PUNY_EBADINPUT;
    }

    rc = puny_encode_core((const unsigned char *)utf8, len, &sink);
    if (rc < 0) {
        if (cap > 0)
            out[0] = '\0';
        return rc;
    }
    if (outlen != NULL)
        *outlen = sink.len;
    if (sink.len >= cap) {
        /* The sink stored the first cap - 1 characters. */
        if (cap > 0)
            out[cap - 1] = '\0';
        return IMP_PUNY_ENOSPC;
    }
    out[sink.len] = '\0';
    return 0;
}

/* ===================================================================== */
/* Decoder                                                               */
/* ===================================================================== */

/*
 * Decode in[0 .. len).  With out == NULL only validates and stores in
 * *nbytes the UTF-8 length of the result; with out != NULL also builds the
 * result there, and out must have room for *nbytes bytes as measured by a
 * previous call.  The output length and every inserted value are
 * independent of where insertions land, which is what makes the measuring
 * pass possible without building anything.
 */
static int
puny_decode_core(const unsigned char *in, size_t len, unsigned char *out,
                 size_t *nbytes)
{
    size_t pos = 0, bytes = 0, count = 0, delim = len;
    puny_uint n = PUNY_INITIAL_N, i = 0, bias = PUNY_INITIAL_BIAS;

    for (size_t j = len; j > 0; j--) {
        if (in[j - 1] == PUNY_DELIMITER) {
            delim = j - 1;
            break;
        }
    }
    /* RFC 3492 6.2: the last delimiter is consumed only if something came
     * before it.  A leading lone '-' is left in place and then fails as a
     * non-digit (Python's codec would skip it instead). */
    if (delim < len && delim > 0) {
        for (pos = 0; pos < delim; pos++) {
            if (in[pos] >= 0x80)
                return IMP_PUNY_EBADINPUT;
            if (out != NULL)
                out[pos] = in[pos];
        }
        count = bytes = delim;
        pos = delim + 1;
    }

    while (pos < len) {
        puny_uint oldi = i, w = 1, q;
        uint32_t c;
        size_t size;

        for (puny_uint k = PUNY_BASE;; k += PUNY_BASE) {
            puny_uint t;
            int d;

            if (pos >= len)
                return IMP_PUNY_EBADINPUT; /* input ends inside a number */
            d = puny_digit_value(in[pos++]);
            if (d < 0)
                return IMP_PUNY_EBADINPUT;
            if ((puny_uint)d > (PUNY_UINT_MAX - i) / w)
                return IMP_PUNY_EOVERFLOW;
            i += (puny_uint)d * w;
            t = puny_threshold(k, bias);
            if ((puny_uint)d < t)
                break;
            if (w > PUNY_UINT_MAX / (PUNY_BASE - t))
                return IMP_PUNY_EOVERFLOW;
            w *= PUNY_BASE - t;
        }

        /* count + 1 cannot wrap: count <= len, and len < SIZE_MAX since
         * len bytes exist in memory. */
        bias = puny_adapt(i - oldi, (puny_uint)count + 1, oldi == 0);
        q = i / ((puny_uint)count + 1);
        if (q > PUNY_UINT_MAX - n)
            return IMP_PUNY_EOVERFLOW;
        n += q;
        i %= (puny_uint)count + 1;
        /* n >= 0x80 always, so it is never a basic code point; it must be
         * a Unicode scalar value to be written as UTF-8. */
        if (n > UNI_MAX || (n >= UNI_SURROGATE_FIRST && n <= UNI_SURROGATE_LAST))
            return IMP_PUNY_EBADINPUT;
        c = (uint32_t)n;
        size = utf8_size(c);
        if (bytes > SIZE_MAX - 1 - size)
            return IMP_PUNY_EOVERFLOW;
        if (out != NULL) {
            size_t off = utf8_offset(out, bytes, (size_t)i);
            memmove(out + off + size, out + off, bytes - off);
            utf8_put(out + off, c);
        }
        bytes += size;
        count++;
        i++;
    }
    *nbytes = bytes;
    return 0;
}

int
imp_punycode_decode(const char *in, size_t len, char *out_utf8, size_t cap,
                    size_t *outlen)
{
    size_t need = 0;
    int rc;

    if (out_utf8 == NULL && cap > 0)
        return IMP_PUNY_EBADINPUT;
    if (in == NULL && len > 0) {
        if (cap > 0)
            out_utf8[0] = '\0';
        return IMP_PUNY_EBADINPUT;
    }

    rc = puny_decode_core((const unsigned char *)in, len, NULL, &need);
    if (rc < 0) {
        if (cap > 0)
            out_utf8[0] = '\0';
        return rc;
    }
    if (outlen != NULL)
        *outlen = need;
    if (need >= cap) {
        if (cap > 0)
            out_utf8[0] = '\0';
        return IMP_PUNY_ENOSPC;
    }
    rc = puny_decode_core((const unsigned char *)in, len,
                          (unsigned char *)out_utf8, &need);
    assert(rc == 0);
    (void)rc;
    out_utf8[need] = '\0';
    return 0;
}

/* ===================================================================== */
/* Hook symbols                                                          */
/* ===================================================================== */

/* Lengths CPython's Unix loader keeps: "%.20s_%.200s" into char[258]. */
#define HOOK_PREFIX_MAX 20
#define HOOK_NAME_MAX 200

int
imp_hook_symbol(const char *prefix_ascii, const char *prefix_unicode,
                const char *fullname, char *buf, size_t cap)
{
    char name[HOOK_NAME_MAX + 1];
    const char *shortname, *prefix, *dot;
    size_t fulllen, shortlen, namelen, prefixlen;
    bool ascii = true;
    int rc;

    if (buf == NULL)
        return IMP_PUNY_EBADINPUT;
    if (cap > 0)
        buf[0] = '\0';
    if (prefix_ascii == NULL || prefix_unicode == NULL || fullname == NULL)
        return IMP_PUNY_EBADINPUT;
    if (cap < IMP_HOOK_SYMBOL_MAX)
        return IMP_PUNY_ENOSPC;

    fulllen = strlen(fullname);
    rc = utf8_validate((const unsigned char *)fullname, fulllen, NULL, NULL);
    if (rc < 0)
        return rc;

    /* '.' never occurs inside a multi-byte UTF-8 sequence, so a byte
     * search finds the last dot of the name. */
    dot = strrchr(fullname, '.');
    shortname = dot != NULL ? dot + 1 : fullname;
    shortlen = fulllen - (size_t)(shortname - fullname);
    if (shortlen == 0)
        return IMP_PUNY_EBADINPUT;

    for (size_t j = 0; j < shortlen; j++) {
        if ((unsigned char)shortname[j] >= 0x80) {
            ascii = false;
            break;
        }
    }

    if (ascii) {
        namelen = shortlen < HOOK_NAME_MAX ? shortlen : HOOK_NAME_MAX;
        memcpy(name, shortname, namelen);
    } else {
        /* Only the first 200 characters are kept, and the encoder always
         * stores a prefix of its result, so a too-small buffer here is
         * exactly the truncation we want. */
        size_t full = 0;
        rc = imp_punycode_encode(shortname, shortlen, name, sizeof name,
                                 &full);
        if (rc < 0 && rc != IMP_PUNY_ENOSPC)
            return rc;
        namelen = full < HOOK_NAME_MAX ? full : HOOK_NAME_MAX;
    }
    /* After encoding, on the bytes (SEMANTICS.md 2.3 step 2). */
    for (size_t j = 0; j < namelen; j++) {
        if (name[j] == '-')
            name[j] = '_';
    }

    prefix = ascii ? prefix_ascii : prefix_unicode;
    prefixlen = 0;
    while (prefixlen < HOOK_PREFIX_MAX && prefix[prefixlen] != '\0')
        prefixlen++;
    memcpy(buf, prefix, prefixlen);
    buf[prefixlen] = '_';
    memcpy(buf + prefixlen + 1, name, namelen);
    buf[prefixlen + 1 + namelen] = '\0';
    return ascii ? 0 : 1;
}
