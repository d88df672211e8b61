/* ctest-labels: unit tsan
 *
 * tests/test_str.c - core/unicodeobject.c, core/bytesobject.c, core/hash.c:
 * str creation and UTF-8 validation, code-point access, comparison,
 * concatenation, interning (identity, immortality, threads), every
 * PyUnicode_FromFormat unit, repr escaping, codecs, the bytes API, and
 * allocation failure at every allocation of the main operations.
 *
 * Expected texts are CPython 3.14's (checked with CPython where the
 * behaviour is common to 3.11: repr(), codec messages, bytes repr). */
#include "testutil.h"

#include <pthread.h>
#include <string.h>

#ifndef PYMODRT_BUILD_CORE
#define PYMODRT_BUILD_CORE 1
#endif
#include "internal/pycore.h"

/* ------------------------------------------------------------ helpers */

/* Asserts that 'o' is a str whose UTF-8 text is 'expected'; steals 'o'. */
#define assert_str(o, expected) assert_str_at((o), (expected), sizeof(expected) - 1, __FILE__, __LINE__)
static void
assert_str_at(PyObject *o, const char *expected, size_t n, const char *file, int line)
{
    Py_ssize_t size;
    const char *s;

    if (o == NULL) {
        tu_assert_no_exc_at(file, line);
        print_error("NULL result, expected \"%s\"\n", expected);
        _fail(file, line);
    }
    if (!PyUnicode_Check(o)) {
        print_error("not a str: %s\n", Py_TYPE(o)->tp_name);
        _fail(file, line);
    }
    s = PyUnicode_AsUTF8AndSize(o, &size);
    if (s == NULL || (size_t)size != n || memcmp(s, expected, n) != 0) {
        print_error("got \"%s\" (%zd bytes), expected \"%s\"\n", s ? s : "(null)", size,
                       expected);
        _fail(file, line);
    }
    Py_DECREF(o);
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

/* ---------------------------------------------------------- creation */

static void
test_create(void **state)
{
    (void)state;
    PyObject *s = PyUnicode_FromString("h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80");
    Py_ssize_t n;

    assert_non_null(s);
    assert_true(PyUnicode_CheckExact(s));
    assert_int_equal(PyUnicode_GetLength(s), 8);
    assert_string_equal(PyUnicode_AsUTF8AndSize(s, &n), "h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80");
    assert_int_equal(n, 14);
    Py_DECREF(s);

    /* Embedded NUL: kept by AndSize, refused by AsUTF8. */
    s = PyUnicode_FromStringAndSize("a\0b", 3);
    assert_int_equal(PyUnicode_GetLength(s), 3);
    assert_non_null(PyUnicode_AsUTF8AndSize(s, &n));
    assert_int_equal(n, 3);
    assert_null(PyUnicode_AsUTF8(s));
    tu_assert_exc(PyExc_ValueError, "embedded null character");
    Py_DECREF(s);

    /* The empty string is one object. */
    PyObject *e1 = PyUnicode_FromString(""), *e2 = PyUnicode_FromStringAndSize(NULL, 0);
    assert_ptr_equal(e1, e2);
    assert_int_equal(PyUnicode_GetLength(e1), 0);
    assert_true(_Py_IsImmortal(e1));
    Py_DECREF(e1);
    Py_DECREF(e2);

    assert_null(PyUnicode_FromStringAndSize("abc", -1));
    tu_assert_exc(PyExc_SystemError, "Negative size passed to PyUnicode_FromStringAndSize");
    assert_null(PyUnicode_FromStringAndSize(NULL, 3));
    tu_assert_exc(PyExc_SystemError,
                  "NULL string with positive size with NULL passed to PyUnicode_FromStringAndSize");
    assert_null(PyUnicode_FromStringAndSize("abc", PY_SSIZE_T_MAX));
    tu_assert_exc(PyExc_MemoryError, NULL);

    assert_str(PyUnicode_FromOrdinal(0x20ac), "\xe2\x82\xac");
    assert_str(PyUnicode_FromOrdinal('a'), "a");
    assert_null(PyUnicode_FromOrdinal(0x110000));
    tu_assert_exc(PyExc_ValueError, "chr() arg not in range(0x110000)");
    assert_null(PyUnicode_FromOrdinal(-1));
    tu_assert_exc(PyExc_ValueError, "chr() arg not in range(0x110000)");

    s = S("abc");
    PyObject *t = PyUnicode_FromObject(s);
    assert_ptr_equal(s, t);
    Py_DECREF(t);
    Py_DECREF(s);
    PyObject *b = B("abc", 3);
    assert_null(PyUnicode_FromObject(b));
    tu_assert_exc(PyExc_TypeError, "Can't convert 'bytes' object to str implicitly");
    Py_DECREF(b);
}

static void
expect_decode_error(const char *in, Py_ssize_t n, const char *msg)
{
    assert_null(PyUnicode_DecodeUTF8(in, n, NULL));
    tu_assert_exc(PyExc_UnicodeDecodeError, msg);
    assert_null(PyUnicode_FromStringAndSize(in, n));
    tu_assert_exc(PyExc_UnicodeDecodeError, msg);
}

static void
test_invalid_utf8(void **state)
{
    (void)state;
    expect_decode_error("\xff", 1,
        "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    expect_decode_error("ab\xc3", 3,
        "'utf-8' codec can't decode byte 0xc3 in position 2: unexpected end of data");
    expect_decode_error("\xe4\xbd", 2,
        "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data");
    expect_decode_error("\xe4\xbdX", 3,
        "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte");
    expect_decode_error("x\xe4X", 3,
        "'utf-8' codec can't decode byte 0xe4 in position 1: invalid continuation byte");
    /* Encoded surrogates, overlong forms and values past U+10FFFF. */
    expect_decode_error("\xed\xa0\x80", 3,
        "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte");
    expect_decode_error("\xc0\x80", 2,
        "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte");
    expect_decode_error("\xe0\x80\x80", 3,
        "'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte");
    expect_decode_error("\xf4\x90\x80\x80", 4,
        "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte");
    expect_decode_error("\xf8\x88\x80\x80\x80", 5,
        "'utf-8' codec can't decode byte 0xf8 in position 0: invalid start byte");
    expect_decode_error("0123456789abcdef\x80", 17,
        "'utf-8' codec can't decode byte 0x80 in position 16: invalid start byte");

    assert_null(PyUnicode_FromString("\xc2"));
    tu_assert_exc(PyExc_UnicodeDecodeError,
        "'utf-8' codec can't decode byte 0xc2 in position 0: unexpected end of data");
    assert_null(PyUnicode_InternFromString("\xa1"));
    tu_assert_exc(PyExc_UnicodeDecodeError,
        "'utf-8' codec can't decode byte 0xa1 in position 0: invalid start byte");

    Py_ssize_t ncp = -7;
    assert_int_equal(rt_utf8_decode_check("a\xc3\xa9", 3, &ncp), 0);
    assert_int_equal(ncp, 2);
    assert_int_equal(rt_utf8_decode_check("a\xc3", 2, &ncp), -1);
    tu_assert_exc(PyExc_UnicodeDecodeError, NULL);

    /* Error handlers. */
    assert_str(PyUnicode_DecodeUTF8("a\xff" "b", 3, "replace"), "a\xef\xbf\xbd" "b");
    assert_str(PyUnicode_DecodeUTF8("\xe4\xbdX\xe4", 4, "replace"),
               "\xef\xbf\xbdX\xef\xbf\xbd");
    assert_str(PyUnicode_DecodeUTF8("a\xff" "b", 3, "ignore"), "ab");
    assert_str(PyUnicode_DecodeUTF8("a\xff", 2, "backslashreplace"), "a\\xff");
    assert_str(PyUnicode_DecodeUTF8("abc", 3, "no-such-handler"), "abc");
    assert_null(PyUnicode_DecodeUTF8("\xff", 1, "no-such-handler"));
    tu_assert_exc(PyExc_LookupError, "unknown error handler name 'no-such-handler'");

    /* surrogateescape makes lone surrogates, which strict UTF-8 refuses. */
    PyObject *s = PyUnicode_DecodeUTF8("a\xff" "b", 3, "surrogateescape");
    assert_non_null(s);
    assert_int_equal(PyUnicode_GetLength(s), 3);
    assert_int_equal(PyUnicode_ReadChar(s, 1), 0xDCFF);
    assert_null(PyUnicode_AsUTF8(s));
    tu_assert_exc(PyExc_UnicodeEncodeError,
        "'utf-8' codec can't encode character '\\udcff' in position 1: surrogates not allowed");
    assert_false(PyUnicode_EqualToUTF8(s, "a\xff" "b"));
    PyObject *b = PyUnicode_EncodeFSDefault(s);
    assert_non_null(b);
    assert_int_equal(PyBytes_GET_SIZE(b), 3);
    assert_memory_equal(PyBytes_AS_STRING(b), "a\xff" "b", 3);
    Py_DECREF(b);
    assert_null(PyUnicode_AsUTF8String(s));
    tu_assert_exc(PyExc_UnicodeEncodeError, NULL);
    Py_DECREF(s);
    s = PyUnicode_DecodeFSDefault("\xfe\xff");
    assert_int_equal(PyUnicode_GetLength(s), 2);
    assert_null(PyUnicode_AsUTF8(s));
    tu_assert_exc(PyExc_UnicodeEncodeError,
        "'utf-8' codec can't encode characters in position 0-1: surrogates not allowed");
    Py_DECREF(s);
}

static void
test_length_readchar_substring(void **state)
{
    (void)state;
    PyObject *s = S("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");
    const Py_UCS4 want[] = { 'a', 0xE9, 0x20AC, 0x1F600, 'z' };

    assert_int_equal(PyUnicode_GetLength(s), 5);
    assert_int_equal(PyUnicode_GET_LENGTH(s), 5);
    for (Py_ssize_t i = 0; i < 5; i++)
        assert_int_equal(PyUnicode_ReadChar(s, i), want[i]);
    assert_int_equal(PyUnicode_ReadChar(s, 5), (Py_UCS4)-1);
    tu_assert_exc(PyExc_IndexError, "string index out of range");
    assert_int_equal(PyUnicode_ReadChar(s, -1), (Py_UCS4)-1);
    tu_assert_exc(PyExc_IndexError, "string index out of range");

    assert_str(PyUnicode_Substring(s, 1, 4), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_str(PyUnicode_Substring(s, 3, 100), "\xf0\x9f\x98\x80z");
    assert_str(PyUnicode_Substring(s, 4, 2), "");
    assert_str(PyUnicode_Substring(s, 0, 1), "a");
    PyObject *all = PyUnicode_Substring(s, 0, PY_SSIZE_T_MAX);
    assert_ptr_equal(all, s);
    Py_DECREF(all);
    assert_null(PyUnicode_Substring(s, -1, 2));
    tu_assert_exc(PyExc_IndexError, "string index out of range");
    assert_null(PyUnicode_Substring(s, 0, -1));
    tu_assert_exc(PyExc_IndexError, "string index out of range");
    /* An ASCII substring of a non-ASCII string is flagged ASCII. */
    PyObject *sub = PyUnicode_Substring(s, 4, 5);
    assert_true(((PyUnicodeObject *)sub)->state & PYSTR_ASCII);
    Py_DECREF(sub);
    Py_DECREF(s);

    PyObject *b = B("abc", 3);
    assert_int_equal(PyUnicode_GetLength(b), -1);
    tu_assert_exc(PyExc_TypeError, "bad argument type for built-in operation");
    assert_int_equal(PyUnicode_ReadChar(b, 0), (Py_UCS4)-1);
    tu_assert_exc(PyExc_TypeError, "bad argument type for built-in operation");
    Py_ssize_t n = 5;
    assert_null(PyUnicode_AsUTF8AndSize(b, &n));
    assert_int_equal(n, -1);
    tu_assert_exc(PyExc_TypeError, "bad argument type for built-in operation");
    Py_DECREF(b);
}

static void
test_subscript_slots(void **state)
{
    (void)state;
    PyObject *s = S("x\xc3\xa9y");
    PyTypeObject *t = Py_TYPE(s);
    PyObject *i = PyLong_FromLong(-2), *r;

    assert_int_equal(t->tp_as_sequence->sq_length(s), 3);
    assert_str(t->tp_as_sequence->sq_item(s, 1), "\xc3\xa9");
    assert_str(t->tp_as_mapping->mp_subscript(s, i), "\xc3\xa9");
    Py_DECREF(i);
    i = PyLong_FromLong(3);
    assert_null(t->tp_as_mapping->mp_subscript(s, i));
    tu_assert_exc(PyExc_IndexError, "string index out of range");
    Py_DECREF(i);
    assert_null(t->tp_as_mapping->mp_subscript(s, s));
    tu_assert_exc(PyExc_TypeError, "string indices must be integers, not 'str'");
    PyObject *e = S("\xc3\xa9");
    assert_int_equal(t->tp_as_sequence->sq_contains(s, e), 1);
    Py_DECREF(e);
    PyObject *b = B("x", 1);
    assert_int_equal(t->tp_as_sequence->sq_contains(s, b), -1);
    tu_assert_exc(PyExc_TypeError, "'in <string>' requires string as left operand, not bytes");
    Py_DECREF(b);
    r = PyObject_Str(s);
    assert_ptr_equal(r, s);
    Py_DECREF(r);
    Py_DECREF(s);
}

/* -------------------------------------------------------- comparison */

static void
test_compare(void **state)
{
    (void)state;
    PyObject *a = S("a"), *b = S("b"), *e = S("\xc3\xa9"), *z = S("z"), *a2 = S("a");
    PyObject *ab = S("ab"), *by = B("a", 1), *r;

    assert_int_equal(PyUnicode_Compare(a, b), -1);
    assert_int_equal(PyUnicode_Compare(b, a), 1);
    assert_int_equal(PyUnicode_Compare(a, a2), 0);
    assert_int_equal(PyUnicode_Compare(a, ab), -1);
    assert_int_equal(PyUnicode_Compare(e, z), 1);      /* U+00E9 > 'z' */
    assert_int_equal(PyUnicode_Compare(a, by), -1);
    tu_assert_exc(PyExc_TypeError, "Can't compare str and bytes");

    assert_int_equal(PyUnicode_CompareWithASCIIString(ab, "ab"), 0);
    assert_int_equal(PyUnicode_CompareWithASCIIString(ab, "abc"), -1);
    assert_int_equal(PyUnicode_CompareWithASCIIString(ab, "a"), 1);
    assert_int_equal(PyUnicode_CompareWithASCIIString(ab, "b"), -1);

    assert_true(PyUnicode_EqualToUTF8(e, "\xc3\xa9"));
    assert_false(PyUnicode_EqualToUTF8(e, "\xc3"));
    assert_true(PyUnicode_EqualToUTF8AndSize(ab, "abc", 2));
    assert_false(PyUnicode_EqualToUTF8AndSize(ab, "abc", 3));
    assert_false(PyUnicode_EqualToUTF8(by, "a"));

    assert_int_equal(PyUnicode_Equal(a, a2), 1);
    assert_int_equal(PyUnicode_Equal(a, b), 0);
    assert_int_equal(PyUnicode_Equal(by, a), -1);
    tu_assert_exc(PyExc_TypeError, "first argument must be str, not bytes");
    assert_int_equal(PyUnicode_Equal(a, by), -1);
    tu_assert_exc(PyExc_TypeError, "second argument must be str, not bytes");

    static const struct { int op; int want; } ops[] = {
        { Py_LT, 1 }, { Py_LE, 1 }, { Py_EQ, 0 }, { Py_NE, 1 }, { Py_GT, 0 }, { Py_GE, 0 },
    };
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        r = PyUnicode_RichCompare(a, b, ops[k].op);
        assert_ptr_equal(r, ops[k].want ? Py_True : Py_False);
        Py_DECREF(r);
    }
    r = PyUnicode_RichCompare(a, a2, Py_EQ);
    assert_ptr_equal(r, Py_True);
    Py_DECREF(r);
    r = PyUnicode_RichCompare(a, by, Py_EQ);
    assert_ptr_equal(r, Py_NotImplemented);
    Py_DECREF(r);
    r = PyObject_RichCompare(a, a2, Py_GE);
    assert_ptr_equal(r, Py_True);
    Py_DECREF(r);

    /* Hash: equal texts hash equally, a str like the bytes of its text. */
    assert_int_equal(PyObject_Hash(a), PyObject_Hash(a2));
    assert_int_equal(PyObject_Hash(a), PyObject_Hash(by));
    assert_int_not_equal(PyObject_Hash(a), -1);
    assert_int_equal(PyObject_Hash(a), rt_hash_bytes("a", 1));
    assert_int_equal(((PyUnicodeObject *)a)->hash, PyObject_Hash(a));  /* cached */

    Py_DECREF(a); Py_DECREF(b); Py_DECREF(e); Py_DECREF(z); Py_DECREF(a2);
    Py_DECREF(ab); Py_DECREF(by);
}

static void
test_hash_bytes(void **state)
{
    (void)state;
    char buf[64];
    Py_hash_t seen[64];

    /* Every prefix length gives a different value; nothing is -1. */
    for (int i = 0; i < 64; i++)
        buf[i] = (char)i;
    for (int n = 0; n < 64; n++) {
        seen[n] = rt_hash_bytes(buf, (size_t)n);
        assert_int_not_equal(seen[n], -1);
        assert_int_equal(seen[n], rt_hash_bytes(buf, (size_t)n));
        for (int k = 0; k < n; k++)
            assert_int_not_equal(seen[k], seen[n]);
    }
    /* One flipped bit changes about half of the output bits. */
    int flips = 0;
    Py_hash_t base = rt_hash_bytes(buf, 64);
    for (int bit = 0; bit < 64 * 8; bit++) {
        buf[bit / 8] ^= (char)(1 << (bit % 8));
        flips += __builtin_popcountll((unsigned long long)(rt_hash_bytes(buf, 64) ^ base));
        buf[bit / 8] ^= (char)(1 << (bit % 8));
    }
    double avg = (double)flips / (64 * 8);
    assert_true(avg > 28.0 && avg < 36.0);
}

/* ------------------------------------------------------------ concat */

static void
test_concat_append_join(void **state)
{
    (void)state;
    PyObject *a = S("ab"), *e = S("\xc3\xa9"), *empty = S(""), *by = B("x", 1), *r;

    r = PyUnicode_Concat(a, e);
    assert_int_equal(PyUnicode_GetLength(r), 3);
    assert_false(((PyUnicodeObject *)r)->state & PYSTR_ASCII);
    assert_str(r, "ab\xc3\xa9");
    r = PyUnicode_Concat(a, empty);
    assert_ptr_equal(r, a);
    Py_DECREF(r);
    assert_null(PyUnicode_Concat(a, by));
    tu_assert_exc(PyExc_TypeError, "can only concatenate str (not \"bytes\") to str");
    assert_null(PyUnicode_Concat(by, a));
    tu_assert_exc(PyExc_TypeError, "must be str, not bytes");
    /* The sequence slot is PyUnicode_Concat. */
    assert_str(Py_TYPE(a)->tp_as_sequence->sq_concat(e, a), "\xc3\xa9" "ab");

    PyObject *acc = S("x");
    PyUnicode_Append(&acc, a);
    assert_non_null(acc);
    PyUnicode_AppendAndDel(&acc, S("!"));
    assert_str(acc, "xab!");
    acc = S("x");
    PyUnicode_Append(&acc, by);
    assert_null(acc);
    tu_assert_exc(PyExc_SystemError, NULL);

    PyObject *list = PyList_New(0);
    PyList_Append(list, a);
    PyList_Append(list, e);
    PyList_Append(list, a);
    PyObject *sep = S(", ");
    assert_str(PyUnicode_Join(sep, list), "ab, \xc3\xa9, ab");
    assert_str(PyUnicode_Join(NULL, list), "ab \xc3\xa9 ab");
    assert_str(PyUnicode_Join(empty, list), "ab\xc3\xa9" "ab");
    PyList_Append(list, by);
    assert_null(PyUnicode_Join(sep, list));
    tu_assert_exc(PyExc_TypeError, "sequence item 3: expected str instance, bytes found");
    assert_null(PyUnicode_Join(by, list));
    tu_assert_exc(PyExc_TypeError, "separator: expected str instance, bytes found");
    Py_DECREF(list);
    list = PyList_New(0);
    assert_str(PyUnicode_Join(sep, list), "");
    Py_DECREF(list);

    Py_DECREF(sep); Py_DECREF(a); Py_DECREF(e); Py_DECREF(empty); Py_DECREF(by);
}

/* ---------------------------------------------------------------- search */

static void
test_find_contains_tailmatch(void **state)
{
    (void)state;
    PyObject *s = S("\xc3\xa9" "abc\xe2\x82\xac" "abc");   /* "éabc€abc" */
    PyObject *abc = S("abc"), *euro = S("\xe2\x82\xac"), *no = S("abd"), *empty = S("");

    assert_int_equal(PyUnicode_Find(s, abc, 0, PY_SSIZE_T_MAX, 1), 1);
    assert_int_equal(PyUnicode_Find(s, abc, 0, PY_SSIZE_T_MAX, -1), 5);
    assert_int_equal(PyUnicode_Find(s, abc, 2, PY_SSIZE_T_MAX, 1), 5);
    assert_int_equal(PyUnicode_Find(s, abc, 2, 7, 1), -1);
    assert_int_equal(PyUnicode_Find(s, abc, -3, PY_SSIZE_T_MAX, 1), 5);
    assert_int_equal(PyUnicode_Find(s, euro, 0, PY_SSIZE_T_MAX, 1), 4);
    assert_int_equal(PyUnicode_Find(s, no, 0, PY_SSIZE_T_MAX, 1), -1);
    assert_int_equal(PyUnicode_Find(s, empty, 3, PY_SSIZE_T_MAX, 1), 3);
    assert_int_equal(PyUnicode_FindChar(s, 0x20AC, 0, 8, 1), 4);
    assert_int_equal(PyUnicode_FindChar(s, 'c', 0, 8, -1), 7);
    assert_int_equal(PyUnicode_FindChar(s, 'c', 0, 7, -1), 3);
    assert_int_equal(PyUnicode_FindChar(s, 0xE9, 1, 8, 1), -1);

    assert_int_equal(PyUnicode_Contains(s, euro), 1);
    assert_int_equal(PyUnicode_Contains(s, no), 0);
    assert_int_equal(PyUnicode_Contains(s, empty), 1);

    assert_int_equal(PyUnicode_Tailmatch(s, abc, 0, PY_SSIZE_T_MAX, 1), 1);
    assert_int_equal(PyUnicode_Tailmatch(s, abc, 0, PY_SSIZE_T_MAX, -1), 0);
    assert_int_equal(PyUnicode_Tailmatch(s, abc, 1, PY_SSIZE_T_MAX, -1), 1);
    assert_int_equal(PyUnicode_Tailmatch(s, euro, 0, 5, 1), 1);
    assert_int_equal(PyUnicode_Tailmatch(s, euro, 4, 5, -1), 1);

    Py_DECREF(s); Py_DECREF(abc); Py_DECREF(euro); Py_DECREF(no); Py_DECREF(empty);
}

static void
test_isidentifier(void **state)
{
    (void)state;
    static const struct { const char *s; int want; } cases[] = {
        { "abc", 1 }, { "_x1", 1 }, { "1x", 0 }, { "", 0 }, { "a b", 0 },
        { "\xc3\xa9t\xc3\xa9", 1 },                 /* été */
        { "\xe5\x90\x8d\xe5\x89\x8d", 1 },          /* 名前 */
        { "x\xe2\x82\xac", 0 },                     /* x€ */
        { "\xd9\xa1" "a", 0 },                      /* Arabic-Indic digit first */
        { "a\xd9\xa1", 1 },                         /* ... allowed after */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PyObject *s = S(cases[i].s);
        assert_int_equal(PyUnicode_IsIdentifier(s), cases[i].want);
        Py_DECREF(s);
    }
}

/* -------------------------------------------------------------- codecs */

static void
test_codecs(void **state)
{
    (void)state;
    PyObject *s = S("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), *b;  /* "aé€😀" */

    b = PyUnicode_AsEncodedString(s, "latin-1", "replace");
    assert_int_equal(PyBytes_GET_SIZE(b), 4);
    assert_memory_equal(PyBytes_AS_STRING(b), "a\xe9??", 4);
    Py_DECREF(b);
    b = PyUnicode_AsEncodedString(s, "ASCII", "backslashreplace");
    assert_string_equal(PyBytes_AS_STRING(b), "a\\xe9\\u20ac\\U0001f600");
    Py_DECREF(b);
    b = PyUnicode_AsEncodedString(s, "ascii", "xmlcharrefreplace");
    assert_string_equal(PyBytes_AS_STRING(b), "a&#233;&#8364;&#128512;");
    Py_DECREF(b);
    b = PyUnicode_AsEncodedString(s, "ascii", "ignore");
    assert_string_equal(PyBytes_AS_STRING(b), "a");
    Py_DECREF(b);
    b = PyUnicode_AsEncodedString(s, "UTF_8", NULL);
    assert_string_equal(PyBytes_AS_STRING(b), "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    Py_DECREF(b);
    assert_null(PyUnicode_AsEncodedString(s, "ascii", NULL));
    tu_assert_exc(PyExc_UnicodeEncodeError,
        "'ascii' codec can't encode characters in position 1-3: ordinal not in range(128)");
    assert_null(PyUnicode_AsEncodedString(s, "latin1", "strict"));
    tu_assert_exc(PyExc_UnicodeEncodeError,
        "'latin-1' codec can't encode characters in position 2-3: ordinal not in range(256)");
    PyObject *e = S("x\xc3\xa9");
    assert_null(PyUnicode_AsEncodedString(e, "ascii", NULL));
    tu_assert_exc(PyExc_UnicodeEncodeError,
        "'ascii' codec can't encode character '\\xe9' in position 1: ordinal not in range(128)");
    Py_DECREF(e);
    assert_null(PyUnicode_AsEncodedString(s, "koi8-zz", NULL));
    tu_assert_exc(PyExc_LookupError, "unknown encoding: koi8-zz");
    assert_null(PyUnicode_AsEncodedString(s, "ascii", "bogus"));
    tu_assert_exc(PyExc_LookupError, "unknown error handler name 'bogus'");
    Py_DECREF(s);

    assert_str(PyUnicode_DecodeASCII("abc", 3, NULL), "abc");
    assert_null(PyUnicode_DecodeASCII("ab\xe9", 3, NULL));
    tu_assert_exc(PyExc_UnicodeDecodeError,
        "'ascii' codec can't decode byte 0xe9 in position 2: ordinal not in range(128)");
    assert_str(PyUnicode_DecodeASCII("ab\xe9", 3, "replace"), "ab\xef\xbf\xbd");
    assert_str(PyUnicode_DecodeLatin1("ab\xe9\xff", 4, NULL), "ab\xc3\xa9\xc3\xbf");
    assert_str(PyUnicode_DecodeLocale("h\xc3\xa9", NULL), "h\xc3\xa9");
}

/* ---------------------------------------------------------------- repr */

static void
check_repr(const char *in, const char *want)
{
    PyObject *s = PyUnicode_DecodeUTF8(in, (Py_ssize_t)strlen(in), "surrogatepass");
    assert_non_null(s);
    PyObject *r = PyObject_Repr(s);
    Py_DECREF(s);
    assert_non_null(r);
    if (strcmp(PyUnicode_AsUTF8(r), want) != 0)
        fail_msg("repr(\"%s\") = %s, expected %s", in, PyUnicode_AsUTF8(r), want);
    Py_DECREF(r);
}

static void
test_repr(void **state)
{
    (void)state;
    check_repr("abc", "'abc'");
    check_repr("", "''");
    check_repr("it's", "\"it's\"");
    check_repr("say \"hi\"", "'say \"hi\"'");
    check_repr("'\"", "'\\'\"'");
    check_repr("a\tb\nc\rd\\", "'a\\tb\\nc\\rd\\\\'");
    check_repr("\x01\x1f\x7f", "'\\x01\\x1f\\x7f'");
    check_repr("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'");
    check_repr("\xc2\x85", "'\\x85'");                 /* U+0085 control */
    check_repr("\xc2\xa0", "'\\xa0'");                 /* NBSP (Zs) */
    check_repr("\xc2\xad", "'\\xad'");                 /* soft hyphen (Cf) */
    check_repr("\xe2\x80\xa8", "'\\u2028'");           /* line separator */
    check_repr("\xee\x80\x80", "'\\ue000'");           /* private use */
    check_repr("\xf3\xa0\x80\x81", "'\\U000e0001'");   /* language tag (Cf) */
    check_repr("\xcd\xb8", "'\\u0378'");               /* unassigned */
    check_repr("\xed\xb2\x80", "'\\udc80'");           /* lone surrogate */
    check_repr("\xe3\x80\x80", "'\\u3000'");           /* ideographic space */
    check_repr("\xe4\xb8\xad", "'\xe4\xb8\xad'");      /* 中 */
}

/* ------------------------------------------------------------ interning */

static void
test_intern(void **state)
{
    (void)state;
    PyObject *a = PyUnicode_InternFromString("pymodrt-test-intern-a");
    PyObject *b = PyUnicode_InternFromString("pymodrt-test-intern-a");

    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_true(_Py_IsImmortal(a));
    assert_int_equal(Py_REFCNT(a), _Py_IMMORTAL_INITIAL_REFCNT);
    assert_true(((PyUnicodeObject *)a)->state & PYSTR_INTERNED);
    /* Reference counting an interned string writes nothing. */
    int64_t word = a->ob_refcnt_full;
    for (int i = 0; i < 10; i++)
        Py_INCREF(a);
    assert_int_equal(a->ob_refcnt_full, word);
    for (int i = 0; i < 20; i++)
        Py_DECREF(a);
    assert_int_equal(a->ob_refcnt_full, word);

    /* InternInPlace of an equal fresh string gives the interned object. */
    PyObject *c = S("pymodrt-test-intern-a");
    assert_ptr_not_equal(c, a);
    PyUnicode_InternInPlace(&c);
    assert_ptr_equal(c, a);

    /* A fresh, unshared string is interned in place. */
    PyObject *d = S("pymodrt-test-intern-\xc3\xa9");
    PyObject *d0 = d;
    PyUnicode_InternInPlace(&d);
    assert_ptr_equal(d, d0);
    assert_true(_Py_IsImmortal(d));
    PyObject *d2 = PyUnicode_InternFromString("pymodrt-test-intern-\xc3\xa9");
    assert_ptr_equal(d2, d);

    /* A shared string is not mutated: a private copy is interned. */
    PyObject *e = S("pymodrt-test-intern-shared");
    PyObject *keep = Py_NewRef(e);
    PyUnicode_InternInPlace(&e);
    assert_ptr_not_equal(e, keep);
    assert_false(_Py_IsImmortal(keep));
    assert_int_equal(Py_REFCNT(keep), 1);
    assert_true(_Py_IsImmortal(e));
    assert_int_equal(PyUnicode_Compare(e, keep), 0);
    Py_DECREF(keep);
    PyObject *e2 = PyUnicode_InternFromString("pymodrt-test-intern-shared");
    assert_ptr_equal(e2, e);

    /* The empty string is interned already. */
    assert_ptr_equal(PyUnicode_InternFromString(""), PyUnicode_FromString(""));

    /* Enough distinct names to make the table grow several times. */
    PyObject *first[3000];
    char name[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "pymodrt-grow-%d", i);
        first[i] = PyUnicode_InternFromString(name);
        assert_non_null(first[i]);
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "pymodrt-grow-%d", i);
        assert_ptr_equal(PyUnicode_InternFromString(name), first[i]);
    }
}

#define NTHREADS 4
#define NNAMES 500
static PyObject *thread_results[NTHREADS][NNAMES];

static void *
intern_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    char name[64];
    PyGILState_STATE g = PyGILState_Ensure();

    for (int k = 0; k < NNAMES; k++) {
        int i = (k * 7 + id * 131) % NNAMES;   /* each thread its own order */
        snprintf(name, sizeof(name), "pymodrt-thread-%d", i);
        thread_results[id][i] = PyUnicode_InternFromString(name);
        PyObject *s = PyUnicode_FromString(name);
        PyUnicode_InternInPlace(&s);
        if (s != thread_results[id][i])
            thread_results[id][i] = NULL;
        Py_DECREF(s);
    }
    PyGILState_Release(g);
    return NULL;
}

static void
test_intern_threads(void **state)
{
    (void)state;
    pthread_t th[NTHREADS];
    PyThreadState *save = PyEval_SaveThread();

    for (int t = 0; t < NTHREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, intern_thread, (void *)(intptr_t)t), 0);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    PyEval_RestoreThread(save);
    for (int i = 0; i < NNAMES; i++) {
        assert_non_null(thread_results[0][i]);
        for (int t = 1; t < NTHREADS; t++)
            assert_ptr_equal(thread_results[t][i], thread_results[0][i]);
    }
}

/* ----------------------------------------------------------- FromFormat */

#define FMT(want, ...) assert_str(PyUnicode_FromFormat(__VA_ARGS__), want)

static void
test_fromformat_ints(void **state)
{
    (void)state;
    FMT("%", "%%");
    FMT("[%]", "[%%]");
    FMT("%s", "%%s");
    FMT("a", "%c", 'a');
    FMT("\xe2\x82\xac", "%c", 0x20AC);
    FMT("\xf4\x8f\xbf\xbf", "%c", 0x10FFFF);
    FMT("-123", "%d", -123);
    FMT("-123", "%i", -123);
    FMT("123", "%u", 123u);
    FMT("4294967295", "%u", 4294967295u);
    FMT("-9223372036854775808", "%ld", (long)INT64_MIN);
    FMT("-9223372036854775808", "%li", (long)INT64_MIN);
    FMT("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
    FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    FMT("9223372036854775807", "%lli", (long long)INT64_MAX);
    FMT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
    FMT("-42", "%zd", (Py_ssize_t)-42);
    FMT("-42", "%zi", (Py_ssize_t)-42);
    FMT("42", "%zu", (size_t)42);
    FMT("abc", "%x", 0xabc);
    FMT("ABC", "%X", 0xabc);
    FMT("123", "%o", 0123);
    FMT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
    FMT("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
    FMT("ff", "%zx", (size_t)255);
    FMT("7", "%jd", (intmax_t)7);
    FMT("-7", "%td", (ptrdiff_t)-7);
    /* Width, precision, flags (printf's rules). */
    FMT("010", "%03i", 10);
    FMT("0010", "%0.4i", 10);
    FMT("123", "%2i", 123);
    FMT("       123", "%10i", 123);
    FMT("0000000123", "%010i", 123);
    FMT("123       ", "%-10i", 123);
    FMT("123       ", "%-010i", 123);
    FMT("0000123", "%.7i", 123);
    FMT("   0000123", "%10.7i", 123);
    FMT("0000000123", "%010.7i", 123);
    FMT("0000123   ", "%-10.7i", 123);
    FMT("  -0000123", "%10.7i", -123);
    FMT("-000000123", "%010i", -123);
    FMT("-123      ", "%-10i", -123);
    FMT("   0000abc", "%10.7x", 0xabc);
    FMT("    5", "%5d", 5);
    FMT("5    ", "%-5d", 5);
    FMT("00005", "%05d", 5);
    FMT("     123", "%*i", 8, 123);
    FMT("123     ", "%*i", -8, 123);
    FMT("00123", "%.*i", 5, 123);
    FMT("   00123", "%*.*i", 8, 5, 123);
    /* %p always has the 0x prefix. */
    PyObject *p = PyUnicode_FromFormat("%p", (void *)0xdeadbeef);
    assert_str(p, "0xdeadbeef");
    FMT("x=1 y=-2 z=3!", "x=%d y=%ld z=%zu!", 1, -2L, (size_t)3);
}

static void
test_fromformat_strings(void **state)
{
    (void)state;
    PyObject *abc = S("abc"), *eur = S("\xe2\x82\xac" "ABCDEF"), *t;

    FMT("abc", "%s", "abc");
    FMT("", "%s", "");
    FMT("", "");
    FMT("abc", "%.3s", "abcdef");
    FMT("abc[", "%.6s", "abc[\xe2\x82\xac]");
    FMT("abc[\xe2\x82\xac", "%.7s", "abc[\xe2\x82\xac]");
    FMT("abc[\xef\xbf\xbd", "%.5s", "abc[\xff]");
    FMT("abc[", "%.6s", "abc[\xe2\x82]");
    FMT("abc[\xef\xbf\xbd]", "%.7s", "abc[\xe2\x82]");
    FMT("abc[\xef\xbf\xbd", "%.7s", "abc[\xe2\x82\0");
    FMT("      abc[", "%10.6s", "abc[\xe2\x82\xac]");
    FMT("     abc[\xe2\x82\xac", "%10.7s", "abc[\xe2\x82\xac]");
    FMT("    abc[\xef\xbf\xbd]", "%10.7s", "abc[\xe2\x82]");
    FMT("repr=  abc", "repr=%5s", "abc");
    FMT("repr=ab", "repr=%.2s", "abc");
    FMT("repr=   ab", "repr=%5.2s", "abc");
    FMT("ab   |", "%-5.2s|", "abc");
    FMT("repr=abc\xef\xbf\xbd", "repr=%V", NULL, "abc\xff");
    FMT("  abc", "%*s", 5, "abc");
    FMT("ab", "%.*s", 2, "abc");
    FMT("   ab", "%*.*s", 5, 2, "abc");
    FMT("abc", "%ls", L"abc");
    FMT("   ab", "%5.2ls", L"abc");
    FMT("\xe4\xba\xba", "%.1ls", L"\u4eba\u6c11");

    FMT("repr=  abc", "repr=%5U", abc);
    FMT("repr=ab", "repr=%.2U", abc);
    FMT("repr=   ab", "repr=%5.2U", abc);
    FMT("\xe2\x82\xac" "AB", "%.3U", eur);
    FMT("abc", "%V", abc, "xyz");
    FMT("xyz", "%V", NULL, "xyz");
    FMT("\xe2\x82\xac" "AB", "%.3V", eur, NULL);
    FMT("abc[", "%.6V", NULL, "abc[\xe2\x82\xac]");
    FMT("repr=   ab", "repr=%5.2V", abc, "123");
    FMT("repr=12", "repr=%.2V", NULL, "123");
    FMT("abc", "%lV", NULL, L"abc");

    FMT("repr=  abc", "repr=%5S", abc);
    FMT("repr=ab", "repr=%.2S", abc);
    FMT("\xe2\x82\xac" "AB", "%.3S", eur);
    FMT("repr=   'abc'", "repr=%8R", abc);
    FMT("repr='ab", "repr=%.3R", abc);
    FMT("repr=  'ab", "repr=%5.3R", abc);
    FMT("'\xe2\x82\xac" "ABCDEF'", "%R", eur);
    FMT("'\xe2\x82\xac" "A", "%.3R", eur);
    FMT("'\\u20acABCDEF'", "%A", eur);
    FMT("'\\u20", "%.5A", eur);
    FMT("repr=   'abc'", "repr=%8A", abc);

    PyObject *b = B("x", 1);
    FMT("b'x'", "%R", b);
    FMT("type: str", "type: %T", abc);
    FMT("type: bytes", "type: %T", b);
    FMT("type: st", "type: %.2T", abc);
    FMT("type:        str", "type: %10T", abc);
    FMT("type: str", "type: %#T", abc);
    FMT("type: str", "type: %N", (PyObject *)&PyUnicode_Type);
    FMT("type: st", "type: %.2N", (PyObject *)&PyUnicode_Type);
    FMT("type:        str", "type: %10N", (PyObject *)&PyUnicode_Type);
    FMT("type: bytes", "type: %#N", (PyObject *)&PyBytes_Type);
    FMT("expected str, got bytes", "expected %N, got %T", (PyObject *)&PyUnicode_Type, b);
    Py_DECREF(b);

    /* Errors. */
    assert_null(PyUnicode_FromFormat("%N", abc));
    tu_assert_exc(PyExc_TypeError, "%N argument must be a type");
    assert_null(PyUnicode_FromFormat("unicode\xe9=%s", "ascii"));
    tu_assert_exc(PyExc_ValueError,
        "PyUnicode_FromFormatV() expects an ASCII-encoded format string, got a non-ASCII byte: 0xe9");
    assert_null(PyUnicode_FromFormat("%c", 0x110000));
    tu_assert_exc(PyExc_OverflowError, "character argument not in range(0x110000)");
    assert_null(PyUnicode_FromFormat("%c", -1));
    tu_assert_exc(PyExc_OverflowError, "character argument not in range(0x110000)");
    static const char *const bad[] = {
        "%", "%0", "%01", "%.", "%.1", "%0%s", "%1%s", "%.%s", "%.1%s", "%1abc",
        "%l", "%ll", "%z", "%lls", "%zs", "%5c", "%lc", "%.2p", "%k",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[64];
        assert_null(PyUnicode_FromFormat(bad[i], "abc"));
        snprintf(want, sizeof(want), "invalid format string: %s", bad[i]);
        tu_assert_exc(PyExc_SystemError, want);
    }
    assert_null(PyUnicode_FromFormat("ab %q cd", 1));
    tu_assert_exc(PyExc_SystemError, "invalid format string: %q cd");
    assert_null(PyUnicode_FromFormat("%99999999999999999999d", 1));
    tu_assert_exc(PyExc_ValueError, "width too big");
    assert_null(PyUnicode_FromFormat("%.99999999999999999999d", 1));
    tu_assert_exc(PyExc_ValueError, "precision too big");

    /* The result is a normal str: length in code points, ASCII flag. */
    t = PyUnicode_FromFormat("%s-%d", "\xc3\xa9", 7);
    assert_int_equal(PyUnicode_GetLength(t), 3);
    assert_false(((PyUnicodeObject *)t)->state & PYSTR_ASCII);
    Py_DECREF(t);
    t = PyUnicode_FromFormat("%s-%d", "e", 7);
    assert_true(((PyUnicodeObject *)t)->state & PYSTR_ASCII);
    Py_DECREF(t);

    Py_DECREF(abc);
    Py_DECREF(eur);
}

/* -------------------------------------------------------------- bytes */

static void
check_bytes_repr(const char *in, Py_ssize_t n, const char *want)
{
    PyObject *b = B(in, n);
    PyObject *r = PyObject_Repr(b);
    assert_non_null(r);
    assert_string_equal(PyUnicode_AsUTF8(r), want);
    Py_DECREF(r);
    r = PyObject_Str(b);
    assert_string_equal(PyUnicode_AsUTF8(r), want);
    Py_DECREF(r);
    Py_DECREF(b);
}

static void
test_bytes_api(void **state)
{
    (void)state;
    PyObject *b = PyBytes_FromString("hello"), *s = S("x"), *r;
    char *p;
    Py_ssize_t n;

    assert_true(PyBytes_CheckExact(b));
    assert_int_equal(PyBytes_Size(b), 5);
    assert_string_equal(PyBytes_AsString(b), "hello");
    assert_int_equal(PyBytes_AsStringAndSize(b, &p, &n), 0);
    assert_int_equal(n, 5);
    assert_ptr_equal(p, PyBytes_AS_STRING(b));

    assert_int_equal(PyBytes_Size(s), -1);
    tu_assert_exc(PyExc_TypeError, "expected bytes, str found");
    assert_null(PyBytes_AsString(s));
    tu_assert_exc(PyExc_TypeError, "expected bytes, str found");
    assert_null(PyBytes_FromStringAndSize("x", -1));
    tu_assert_exc(PyExc_SystemError, "Negative size passed to PyBytes_FromStringAndSize");

    PyObject *z = B("a\0b", 3);
    assert_int_equal(PyBytes_AsStringAndSize(z, &p, NULL), -1);
    tu_assert_exc(PyExc_ValueError, "embedded null byte");
    Py_DECREF(z);

    PyObject *e1 = PyBytes_FromStringAndSize(NULL, 0), *e2 = PyBytes_FromString("");
    assert_ptr_equal(e1, e2);
    Py_DECREF(e1);
    Py_DECREF(e2);

    PyObject *acc = Py_NewRef(b);
    PyBytes_Concat(&acc, b);
    assert_string_equal(PyBytes_AS_STRING(acc), "hellohello");
    PyBytes_ConcatAndDel(&acc, PyBytes_FromString("!"));
    assert_string_equal(PyBytes_AS_STRING(acc), "hellohello!");
    PyBytes_Concat(&acc, s);
    assert_null(acc);
    tu_assert_exc(PyExc_TypeError, "can't concat str to bytes");

    PyObject *v = PyBytes_FromStringAndSize(NULL, 3);
    memcpy(PyBytes_AS_STRING(v), "abc", 3);
    assert_int_equal(_PyBytes_Resize(&v, 6), 0);
    assert_int_equal(PyBytes_GET_SIZE(v), 6);
    memcpy(PyBytes_AS_STRING(v) + 3, "def", 3);
    assert_string_equal(PyBytes_AS_STRING(v), "abcdef");
    assert_int_equal(_PyBytes_Resize(&v, 2), 0);
    assert_string_equal(PyBytes_AS_STRING(v), "ab");
    assert_int_equal(_PyBytes_Resize(&v, -1), -1);
    assert_null(v);
    tu_assert_exc(PyExc_SystemError, NULL);

    PyObject *list = PyList_New(0);
    for (int i = 0; i < 3; i++) {
        PyObject *x = PyLong_FromLong(65 + i);
        PyList_Append(list, x);
        Py_DECREF(x);
    }
    r = PyBytes_FromObject(list);
    assert_string_equal(PyBytes_AS_STRING(r), "ABC");
    Py_DECREF(r);
    PyObject *big = PyLong_FromLong(256);
    PyList_Append(list, big);
    Py_DECREF(big);
    assert_null(PyBytes_FromObject(list));
    tu_assert_exc(PyExc_ValueError, "bytes must be in range(0, 256)");
    Py_DECREF(list);
    assert_null(PyBytes_FromObject(s));
    tu_assert_exc(PyExc_TypeError, "cannot convert 'str' object to bytes");
    r = PyBytes_FromObject(b);
    assert_ptr_equal(r, b);
    Py_DECREF(r);

    /* Slots: compare, hash, item, contains. */
    PyObject *h2 = PyBytes_FromString("hello"), *hx = PyBytes_FromString("help");
    r = PyObject_RichCompare(b, h2, Py_EQ);
    assert_ptr_equal(r, Py_True);
    Py_DECREF(r);
    r = PyObject_RichCompare(b, hx, Py_LT);      /* "hello" < "help" */
    assert_ptr_equal(r, Py_True);
    Py_DECREF(r);
    r = PyObject_RichCompare(b, s, Py_EQ);
    assert_ptr_equal(r, Py_False);
    Py_DECREF(r);
    assert_int_equal(PyObject_Hash(b), PyObject_Hash(h2));
    assert_int_equal(PyObject_Hash(b), rt_hash_bytes("hello", 5));
    PyTypeObject *t = Py_TYPE(b);
    r = t->tp_as_sequence->sq_item(b, 1);
    assert_int_equal(PyLong_AsLong(r), 'e');
    Py_DECREF(r);
    assert_null(t->tp_as_sequence->sq_item(b, 5));
    tu_assert_exc(PyExc_IndexError, "index out of range");
    PyObject *ell = PyBytes_FromString("ell");
    assert_int_equal(t->tp_as_sequence->sq_contains(b, ell), 1);
    Py_DECREF(ell);
    PyObject *ch = PyLong_FromLong('o');
    assert_int_equal(t->tp_as_sequence->sq_contains(b, ch), 1);
    Py_DECREF(ch);
    ch = PyLong_FromLong(300);
    assert_int_equal(t->tp_as_sequence->sq_contains(b, ch), -1);
    tu_assert_exc(PyExc_ValueError, "byte must be in range(0, 256)");
    Py_DECREF(ch);
    assert_int_equal(t->tp_as_sequence->sq_contains(b, s), -1);
    tu_assert_exc(PyExc_TypeError, "a bytes-like object is required, not 'str'");

    Py_DECREF(h2);
    Py_DECREF(hx);
    Py_DECREF(b);
    Py_DECREF(s);

    check_bytes_repr("abc", 3, "b'abc'");
    check_bytes_repr("", 0, "b''");
    check_bytes_repr("it's", 4, "b\"it's\"");
    check_bytes_repr("'\"", 2, "b'\\'\"'");
    check_bytes_repr("\t\n\r\\\x00\x7f\x80\xff", 8, "b'\\t\\n\\r\\\\\\x00\\x7f\\x80\\xff'");
}

#define BFMT(want, n, ...) \
    do { \
        PyObject *_b = PyBytes_FromFormat(__VA_ARGS__); \
        assert_non_null(_b); \
        assert_int_equal(PyBytes_GET_SIZE(_b), (n)); \
        assert_memory_equal(PyBytes_AS_STRING(_b), (want), (n)); \
        Py_DECREF(_b); \
    } while (0)

static void
test_bytes_fromformat(void **state)
{
    (void)state;
    BFMT("format", 6, "format");
    BFMT("%", 1, "%%");
    BFMT("[x]", 3, "[%c]", 'x');
    BFMT("\xff", 1, "%c", 255);
    BFMT("\0", 1, "%c", 0);
    BFMT("-1 2 -3 4 -5 6 7 ab", 19, "%d %u %ld %lu %zd %zu %i %x", -1, 2u, -3L, 4UL,
         (Py_ssize_t)-5, (size_t)6, 7, 0xab);
    BFMT("abc", 3, "%s", "abc");
    BFMT("ab", 2, "%.2s", "abc");
    BFMT("abc", 3, "%10s", "abc");          /* widths are ignored */
    BFMT("0x10", 4, "%p", (void *)0x10);
    BFMT("x%y", 3, "x%y");                  /* unknown: rest copied unformatted */
    BFMT("1 %k %d", 7, "%d %k %d", 1, 2);
    assert_null(PyBytes_FromFormat("%c", 256));
    tu_assert_exc(PyExc_OverflowError,
                  "PyBytes_FromFormatV(): %c format expects an integer in range [0; 255]");
    assert_null(PyBytes_FromFormat("%c", -1));
    tu_assert_exc(PyExc_OverflowError, NULL);
}

/* ------------------------------------------------ allocation failures */

struct sweep {
    PyObject *arg1, *arg2;
    PyObject *result;
    int counter;
};

static void
sweep_undo(void *ctx)
{
    struct sweep *c = ctx;
    Py_CLEAR(c->result);
}

static int
op_fromstring(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyUnicode_FromString("some text \xc3\xa9\xe2\x82\xac");
    return c->result ? 0 : -1;
}

static int
op_decode_replace(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyUnicode_DecodeUTF8("ab\xff\xe2\x82\xac\xfe" "cd", 9, "replace");
    return c->result ? 0 : -1;
}

static int
op_concat(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyUnicode_Concat(c->arg1, c->arg2);
    return c->result ? 0 : -1;
}

static int
op_fromformat(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyUnicode_FromFormat("%s|%5d|%R|%U|%-8.3S|%T|%c|%.5s|%10V", "\xc3\xa9t\xc3\xa9",
                                     42, c->arg1, c->arg2, c->arg1, c->arg2, 0x20AC,
                                     "abc\xe2\x82\xac\xff", NULL, "xyz");
    return c->result ? 0 : -1;
}

static int
op_intern(void *ctx)
{
    struct sweep *c = ctx;
    char name[64];
    snprintf(name, sizeof(name), "pymodrt-sweep-%d", c->counter++);
    c->result = PyUnicode_InternFromString(name);
    if (c->result == NULL)
        return -1;
    c->result = NULL;       /* interned: owned by the table */
    return 0;
}

static int
op_intern_inplace(void *ctx)
{
    struct sweep *c = ctx;
    char name[64];
    snprintf(name, sizeof(name), "pymodrt-sweep-inplace-%d", c->counter++);
    PyObject *s = PyUnicode_FromString(name);
    if (s == NULL)
        return -1;
    PyObject *keep = Py_NewRef(s);      /* shared: interning copies */
    PyUnicode_InternInPlace(&s);
    Py_DECREF(keep);
    if (!_Py_IsImmortal(s))
        Py_DECREF(s);                   /* the copy failed: still mortal */
    return 0;
}

static int
op_join(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyUnicode_Join(c->arg2, c->arg1);
    return c->result ? 0 : -1;
}

static int
op_repr(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyObject_Repr(c->arg1);
    return c->result ? 0 : -1;
}

static int
op_encode(void *ctx)
{
    struct sweep *c = ctx;
    c->result = PyUnicode_AsEncodedString(c->arg1, "ascii", "backslashreplace");
    return c->result ? 0 : -1;
}

static int
op_bytes(void *ctx)
{
    struct sweep *c = ctx;
    PyObject *b = PyBytes_FromFormat("%s-%d-%c", "abc", 12, 'z');
    if (b == NULL)
        return -1;
    PyBytes_ConcatAndDel(&b, PyBytes_FromString("tail"));
    if (b == NULL)
        return -1;
    c->result = PyObject_Repr(b);
    Py_DECREF(b);
    return c->result ? 0 : -1;
}

static void
test_alloc_failures(void **state)
{
    (void)state;
    struct sweep c = { 0 };

    assert_true(tu_alloc_failure_sweep(op_fromstring, sweep_undo, &c, PyExc_MemoryError) >= 1);
    assert_true(tu_alloc_failure_sweep(op_decode_replace, sweep_undo, &c, PyExc_MemoryError) >= 1);

    c.arg1 = S("left \xc3\xa9");
    c.arg2 = S("right");
    assert_true(tu_alloc_failure_sweep(op_concat, sweep_undo, &c, PyExc_MemoryError) >= 1);
    assert_true(tu_alloc_failure_sweep(op_fromformat, sweep_undo, &c, NULL) >= 3);
    assert_true(tu_alloc_failure_sweep(op_repr, sweep_undo, &c, PyExc_MemoryError) >= 1);
    assert_true(tu_alloc_failure_sweep(op_encode, sweep_undo, &c, PyExc_MemoryError) >= 1);
    assert_true(tu_alloc_failure_sweep(op_intern, sweep_undo, &c, PyExc_MemoryError) >= 1);
    assert_true(tu_alloc_failure_sweep(op_intern_inplace, sweep_undo, &c, NULL) >= 1);
    Py_DECREF(c.arg1);
    Py_DECREF(c.arg2);

    c.arg1 = PyList_New(0);
    for (int i = 0; i < 40; i++) {
        PyObject *x = PyUnicode_FromFormat("item-%d-%s", i, "\xe2\x82\xac");
        PyList_Append(c.arg1, x);
        Py_DECREF(x);
    }
    c.arg2 = S(", ");
    assert_true(tu_alloc_failure_sweep(op_join, sweep_undo, &c, PyExc_MemoryError) >= 1);
    Py_DECREF(c.arg1);
    Py_DECREF(c.arg2);

    assert_true(tu_alloc_failure_sweep(op_bytes, sweep_undo, &c, PyExc_MemoryError) >= 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_length_readchar_substring),
        cmocka_unit_test(test_subscript_slots),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_hash_bytes),
        cmocka_unit_test(test_concat_append_join),
        cmocka_unit_test(test_find_contains_tailmatch),
        cmocka_unit_test(test_isidentifier),
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_repr),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_intern_threads),
        cmocka_unit_test(test_fromformat_ints),
        cmocka_unit_test(test_fromformat_strings),
        cmocka_unit_test(test_bytes_api),
        cmocka_unit_test(test_bytes_fromformat),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests_name("str", tests, tu_runtime_up, tu_runtime_down);
}
