/* ctest-labels: unit
 *
 * tests/test_punycode.c - loader/punycode.c: Punycode (RFC 3492) as
 * Python's `punycode` codec does it, and hook symbol names (SEMANTICS.md
 * 2.3, checklist items 1-2).
 *
 * Expected strings for the RFC samples are those of RFC 3492 section 7.1.
 * Python writes delta digits in lowercase while sample (I) carries an
 * uppercase annotation, so encoder output is compared with the RFC case-
 * insensitively and, exactly, with the RFC string whose delta part is
 * lowercased (what `str.encode('punycode')` returns).  Other expected
 * strings were produced with CPython 3.11's codec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef PYMODRT_BUILD_CORE
#define PYMODRT_BUILD_CORE
#endif
#include "punycode.h"

#define CANARY 0xA5

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Test-local UTF-8 writer, independent of the code under test. */
static size_t
cps_to_utf8(const uint32_t *cps, size_t n, char *out, size_t cap)
{
    size_t len = 0;

    for (size_t j = 0; j < n; j++) {
        uint32_t c = cps[j];
        unsigned char b[4];
        size_t k;

        if (c < 0x80) {
            b[0] = (unsigned char)c;
            k = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xC0 | (c >> 6));
            b[1] = (unsigned char)(0x80 | (c & 0x3F));
            k = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (c >> 12));
            b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (c & 0x3F));
            k = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (c >> 18));
            b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (c & 0x3F));
            k = 4;
        }
        assert_true(len + k < cap);
        memcpy(out + len, b, k);
        len += k;
    }
    out[len] = '\0';
    return len;
}

static char
ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void
assert_equal_nocase(const char *got, size_t gotlen, const char *want)
{
    size_t wantlen = strlen(want);

    if (gotlen != wantlen)
        fail_msg("length %zu, expected %zu (\"%s\" vs \"%s\")", gotlen,
                 wantlen, got, want);
    for (size_t j = 0; j < wantlen; j++) {
        if (ascii_lower(got[j]) != ascii_lower(want[j]))
            fail_msg("\"%s\" != \"%s\" (ignoring case) at %zu", got, want, j);
    }
}

/* Python's form of an RFC sample: the part after the last '-' (or all of
 * it if there is none) in lowercase, the basic part untouched. */
static void
python_form(const char *rfc, char *out, size_t cap)
{
    size_t len = strlen(rfc);
    const char *delim = strrchr(rfc, '-');
    size_t from = delim != NULL ? (size_t)(delim - rfc) + 1 : 0;

    assert_true(len < cap);
    for (size_t j = 0; j <= len; j++)
        out[j] = j >= from ? ascii_lower(rfc[j]) : rfc[j];
}

/* Encode, expecting success; returns the length. */
static size_t
encode_ok(const char *in, size_t len, char *out, size_t cap)
{
    size_t outlen = (size_t)-1;
    int rc = imp_punycode_encode(in, len, out, cap, &outlen);

    if (rc != 0)
        fail_msg("encode failed with %d", rc);
    assert_int_equal(out[outlen], '\0');
    return outlen;
}

static size_t
decode_ok(const char *in, char *out, size_t cap)
{
    size_t outlen = (size_t)-1;
    int rc = imp_punycode_decode(in, strlen(in), out, cap, &outlen);

    if (rc != 0)
        fail_msg("decode of \"%s\" failed with %d", in, rc);
    assert_int_equal(out[outlen], '\0');
    return outlen;
}

/* ------------------------------------------------------------------ */
/* RFC 3492 section 7.1 samples                                       */
/* ------------------------------------------------------------------ */

struct sample {
    const char *label;
    uint32_t cps[64];
    size_t ncps;
    const char *puny;
};

#define CPS(...) {__VA_ARGS__}, (sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

static const struct sample samples[] = {
    {"(A) Arabic (Egyptian)",
     CPS(0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643,
         0x0644, 0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A,
         0x061F),
     "egbpdaj6bu4bxfgehfvwxn"},
    {"(B) Chinese (simplified)",
     CPS(0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D,
         0x6587),
     "ihqwcrb4cv8a8dqg056pqjye"},
    {"(C) Chinese (traditional)",
     CPS(0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D,
         0x6587),
     "ihqwctvzc91f659drss3x8bo0yb"},
    {"(D) Czech",
     CPS(0x0050, 0x0072, 0x006F, 0x010D, 0x0070, 0x0072, 0x006F, 0x0073,
         0x0074, 0x011B, 0x006E, 0x0065, 0x006D, 0x006C, 0x0075, 0x0076,
         0x00ED, 0x010D, 0x0065, 0x0073, 0x006B, 0x0079),
     "Proprostnemluvesky-uyb24dma41a"},
    {"(E) Hebrew",
     CPS(0x05DC, 0x05DE, 0x05D4, 0x05D4, 0x05DD, 0x05E4, 0x05E9, 0x05D5,
         0x05D8, 0x05DC, 0x05D0, 0x05DE, 0x05D3, 0x05D1, 0x05E8, 0x05D9,
         0x05DD, 0x05E2, 0x05D1, 0x05E8, 0x05D9, 0x05EA),
     "4dbcagdahymbxekheh6e0a7fei0b"},
    {"(F) Hindi (Devanagari)",
     CPS(0x092F, 0x0939, 0x0932, 0x094B, 0x0917, 0x0939, 0x093F, 0x0928,
         0x094D, 0x0926, 0x0940, 0x0915, 0x094D, 0x092F, 0x094B, 0x0902,
         0x0928, 0x0939, 0x0940, 0x0902, 0x092C, 0x094B, 0x0932, 0x0938,
         0x0915, 0x0924, 0x0947, 0x0939, 0x0948, 0x0902),
     "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd"},
    {"(G) Japanese (kanji and hiragana)",
     CPS(0x306A, 0x305C, 0x307F, 0x3093, 0x306A, 0x65E5, 0x672C, 0x8A9E,
         0x3092, 0x8A71, 0x3057, 0x3066, 0x304F, 0x308C, 0x306A, 0x3044,
         0x306E, 0x304B),
     "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"},
    {"(H) Korean (Hangul syllables)",
     CPS(0xC138, 0xACC4, 0xC758, 0xBAA8, 0xB4E0, 0xC0AC, 0xB78C, 0xB4E4,
         0xC774, 0xD55C, 0xAD6D, 0xC5B4, 0xB97C, 0xC774, 0xD574, 0xD55C,
         0xB2E4, 0xBA74, 0xC5BC, 0xB9C8, 0xB098, 0xC88B, 0xC744, 0xAE4C),
     "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5j"
     "psd879ccm6fea98c"},
    {"(I) Russian (Cyrillic)",
     CPS(0x043F, 0x043E, 0x0447, 0x0435, 0x043C, 0x0443, 0x0436, 0x0435,
         0x043E, 0x043D, 0x0438, 0x043D, 0x0435, 0x0433, 0x043E, 0x0432,
         0x043E, 0x0440, 0x044F, 0x0442, 0x043F, 0x043E, 0x0440, 0x0443,
         0x0441, 0x0441, 0x043A, 0x0438),
     "b1abfaaepdrnnbgefbaDotcwatmq2g4l"},
    {"(J) Spanish",
     CPS(0x0050, 0x006F, 0x0072, 0x0071, 0x0075, 0x00E9, 0x006E, 0x006F,
         0x0070, 0x0075, 0x0065, 0x0064, 0x0065, 0x006E, 0x0073, 0x0069,
         0x006D, 0x0070, 0x006C, 0x0065, 0x006D, 0x0065, 0x006E, 0x0074,
         0x0065, 0x0068, 0x0061, 0x0062, 0x006C, 0x0061, 0x0072, 0x0065,
         0x006E, 0x0045, 0x0073, 0x0070, 0x0061, 0x00F1, 0x006F, 0x006C),
     "PorqunopuedensimplementehablarenEspaol-fmd56a"},
    {"(K) Vietnamese",
     CPS(0x0054, 0x1EA1, 0x0069, 0x0073, 0x0061, 0x006F, 0x0068, 0x1ECD,
         0x006B, 0x0068, 0x00F4, 0x006E, 0x0067, 0x0074, 0x0068, 0x1EC3,
         0x0063, 0x0068, 0x1EC9, 0x006E, 0x00F3, 0x0069, 0x0074, 0x0069,
         0x1EBF, 0x006E, 0x0067, 0x0056, 0x0069, 0x1EC7, 0x0074),
     "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"},
    {"(L) 3<nen>B<gumi><kinpachi><sensei>",
     CPS(0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F),
     "3B-ww4c5e180e575a65lsy2b"},
    {"(M) <amuro><namie>-with-SUPER-MONKEYS",
     CPS(0x5B89, 0x5BA4, 0x5948, 0x7F8E, 0x6075, 0x002D, 0x0077, 0x0069,
         0x0074, 0x0068, 0x002D, 0x0053, 0x0055, 0x0050, 0x0045, 0x0052,
         0x002D, 0x004D, 0x004F, 0x004E, 0x004B, 0x0045, 0x0059, 0x0053),
     "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
    {"(N) Hello-Another-Way-<sorezore><no><basho>",
     CPS(0x0048, 0x0065, 0x006C, 0x006C, 0x006F, 0x002D, 0x0041, 0x006E,
         0x006F, 0x0074, 0x0068, 0x0065, 0x0072, 0x002D, 0x0057, 0x0061,
         0x0079, 0x002D, 0x305D, 0x308C, 0x305E, 0x308C, 0x306E, 0x5834,
         0x6240),
     "Hello-Another-Way--fc4qua05auwb3674vfr0b"},
    {"(O) <hitotsu><yane><no><shita>2",
     CPS(0x3072, 0x3068, 0x3064, 0x5C4B, 0x6839, 0x306E, 0x4E0B, 0x0032),
     "2-u9tlzr9756bt3uc0v"},
    {"(P) Maji<de>Koi<suru>5<byou><mae>",
     CPS(0x004D, 0x0061, 0x006A, 0x0069, 0x3067, 0x004B, 0x006F, 0x0069,
         0x3059, 0x308B, 0x0035, 0x79D2, 0x524D),
     "MajiKoi5-783gue6qz075azm5e"},
    {"(Q) <pafii>de<runba>",
     CPS(0x30D1, 0x30D5, 0x30A3, 0x30FC, 0x0064, 0x0065, 0x30EB, 0x30F3,
         0x30D0),
     "de-jg4avhby1noc0d"},
    {"(R) <sono><supiido><de>",
     CPS(0x305D, 0x306E, 0x30B9, 0x30D4, 0x30FC, 0x30C9, 0x3067),
     "d9juau41awczczp"},
    {"(S) -> $1.00 <-",
     CPS(0x002D, 0x003E, 0x0020, 0x0024, 0x0031, 0x002E, 0x0030, 0x0030,
         0x0020, 0x003C, 0x002D),
     "-> $1.00 <--"},
};

#define NSAMPLES (sizeof samples / sizeof samples[0])

static void
test_rfc_samples_encode(void **state)
{
    (void)state;
    assert_int_equal(NSAMPLES, 19); /* (A) through (S) */
    for (size_t s = 0; s < NSAMPLES; s++) {
        char utf8[256], out[256], want[256];
        size_t ulen = cps_to_utf8(samples[s].cps, samples[s].ncps, utf8,
                                  sizeof utf8);
        size_t olen;

        print_message("encode %s\n", samples[s].label);
        olen = encode_ok(utf8, ulen, out, sizeof out);
        assert_equal_nocase(out, olen, samples[s].puny);
        python_form(samples[s].puny, want, sizeof want);
        assert_string_equal(out, want);
    }
}

static void
test_rfc_samples_decode(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSAMPLES; s++) {
        char utf8[256], out[256], shout[256];
        size_t ulen = cps_to_utf8(samples[s].cps, samples[s].ncps, utf8,
                                  sizeof utf8);
        size_t olen;

        print_message("decode %s\n", samples[s].label);
        /* As printed in the RFC (mixed case in (I)). */
        olen = decode_ok(samples[s].puny, out, sizeof out);
        assert_int_equal(olen, ulen);
        assert_memory_equal(out, utf8, ulen + 1);

        /* Delta digits in uppercase decode to the same string. */
        {
            const char *d = strrchr(samples[s].puny, '-');
            size_t from = d != NULL ? (size_t)(d - samples[s].puny) + 1 : 0;
            strcpy(shout, samples[s].puny);
            for (size_t j = from; shout[j] != '\0'; j++) {
                if (shout[j] >= 'a' && shout[j] <= 'z')
                    shout[j] = (char)(shout[j] - 'a' + 'A');
            }
        }
        olen = decode_ok(shout, out, sizeof out);
        assert_int_equal(olen, ulen);
        assert_memory_equal(out, utf8, ulen + 1);
    }
}

/* ------------------------------------------------------------------ */
/* Encoder edge cases                                                 */
/* ------------------------------------------------------------------ */

static void
test_ascii_only(void **state)
{
    char out[64];

    (void)state;
    /* Python: 'abc'.encode('punycode') == b'abc-' */
    assert_int_equal(encode_ok("abc", 3, out, sizeof out), 4);
    assert_string_equal(out, "abc-");
    assert_int_equal(decode_ok("abc-", out, sizeof out), 3);
    assert_string_equal(out, "abc");

    encode_ok("my-mod", 6, out, sizeof out);
    assert_string_equal(out, "my-mod-");
    decode_ok("my-mod-", out, sizeof out);
    assert_string_equal(out, "my-mod");

    /* U+0000 and U+007F are basic code points too. */
    assert_int_equal(encode_ok("\0\x7f", 2, out, sizeof out), 3);
    assert_memory_equal(out, "\0\x7f-", 4);
}

static void
test_empty(void **state)
{
    char out[8];
    size_t outlen = 99;

    (void)state;
    memset(out, 'x', sizeof out);
    assert_int_equal(imp_punycode_encode("", 0, out, sizeof out, &outlen), 0);
    assert_int_equal(outlen, 0);
    assert_int_equal(out[0], '\0');

    outlen = 99;
    assert_int_equal(imp_punycode_encode(NULL, 0, out, sizeof out, &outlen), 0);
    assert_int_equal(outlen, 0);

    outlen = 99;
    memset(out, 'x', sizeof out);
    assert_int_equal(imp_punycode_decode("", 0, out, sizeof out, &outlen), 0);
    assert_int_equal(outlen, 0);
    assert_int_equal(out[0], '\0');

    /* Even the empty result needs a byte for its NUL. */
    outlen = 99;
    assert_int_equal(imp_punycode_encode("", 0, NULL, 0, &outlen),
                     IMP_PUNY_ENOSPC);
    assert_int_equal(outlen, 0);
}

static void
test_no_basic_code_points(void **state)
{
    char out[64];

    (void)state;
    /* "ü": no basic code points, so no delimiter. */
    assert_int_equal(encode_ok("\xc3\xbc", 2, out, sizeof out), 3);
    assert_string_equal(out, "tda");
    assert_null(strchr(out, '-'));
    assert_int_equal(decode_ok("tda", out, sizeof out), 2);
    assert_string_equal(out, "\xc3\xbc");

    /* Sample (B) has none either. */
    {
        char utf8[64];
        size_t ulen = cps_to_utf8(samples[1].cps, samples[1].ncps, utf8,
                                  sizeof utf8);
        encode_ok(utf8, ulen, out, sizeof out);
        assert_null(strchr(out, '-'));
    }
}

/* Strings whose Python encodings were checked by hand (CPython 3.11). */
static void
test_python_vectors(void **state)
{
    static const struct {
        const char *utf8;
        size_t len;
        const char *puny;
        size_t plen;
    } v[] = {
        {"b\xc3\xbc" "cher", 7, "bcher-kva", 9},
        {"a-\xc3\xbc", 4, "a--yka", 6},
        {"-\xc3\xbc", 3, "--eha", 5},
        {"\xc3\xbc-", 3, "--dha", 5},
        {"\0\xc3\xbc", 3, "\0-eha", 5},
        {"\xf4\x8f\xbf\xbf", 4, "dn32g", 5},          /* U+10FFFF */
        {"\xf0\x9f\x98\x80", 4, "e28h", 4},           /* U+1F600 */
        {"a\xf0\x9f\x98\x80" "b", 6, "ab-no82a", 8},
        {"\xee\x80\x80", 3, "0y0c", 4},               /* U+E000 */
        {"x\xf4\x8f\xbf\xbfy\x7f", 7, "xy\x7f-nr157a", 10},
    };

    (void)state;
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
        char out[64];
        size_t n;

        n = encode_ok(v[j].utf8, v[j].len, out, sizeof out);
        assert_int_equal(n, v[j].plen);
        assert_memory_equal(out, v[j].puny, v[j].plen + 1);

        n = 99;
        assert_int_equal(imp_punycode_decode(v[j].puny, v[j].plen, out,
                                             sizeof out, &n), 0);
        assert_int_equal(n, v[j].len);
        assert_memory_equal(out, v[j].utf8, v[j].len);
        assert_int_equal(out[n], '\0');
    }
}

static void
test_invalid_utf8(void **state)
{
    static const struct {
        const char *what;
        const char *s;
        size_t len;
    } bad[] = {
        {"lone continuation", "\x80", 1},
        {"continuation after ASCII", "a\xbf" "b", 3},
        {"truncated 2-byte at end", "ab\xc3", 3},
        {"truncated 3-byte at end", "\xe2\x82", 2},
        {"truncated 4-byte at end", "\xf0\x9f\x98", 3},
        {"truncated by ASCII", "\xc3" "A", 2},
        {"truncated by lead byte", "\xe2\x82\xc3\xbc", 4},
        {"overlong 2-byte '/'", "\xc0\xaf", 2},
        {"overlong 2-byte U+007F", "\xc1\xbf", 2},
        {"overlong 3-byte '/'", "\xe0\x80\xaf", 3},
        {"overlong 3-byte U+07FF", "\xe0\x9f\xbf", 3},
        {"overlong 4-byte '/'", "\xf0\x80\x80\xaf", 4},
        {"overlong 4-byte U+FFFF", "\xf0\x8f\xbf\xbf", 4},
        {"surrogate U+D800", "\xed\xa0\x80", 3},
        {"surrogate U+DFFF", "\xed\xbf\xbf", 3},
        {"surrogate pair as CESU-8", "\xed\xa0\xbd\xed\xb8\x80", 6},
        {"U+110000", "\xf4\x90\x80\x80", 4},
        {"F5 lead", "\xf5\x80\x80\x80", 4},
        {"F8 lead", "\xf8\x88\x80\x80\x80", 5},
        {"FF byte", "\xff", 1},
        {"valid then bad", "\xc3\xbc\x80", 3},
    };

    (void)state;
    for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        unsigned char out[33];
        size_t outlen = 12345;

        print_message("%s\n", bad[j].what);
        memset(out, 'x', sizeof out);
        out[32] = CANARY;
        assert_int_equal(imp_punycode_encode(bad[j].s, bad[j].len,
                                             (char *)out, 32, &outlen),
                         IMP_PUNY_EBADUTF8);
        assert_int_equal(out[0], '\0');
        assert_int_equal(out[32], CANARY);
        assert_int_equal(outlen, 12345); /* untouched on error */

        /* Bad UTF-8 is reported even when the buffer is also too small. */
        assert_int_equal(imp_punycode_encode(bad[j].s, bad[j].len, NULL, 0,
                                             NULL),
                         IMP_PUNY_EBADUTF8);
    }
}

/* ------------------------------------------------------------------ */
/* Decoder errors                                                     */
/* ------------------------------------------------------------------ */

static void
test_decode_bad_input(void **state)
{
    static const struct {
        const char *what;
        const char *s;
        int rc;
    } bad[] = {
        {"non-digit after delimiter", "abc-k!a", IMP_PUNY_EBADINPUT},
        {"non-ASCII in basic part", "\xc3-kva", IMP_PUNY_EBADINPUT},
        {"non-ASCII in deltas", "bcher-kv\xc3", IMP_PUNY_EBADINPUT},
        {"number cut short", "99", IMP_PUNY_EBADINPUT},
        {"number cut short after basic", "abc-9", IMP_PUNY_EBADINPUT},
        {"leading lone delimiter", "-abc", IMP_PUNY_EBADINPUT},
        {"lone delimiter", "-", IMP_PUNY_EBADINPUT},
        {"decodes to U+110000", "en32g", IMP_PUNY_EBADINPUT},
        {"decodes to U+D800", "ib9b", IMP_PUNY_EBADINPUT},
        {"decodes to U+DFFF", "zy0c", IMP_PUNY_EBADINPUT},
        {"space in deltas", "a b", IMP_PUNY_EBADINPUT},
        {"64-bit overflow", "9999999999999999999999999999999999999999",
         IMP_PUNY_EOVERFLOW},
        {"64-bit overflow after basic",
         "abc-99999999999999999999999999999999999999999999a",
         IMP_PUNY_EOVERFLOW},
    };

    (void)state;
    for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        unsigned char out[65];
        size_t outlen = 12345;

        print_message("%s\n", bad[j].what);
        memset(out, 'x', sizeof out);
        out[64] = CANARY;
        assert_int_equal(imp_punycode_decode(bad[j].s, strlen(bad[j].s),
                                             (char *)out, 64, &outlen),
                         bad[j].rc);
        assert_int_equal(out[0], '\0');
        assert_int_equal(out[64], CANARY);
        assert_int_equal(outlen, 12345);
        /* Malformed input wins over a too-small buffer. */
        assert_int_equal(imp_punycode_decode(bad[j].s, strlen(bad[j].s),
                                             NULL, 0, NULL),
                         bad[j].rc);
    }
}

static void
test_null_arguments(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(imp_punycode_encode(NULL, 1, out, sizeof out, NULL),
                     IMP_PUNY_EBADINPUT);
    assert_int_equal(imp_punycode_encode("a", 1, NULL, 8, NULL),
                     IMP_PUNY_EBADINPUT);
    assert_int_equal(imp_punycode_decode(NULL, 1, out, sizeof out, NULL),
                     IMP_PUNY_EBADINPUT);
    assert_int_equal(imp_punycode_decode("a", 1, NULL, 8, NULL),
                     IMP_PUNY_EBADINPUT);
    /* outlen is optional. */
    assert_int_equal(imp_punycode_encode("a", 1, out, sizeof out, NULL), 0);
    assert_string_equal(out, "a-");
    assert_int_equal(imp_punycode_decode("a-", 2, out, sizeof out, NULL), 0);
    assert_string_equal(out, "a");
}

/* ------------------------------------------------------------------ */
/* Buffer bounds                                                      */
/* ------------------------------------------------------------------ */

/*
 * For every cap from 0 to needed, run fn into a heap block of cap + 1
 * bytes whose last byte is a canary: it must fail with ENOSPC, report the
 * needed length, leave the canary alone and (if cap > 0) NUL-terminate
 * within cap.  At cap = needed + 1 it must succeed.  The heap block lets
 * AddressSanitizer catch anything the canary would miss.
 */
typedef int (*codec_fn)(const char *, size_t, char *, size_t, size_t *);

static void
check_all_caps(codec_fn fn, const char *in, size_t inlen, bool prefix)
{
    char full[512];
    size_t needed = 0;

    assert_int_equal(fn(in, inlen, full, sizeof full, &needed), 0);
    for (size_t cap = 0; cap <= needed + 1; cap++) {
        unsigned char *buf = malloc(cap + 1);
        size_t outlen = 12345;
        int rc;

        assert_non_null(buf);
        memset(buf, 'x', cap);
        buf[cap] = CANARY;
        rc = fn(in, inlen, cap > 0 ? (char *)buf : NULL, cap, &outlen);
        assert_int_equal(buf[cap], CANARY);
        assert_int_equal(outlen, needed);
        if (cap <= needed) {
            assert_int_equal(rc, IMP_PUNY_ENOSPC);
            if (cap > 0) {
                assert_non_null(memchr(buf, '\0', cap));
                if (prefix) {
                    /* The encoder leaves the first cap - 1 characters. */
                    assert_memory_equal(buf, full, cap - 1);
                    assert_int_equal(buf[cap - 1], '\0');
                } else {
                    assert_int_equal(buf[0], '\0');
                }
            }
        } else {
            assert_int_equal(rc, 0);
            assert_memory_equal(buf, full, needed + 1);
        }
        free(buf);
    }
}

static void
test_encode_small_buffer(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSAMPLES; s++) {
        char utf8[256];
        size_t ulen = cps_to_utf8(samples[s].cps, samples[s].ncps, utf8,
                                  sizeof utf8);
        check_all_caps(imp_punycode_encode, utf8, ulen, true);
    }
    check_all_caps(imp_punycode_encode, "abc", 3, true);
    check_all_caps(imp_punycode_encode, "\xc3\xbc", 2, true);
    check_all_caps(imp_punycode_encode, "", 0, true);
}

static void
test_decode_small_buffer(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSAMPLES; s++)
        check_all_caps(imp_punycode_decode, samples[s].puny,
                       strlen(samples[s].puny), false);
    check_all_caps(imp_punycode_decode, "abc-", 4, false);
    check_all_caps(imp_punycode_decode, "tda", 3, false);
    check_all_caps(imp_punycode_decode, "", 0, false);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                        */
/* ------------------------------------------------------------------ */

static void
test_roundtrip(void **state)
{
    static const uint32_t strings[][8] = {
        {0x1F600, 0x41, 0x1F600, 0xE9, 0x10FFFF, 0x80, 0x7F, 0},
        {0x80, 0x81, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0},
        {0xD7FF, 0xE000, 0x2D, 0x2D, 0xFFFD, 0x2D, 0, 0},
        {0x10FFFF, 0x10FFFF, 0x10FFFF, 0x10FFFF, 0, 0, 0, 0},
    };

    (void)state;
    for (size_t s = 0; s < sizeof strings / sizeof strings[0]; s++) {
        char utf8[64], enc[128], dec[64];
        size_t n = 0, ulen, dlen;

        while (n < 8 && strings[s][n] != 0)
            n++;
        ulen = cps_to_utf8(strings[s], n, utf8, sizeof utf8);
        encode_ok(utf8, ulen, enc, sizeof enc);
        dlen = decode_ok(enc, dec, sizeof dec);
        assert_int_equal(dlen, ulen);
        assert_memory_equal(dec, utf8, ulen);
    }

    /* A long string: many distinct code points and repeated deltas. */
    {
        static uint32_t cps[600];
        static char utf8[3000], enc[4000], dec[3000];
        size_t ulen, dlen;

        for (size_t j = 0; j < 600; j++)
            cps[j] = (j % 7 == 0) ? (uint32_t)('a' + j % 26)
                                  : (uint32_t)(0x100 + (j * 7919) % 0x3000);
        ulen = cps_to_utf8(cps, 600, utf8, sizeof utf8);
        encode_ok(utf8, ulen, enc, sizeof enc);
        dlen = decode_ok(enc, dec, sizeof dec);
        assert_int_equal(dlen, ulen);
        assert_memory_equal(dec, utf8, ulen);
    }
}

/*
 * A delta above 2^32: 5000 basic code points then U+10FFFF needs
 * (0x10FFFF - 0x80) * 5001 + 5000 steps.  An encoder using the RFC's
 * 32-bit integers would report an overflow; Python has no limit, and the
 * 64-bit arithmetic here gives Python's answer.
 */
static void
test_wide_delta(void **state)
{
    static char in[5005], enc[5100], dec[5005];
    size_t n;

    (void)state;
    memset(in, 'a', 5000);
    memcpy(in + 5000, "\xf4\x8f\xbf\xbf", 4); /* U+10FFFF */
    n = encode_ok(in, 5004, enc, sizeof enc);
    assert_int_equal(n, 5010);
    assert_string_equal(enc + 4998, "aa-s3698856b");
    assert_int_equal(decode_ok(enc, dec, sizeof dec), 5004);
    assert_memory_equal(dec, in, 5004);
}

/* ------------------------------------------------------------------ */
/* Hook symbols                                                       */
/* ------------------------------------------------------------------ */

static void
expect_symbol(const char *pa, const char *pu, const char *name, int rc,
              const char *want)
{
    unsigned char buf[IMP_HOOK_SYMBOL_MAX + 1];

    memset(buf, 'x', sizeof buf);
    buf[IMP_HOOK_SYMBOL_MAX] = CANARY;
    assert_int_equal(imp_hook_symbol(pa, pu, name, (char *)buf,
                                     IMP_HOOK_SYMBOL_MAX), rc);
    assert_int_equal(buf[IMP_HOOK_SYMBOL_MAX], CANARY);
    assert_string_equal((char *)buf, want);
}

static void
test_hook_symbol_basic(void **state)
{
    (void)state;
    expect_symbol("PyInit", "PyInitU", "a.b.c", 0, "PyInit_c");
    expect_symbol("PyInit", "PyInitU", "spam", 0, "PyInit_spam");
    expect_symbol("PyInit", "PyInitU", "b\xc3\xbc" "cher", 1,
                  "PyInitU_bcher_kva");
    expect_symbol("PyInit", "PyInitU", "pkg.b\xc3\xbc" "cher", 1,
                  "PyInitU_bcher_kva");
    expect_symbol("PyModExport", "PyModExportU", "spam", 0,
                  "PyModExport_spam");
    expect_symbol("PyModExport", "PyModExportU", "b\xc3\xbc" "cher", 1,
                  "PyModExportU_bcher_kva");
    /* Only the short name matters: a non-ASCII package, an ASCII module. */
    expect_symbol("PyInit", "PyInitU", "b\xc3\xbc" "cher.spam", 0,
                  "PyInit_spam");
}

static void
test_hook_symbol_dashes(void **state)
{
    (void)state;
    /* "a-ü" encodes to "a--yka": both dashes become '_'. */
    expect_symbol("PyInit", "PyInitU", "pkg.a-\xc3\xbc", 1, "PyInitU_a__yka");
    /* "ü-" encodes to "--dha". */
    expect_symbol("PyInit", "PyInitU", "\xc3\xbc-", 1, "PyInitU___dha");
    /* ASCII names get the same replacement. */
    expect_symbol("PyInit", "PyInitU", "my-mod", 0, "PyInit_my_mod");
}

static void
test_hook_symbol_truncation(void **state)
{
    char name[400], want[IMP_HOOK_SYMBOL_MAX];

    (void)state;
    /* 300 ASCII characters: the name is cut to 200. */
    memset(name, 'n', 300);
    name[300] = '\0';
    strcpy(want, "PyInit_");
    memset(want + 7, 'n', 200);
    want[207] = '\0';
    expect_symbol("PyInit", "PyInitU", name, 0, want);

    /* Dotted: the 300 characters after the dot. */
    memcpy(name, "pkg.", 4);
    memset(name + 4, 'q', 300);
    name[304] = '\0';
    strcpy(want, "PyInit_");
    memset(want + 7, 'q', 200);
    want[207] = '\0';
    expect_symbol("PyInit", "PyInitU", name, 0, want);

    /* "ü" + 299 'a' encodes to 299 'a', '-', deltas: 200 'a' survive. */
    memcpy(name, "\xc3\xbc", 2);
    memset(name + 2, 'a', 299);
    name[301] = '\0';
    strcpy(want, "PyInitU_");
    memset(want + 8, 'a', 200);
    want[208] = '\0';
    expect_symbol("PyInit", "PyInitU", name, 1, want);

    /* 199 'a' + "ü": the 201st character of "aaa...-xxx" is the dash,
     * which is cut off; the 200 kept are all 'a'. Then 198 + "ü": the
     * dash is the 200th character and becomes '_'. */
    memset(name, 'a', 199);
    memcpy(name + 199, "\xc3\xbc", 3);
    strcpy(want, "PyInitU_");
    memset(want + 8, 'a', 199);
    want[207] = '_';
    want[208] = '\0';
    expect_symbol("PyInit", "PyInitU", name, 1, want);
    memset(name, 'a', 198);
    memcpy(name + 198, "\xc3\xbc", 3);
    strcpy(want, "PyInitU_");
    memset(want + 8, 'a', 198);
    want[206] = '_';
    want[207] = '\0';
    /* 198 'a', '_', then the first delta digit. */
    {
        char enc[256];
        size_t n = encode_ok(name, strlen(name), enc, sizeof enc);
        assert_true(n > 200);
        want[207] = enc[199];
        want[208] = '\0';
    }
    expect_symbol("PyInit", "PyInitU", name, 1, want);

    /* The prefix is cut to 20 characters. */
    expect_symbol("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz",
                  "x", 0, "ABCDEFGHIJKLMNOPQRST_x");
    expect_symbol("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz",
                  "\xc3\xbc", 1, "abcdefghijklmnopqrst_tda");

    /* Longest possible result: 20 + 1 + 200 characters fit. */
    memset(name, 'z', 300);
    name[300] = '\0';
    memcpy(want, "ABCDEFGHIJKLMNOPQRST_", 21);
    memset(want + 21, 'z', 200);
    want[221] = '\0';
    expect_symbol("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "U", name, 0, want);
}

static void
test_hook_symbol_errors(void **state)
{
    unsigned char buf[IMP_HOOK_SYMBOL_MAX + 1];

    (void)state;
    expect_symbol("PyInit", "PyInitU", "pkg.", IMP_PUNY_EBADINPUT, "");
    expect_symbol("PyInit", "PyInitU", "", IMP_PUNY_EBADINPUT, "");
    expect_symbol("PyInit", "PyInitU", "a.b.", IMP_PUNY_EBADINPUT, "");
    expect_symbol("PyInit", "PyInitU", "b\xc3", IMP_PUNY_EBADUTF8, "");
    expect_symbol("PyInit", "PyInitU", "pkg.\xed\xa0\x80", IMP_PUNY_EBADUTF8,
                  "");
    /* Bad UTF-8 anywhere in the full name is rejected. */
    expect_symbol("PyInit", "PyInitU", "p\xff.spam", IMP_PUNY_EBADUTF8, "");
    expect_symbol("PyInit", "PyInitU", "pkg.\xc0\xae" "spam",
                  IMP_PUNY_EBADUTF8, "");

    /* cap below IMP_HOOK_SYMBOL_MAX is refused without overrunning. */
    memset(buf, 'x', sizeof buf);
    buf[IMP_HOOK_SYMBOL_MAX - 1] = CANARY;
    assert_int_equal(imp_hook_symbol("PyInit", "PyInitU", "spam", (char *)buf,
                                     IMP_HOOK_SYMBOL_MAX - 1),
                     IMP_PUNY_ENOSPC);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[IMP_HOOK_SYMBOL_MAX - 1], CANARY);
    assert_int_equal(imp_hook_symbol("PyInit", "PyInitU", "spam", NULL, 0),
                     IMP_PUNY_EBADINPUT);
    assert_int_equal(imp_hook_symbol(NULL, "PyInitU", "spam", (char *)buf,
                                     sizeof buf),
                     IMP_PUNY_EBADINPUT);
    assert_int_equal(imp_hook_symbol("PyInit", NULL, "spam", (char *)buf,
                                     sizeof buf),
                     IMP_PUNY_EBADINPUT);
    assert_int_equal(imp_hook_symbol("PyInit", "PyInitU", NULL, (char *)buf,
                                     sizeof buf),
                     IMP_PUNY_EBADINPUT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_samples_encode),
        cmocka_unit_test(test_rfc_samples_decode),
        cmocka_unit_test(test_ascii_only),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_no_basic_code_points),
        cmocka_unit_test(test_python_vectors),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_decode_bad_input),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_encode_small_buffer),
        cmocka_unit_test(test_decode_small_buffer),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_wide_delta),
        cmocka_unit_test(test_hook_symbol_basic),
        cmocka_unit_test(test_hook_symbol_dashes),
        cmocka_unit_test(test_hook_symbol_truncation),
        cmocka_unit_test(test_hook_symbol_errors),
    };

    return cmocka_run_group_tests_name("punycode", tests, NULL, NULL);
}
