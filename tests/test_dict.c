/* ctest-labels: unit tsan
 *
 * test_dict.c: the dict (core/dictobject.c): the C API with CPython's
 * semantics and messages, insertion order across deletions and rebuilds,
 * the allocation-free str lookups, allocation-failure sweeps, and a stress
 * test of lock-free readers against a writer (run under ASan and TSan). */
#define PYMODRT_BUILD_CORE 1
#include "testutil.h"
#include "internal/pycore.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------- helpers */

static PyObject *
str(const char *s)
{
    PyObject *o = PyUnicode_FromString(s);
    assert_non_null(o);
    return o;
}

static PyObject *
num(long v)
{
    PyObject *o = PyLong_FromLong(v);
    assert_non_null(o);
    return o;
}

static void
set_s(PyObject *d, const char *k, long v)
{
    PyObject *key = str(k), *val = num(v);
    assert_int_equal(PyDict_SetItem(d, key, val), 0);
    Py_DECREF(key);
    Py_DECREF(val);
}

static long
get_s(PyObject *d, const char *k)
{
    PyObject *v;
    long r;

    assert_int_equal(PyDict_GetItemStringRef(d, k, &v), 1);
    r = PyLong_AsLong(v);
    Py_DECREF(v);
    return r;
}

/* repr(o) compared with 'expected'. */
static void
assert_repr(PyObject *o, const char *expected)
{
    PyObject *r = PyObject_Repr(o);

    tu_assert_no_exc();
    assert_non_null(r);
    assert_string_equal(PyUnicode_AsUTF8(r), expected);
    Py_DECREF(r);
}

/* Keys of d joined with ',' (keys must be str). */
static void
assert_keys(PyObject *d, const char *expected)
{
    char buf[4096] = "";
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    size_t len = 0;

    while (PyDict_Next(d, &pos, &k, &v)) {
        const char *s = PyUnicode_AsUTF8(k);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "", s);
        assert_true(len < sizeof(buf));
    }
    assert_string_equal(buf, expected);
}

/* A key type with a chosen hash and an __eq__ that can misbehave. */
typedef struct {
    PyObject_HEAD
    long id;
    Py_hash_t hash;
} KeyObject;

static int key_eq_mode;          /* 0 normal, 1 raise, 2 mutate key_eq_target */
static PyObject *key_eq_target;
static int key_eq_calls;

static Py_hash_t
key_hash(PyObject *self)
{
    return ((KeyObject *)self)->hash;
}

static PyObject *
key_richcompare(PyObject *a, PyObject *b, int op)
{
    key_eq_calls++;
    if (key_eq_mode == 1) {
        PyErr_SetString(PyExc_RuntimeError, "eq failed");
        return NULL;
    }
    if (key_eq_mode == 2 && key_eq_target != NULL) {
        /* Re-enter the dict being probed: must neither deadlock nor corrupt. */
        PyObject *filler = num(-1);
        char name[32];
        snprintf(name, sizeof(name), "filler%d", key_eq_calls);
        if (PyDict_SetItemString(key_eq_target, name, filler) < 0) {
            Py_DECREF(filler);
            return NULL;
        }
        Py_DECREF(filler);
    }
    if (op != Py_EQ || Py_TYPE(b) != Py_TYPE(a))
        Py_RETURN_NOTIMPLEMENTED;
    return Py_NewRef(((KeyObject *)a)->id == ((KeyObject *)b)->id ? Py_True : Py_False);
}

static void
key_dealloc(PyObject *self)
{
    PyObject_Free(self);
}

static PyTypeObject Key_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "test_dict.Key",
    .tp_basicsize = sizeof(KeyObject),
    .tp_dealloc = key_dealloc,
    .tp_hash = key_hash,
    .tp_richcompare = key_richcompare,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

static PyObject *
new_key(long id, Py_hash_t hash)
{
    KeyObject *k = PyObject_New(KeyObject, &Key_Type);

    assert_non_null(k);
    k->id = id;
    k->hash = hash;
    return (PyObject *)k;
}

static int
group_setup(void **state)
{
    if (tu_runtime_up(state) != 0)
        return -1;
    return PyType_Ready(&Key_Type);
}

/* ---------------------------------------------------------------- basics */

static void
test_new_set_get(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *k = str("alpha"), *v = num(1), *r;

    assert_non_null(d);
    assert_true(PyDict_CheckExact(d));
    assert_int_equal(PyDict_Size(d), 0);
    assert_int_equal(PyDict_GET_SIZE(d), 0);
    assert_null(PyDict_GetItem(d, k));
    assert_int_equal(PyDict_GetItemRef(d, k, &r), 0);
    assert_null(r);
    assert_int_equal(PyDict_Contains(d, k), 0);

    assert_int_equal(PyDict_SetItem(d, k, v), 0);
    assert_int_equal(PyDict_Size(d), 1);
    assert_ptr_equal(PyDict_GetItem(d, k), v);
    assert_ptr_equal(PyDict_GetItemWithError(d, k), v);
    assert_int_equal(PyDict_GetItemRef(d, k, &r), 1);
    assert_ptr_equal(r, v);
    Py_DECREF(r);
    assert_int_equal(PyDict_Contains(d, k), 1);
    assert_int_equal(PyDict_ContainsString(d, "alpha"), 1);
    assert_int_equal(PyDict_ContainsString(d, "beta"), 0);
    assert_ptr_equal(PyDict_GetItemString(d, "alpha"), v);
    assert_null(PyDict_GetItemString(d, "alph"));
    assert_int_equal(PyDict_GetItemStringRef(d, "alpha", &r), 1);
    assert_ptr_equal(r, v);
    Py_DECREF(r);
    assert_int_equal(PyDict_GetItemStringRef(d, "nope", &r), 0);
    assert_null(r);

    /* An equal but distinct str key finds the same entry. */
    PyObject *k2 = str("alpha");
    assert_ptr_not_equal(k2, k);
    assert_ptr_equal(PyDict_GetItem(d, k2), v);
    PyObject *v2 = num(2);
    assert_int_equal(PyDict_SetItem(d, k2, v2), 0);
    assert_int_equal(PyDict_Size(d), 1);
    assert_ptr_equal(PyDict_GetItem(d, k), v2);

    /* SetItemString / DelItemString. */
    assert_int_equal(PyDict_SetItemString(d, "beta", v), 0);
    assert_ptr_equal(PyDict_GetItemString(d, "beta"), v);
    assert_int_equal(PyDict_DelItemString(d, "beta"), 0);
    assert_int_equal(PyDict_ContainsString(d, "beta"), 0);
    tu_assert_no_exc();

    Py_DECREF(k);
    Py_DECREF(k2);
    Py_DECREF(v);
    Py_DECREF(v2);
    Py_DECREF(d);
}

static void
test_int_keys(void **state)
{
    (void)state;
    PyObject *d = PyDict_New();

    for (long i = 0; i < 500; i++) {
        PyObject *k = num(i * 1000003), *v = num(i);
        assert_int_equal(PyDict_SetItem(d, k, v), 0);
        Py_DECREF(k);
        Py_DECREF(v);
    }
    assert_int_equal(PyDict_Size(d), 500);
    for (long i = 0; i < 500; i++) {
        PyObject *k = num(i * 1000003), *v;   /* distinct objects, equal values */
        assert_int_equal(PyDict_GetItemRef(d, k, &v), 1);
        assert_int_equal(PyLong_AsLong(v), i);
        Py_DECREF(v);
        Py_DECREF(k);
    }
    PyObject *k = num(7);
    assert_int_equal(PyDict_Contains(d, k), 0);
    Py_DECREF(k);
    Py_DECREF(d);
}

static void
test_bad_arguments(void **state)
{
    (void)state;
    PyObject *notdict = PyList_New(0), *k = str("k"), *r = Py_None;
    Py_ssize_t pos = 0;

    assert_null(PyDict_GetItem(notdict, k));
    tu_assert_no_exc();
    assert_null(PyDict_GetItemString(notdict, "k"));
    tu_assert_no_exc();
    assert_null(PyDict_GetItemWithError(notdict, k));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_GetItemRef(notdict, k, &r), -1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, NULL);
    r = Py_None;
    assert_int_equal(PyDict_GetItemStringRef(notdict, "k", &r), -1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_SetItem(notdict, k, k), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_SetItemString(notdict, "k", k), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_DelItem(notdict, k), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_DelItemString(notdict, "k"), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_Contains(notdict, k), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_ContainsString(notdict, "k"), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_Size(notdict), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyDict_Keys(notdict));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyDict_Values(notdict));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyDict_Items(notdict));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyDict_Copy(notdict));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_Merge(notdict, notdict, 1), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_Update(notdict, notdict), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_MergeFromSeq2(notdict, notdict, 1), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyDict_SetDefault(notdict, k, k));
    tu_assert_exc(PyExc_SystemError, NULL);
    r = Py_None;
    assert_int_equal(PyDict_SetDefaultRef(notdict, k, k, &r), -1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, NULL);
    r = Py_None;
    assert_int_equal(PyDict_Pop(notdict, k, &r), -1);
    assert_null(r);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_PopString(notdict, "k", NULL), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyDict_Next(notdict, &pos, &r, &r), 0);
    PyDict_Clear(notdict);
    tu_assert_no_exc();
    Py_DECREF(notdict);
    Py_DECREF(k);
}

static void
test_unhashable_key(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *lst = PyList_New(0), *r = Py_None;

    assert_int_equal(PyDict_SetItem(d, lst, Py_None), -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    assert_int_equal(PyDict_GetItemRef(d, lst, &r), -1);
    assert_null(r);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    assert_null(PyDict_GetItemWithError(d, lst));
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    assert_int_equal(PyDict_Contains(d, lst), -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    assert_int_equal(PyDict_DelItem(d, lst), -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    /* PyDict_GetItem swallows the error and keeps a pending one. */
    assert_null(PyDict_GetItem(d, lst));
    tu_assert_no_exc();
    PyErr_SetString(PyExc_ValueError, "pending");
    assert_null(PyDict_GetItem(d, lst));
    tu_assert_exc(PyExc_ValueError, "pending");
    /* dict itself is unhashable. */
    assert_int_equal(PyObject_Hash(d), -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'dict'");
    Py_DECREF(lst);
    Py_DECREF(d);
}

static void
test_delitem_missing(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *k = str("missing"), *r;

    assert_int_equal(PyDict_DelItem(d, k), -1);
    tu_assert_exc(PyExc_KeyError, "'missing'");
    assert_int_equal(PyDict_DelItemString(d, "gone"), -1);
    tu_assert_exc(PyExc_KeyError, "'gone'");
    set_s(d, "present", 1);
    assert_int_equal(PyDict_DelItem(d, k), -1);
    tu_assert_exc(PyExc_KeyError, "'missing'");
    /* d[k] through the mapping protocol. */
    r = PyObject_GetItem(d, k);
    assert_null(r);
    tu_assert_exc(PyExc_KeyError, "'missing'");
    PyObject *ik = num(5);
    assert_null(PyObject_GetItem(d, ik));
    tu_assert_exc(PyExc_KeyError, "5");
    assert_int_equal(PyObject_SetItem(d, ik, k), 0);
    r = PyObject_GetItem(d, ik);
    assert_ptr_equal(r, k);
    Py_DECREF(r);
    assert_int_equal(PyObject_DelItem(d, ik), 0);
    assert_int_equal(PyObject_DelItem(d, ik), -1);
    tu_assert_exc(PyExc_KeyError, "5");
    assert_int_equal(PyObject_Size(d), 1);
    assert_int_equal(PySequence_Contains(d, k), 0);
    PyObject *pk = str("present");
    assert_int_equal(PySequence_Contains(d, pk), 1);
    Py_DECREF(pk);
    Py_DECREF(ik);
    Py_DECREF(k);
    Py_DECREF(d);
}

/* ---------------------------------------------------------------- order */

static void
test_insertion_order(void **state)
{
    (void)state;
    PyObject *d = PyDict_New();
    char name[16], expected[8192] = "";
    size_t len = 0;

    /* 0..199 with every third deleted, then 200..259: several rebuilds. */
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        set_s(d, name, i);
    }
    for (int i = 0; i < 200; i += 3) {
        snprintf(name, sizeof(name), "k%d", i);
        assert_int_equal(PyDict_DelItemString(d, name), 0);
    }
    for (int i = 200; i < 260; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        set_s(d, name, i);
    }
    /* Replacing keeps the position; re-inserting a deleted key appends. */
    set_s(d, "k1", 1001);
    set_s(d, "k0", 1000);
    for (int i = 0; i < 260; i++) {
        if (i < 200 && i % 3 == 0)
            continue;
        len += (size_t)snprintf(expected + len, sizeof(expected) - len, "%sk%d",
                                len ? "," : "", i);
    }
    len += (size_t)snprintf(expected + len, sizeof(expected) - len, ",k0");
    assert_keys(d, expected);
    assert_int_equal(get_s(d, "k1"), 1001);
    assert_int_equal(get_s(d, "k0"), 1000);
    assert_int_equal(PyDict_Size(d), 260 - 67 + 1);

    /* Keys/Values/Items agree with that order. */
    PyObject *keys = PyDict_Keys(d), *values = PyDict_Values(d), *items = PyDict_Items(d);
    assert_int_equal(PyList_Size(keys), PyDict_Size(d));
    assert_int_equal(PyList_Size(values), PyDict_Size(d));
    assert_int_equal(PyList_Size(items), PyDict_Size(d));
    assert_string_equal(PyUnicode_AsUTF8(PyList_GetItem(keys, 0)), "k1");
    assert_int_equal(PyLong_AsLong(PyList_GetItem(values, 0)), 1001);
    PyObject *last = PyList_GetItem(items, PyList_Size(items) - 1);
    assert_string_equal(PyUnicode_AsUTF8(PyTuple_GetItem(last, 0)), "k0");
    assert_int_equal(PyLong_AsLong(PyTuple_GetItem(last, 1)), 1000);
    Py_DECREF(keys);
    Py_DECREF(values);
    Py_DECREF(items);

    /* Delete everything, the dict empties and refills in the new order. */
    PyDict_Clear(d);
    assert_int_equal(PyDict_Size(d), 0);
    assert_keys(d, "");
    set_s(d, "z", 1);
    set_s(d, "a", 2);
    assert_keys(d, "z,a");
    Py_DECREF(d);
}

static void
test_next(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *k, *v;
    Py_ssize_t pos = 0;
    int seen[40] = { 0 }, n = 0;
    char name[16];

    assert_int_equal(PyDict_Next(d, &pos, &k, &v), 0);
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        set_s(d, name, i);
    }
    /* Keys and values may be NULL. */
    pos = 0;
    while (PyDict_Next(d, &pos, NULL, NULL))
        n++;
    assert_int_equal(n, 20);
    /* Inserting during the walk rebuilds the table several times: every key
     * present throughout is still seen exactly once, in order. */
    pos = 0;
    n = 0;
    long last = -1;
    while (PyDict_Next(d, &pos, &k, &v)) {
        long i = PyLong_AsLong(v);
        assert_true(i >= 0 && i < 40);
        seen[i]++;
        assert_true(i > last || i == 10);      /* in insertion order */
        if (i != 10)
            last = i;
        n++;
        if (n == 5) {
            for (int j = 20; j < 40; j++) {
                snprintf(name, sizeof(name), "k%d", j);
                set_s(d, name, j);
            }
            assert_int_equal(PyDict_DelItemString(d, "k10"), 0);
            set_s(d, "k10", 10);    /* re-inserted: seen once, at the end */
        }
    }
    for (int i = 0; i < 40; i++)
        assert_int_equal(seen[i], 1);
    /* A negative or exhausted position ends the walk. */
    pos = -1;
    assert_int_equal(PyDict_Next(d, &pos, &k, &v), 0);
    Py_DECREF(d);
}

/* --------------------------------------------------------- str fast path */

static void
test_getitemstring_no_alloc(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *r;
    char name[16];

    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof(name), "attr_%d", i);
        set_s(d, name, i);
    }
    uint64_t before = pymodrt_mem_allocations();
    for (int i = 0; i < 1000; i++) {
        PyObject *v = PyDict_GetItemString(d, "attr_17");
        assert_non_null(v);
    }
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(PyDict_GetItemStringRef(d, "attr_42", &r), 1);
        Py_DECREF(r);
        assert_int_equal(PyDict_ContainsString(d, "attr_3"), 1);
        assert_int_equal(PyDict_ContainsString(d, "absent"), 0);
        assert_null(PyDict_GetItemString(d, "absent"));
        assert_int_equal(PyDict_GetItemStringRef(d, "absent", &r), 0);
    }
    assert_int_equal(pymodrt_mem_allocations(), before);

    /* The internal helpers for the registry. */
    Py_hash_t h = rt_hash_bytes("attr_5", 6);
    assert_int_equal(PyLong_AsLong(dict_lookup_utf8_borrowed(d, "attr_5", 6, h)), 5);
    assert_null(dict_lookup_utf8_borrowed(d, "attr_", 5, rt_hash_bytes("attr_", 5)));
    assert_int_equal(dict_lookup_utf8_ref(d, "attr_5", 6, h, &r), 1);
    assert_int_equal(PyLong_AsLong(r), 5);
    Py_DECREF(r);
    assert_int_equal(dict_lookup_utf8_ref(d, "attr_x", 6, rt_hash_bytes("attr_x", 6), &r), 0);
    assert_null(r);
    assert_int_equal(pymodrt_mem_allocations(), before);
    Py_DECREF(d);
}

static void
test_str_hash_agrees(void **state)
{
    (void)state;
    const char *samples[] = { "", "a", "__name__", "caf\xc3\xa9", "\xe2\x82\xac uro" };

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        PyObject *s = str(samples[i]);
        assert_int_equal(PyObject_Hash(s), rt_hash_bytes(samples[i], strlen(samples[i])));
        Py_DECREF(s);
    }
    /* Non-ASCII keys through the fast path. */
    PyObject *d = PyDict_New();
    set_s(d, "caf\xc3\xa9", 7);
    assert_int_equal(get_s(d, "caf\xc3\xa9"), 7);
    assert_int_equal(PyDict_ContainsString(d, "caf\xc3\xa8"), 0);
    /* Invalid UTF-8: a miss in GetItemString, an error where CPython raises. */
    PyObject *r = Py_None;
    assert_null(PyDict_GetItemString(d, "bad\xff"));
    tu_assert_no_exc();
    assert_int_equal(PyDict_GetItemStringRef(d, "bad\xff", &r), -1);
    assert_null(r);
    tu_assert_exc(PyExc_UnicodeDecodeError, NULL);
    assert_int_equal(PyDict_ContainsString(d, "bad\xff"), -1);
    tu_assert_exc(PyExc_UnicodeDecodeError, NULL);
    Py_DECREF(d);
}

/* A non-str key with the hash of a str: the str paths must ask it. */
static void
test_str_lookup_non_str_collision(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *r;
    Py_hash_t h = rt_hash_bytes("target", 6);
    PyObject *k = new_key(1, h);

    assert_int_equal(PyDict_SetItem(d, k, Py_True), 0);
    key_eq_calls = 0;
    assert_null(PyDict_GetItemString(d, "target"));
    assert_int_equal(PyDict_GetItemStringRef(d, "target", &r), 0);
    assert_int_equal(PyDict_ContainsString(d, "target"), 0);
    assert_true(key_eq_calls > 0);   /* the slow path compared */
    set_s(d, "target", 5);
    assert_int_equal(get_s(d, "target"), 5);
    assert_ptr_equal(PyDict_GetItem(d, k), Py_True);
    /* The internal helper matches exact str keys only and never calls out. */
    key_eq_calls = 0;
    assert_int_equal(PyLong_AsLong(dict_lookup_utf8_borrowed(d, "target", 6, h)), 5);
    assert_int_equal(key_eq_calls, 0);
    Py_DECREF(k);
    Py_DECREF(d);
}

/* ------------------------------------------------- comparisons calling out */

static void
test_eq_raises_and_mutates(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *a = new_key(1, 42), *b = new_key(2, 42), *c = new_key(1, 42);
    PyObject *r;

    assert_int_equal(PyDict_SetItem(d, a, Py_True), 0);
    /* Same object: no comparison needed. */
    key_eq_mode = 1;
    assert_ptr_equal(PyDict_GetItem(d, a), Py_True);
    /* Equal hash, different object: __eq__ raises. */
    assert_int_equal(PyDict_GetItemRef(d, b, &r), -1);
    tu_assert_exc(PyExc_RuntimeError, "eq failed");
    assert_int_equal(PyDict_Contains(d, b), -1);
    tu_assert_exc(PyExc_RuntimeError, "eq failed");
    assert_int_equal(PyDict_SetItem(d, b, Py_False), -1);
    tu_assert_exc(PyExc_RuntimeError, "eq failed");
    assert_null(PyDict_GetItem(d, b));
    tu_assert_no_exc();
    key_eq_mode = 0;
    /* Equal value, distinct object. */
    assert_ptr_equal(PyDict_GetItem(d, c), Py_True);
    assert_int_equal(PyDict_SetItem(d, b, Py_False), 0);
    assert_int_equal(PyDict_Size(d), 2);

    /* __eq__ that inserts into the dict being probed, for readers and
     * writers (the writer drops its lock around the call). */
    key_eq_mode = 2;
    key_eq_target = d;
    key_eq_calls = 0;
    assert_int_equal(PyDict_GetItemRef(d, c, &r), 1);
    assert_ptr_equal(r, Py_True);
    Py_DECREF(r);
    PyObject *e = new_key(1, 42);
    assert_int_equal(PyDict_SetItem(d, e, Py_None), 0);
    key_eq_mode = 0;
    key_eq_target = NULL;
    int fillers = key_eq_calls;        /* each call inserted one */
    assert_true(fillers >= 2);
    assert_int_equal(PyDict_Size(d), 2 + fillers);
    assert_ptr_equal(PyDict_GetItem(d, a), Py_None);
    assert_ptr_equal(PyDict_GetItem(d, b), Py_False);
    Py_DECREF(e);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
    Py_DECREF(d);
}

/* ------------------------------------------------ copy, merge, update ... */

static void
test_copy_update_merge(void **state)
{
    (void)state;
    PyObject *a = PyDict_New(), *b, *c;

    set_s(a, "x", 1);
    set_s(a, "y", 2);
    set_s(a, "gone", 0);
    assert_int_equal(PyDict_DelItemString(a, "gone"), 0);
    set_s(a, "z", 3);
    b = PyDict_Copy(a);
    assert_non_null(b);
    assert_true(PyDict_CheckExact(b));
    assert_keys(b, "x,y,z");
    assert_int_equal(PyObject_RichCompareBool(a, b, Py_EQ), 1);
    set_s(b, "x", 100);
    assert_int_equal(get_s(a, "x"), 1);          /* independent */
    assert_int_equal(PyObject_RichCompareBool(a, b, Py_EQ), 0);
    assert_int_equal(PyObject_RichCompareBool(a, b, Py_NE), 1);

    c = PyDict_New();
    set_s(c, "z", 30);
    set_s(c, "w", 40);
    assert_int_equal(PyDict_Merge(a, c, 0), 0);   /* keep existing */
    assert_keys(a, "x,y,z,w");
    assert_int_equal(get_s(a, "z"), 3);
    assert_int_equal(PyDict_Update(a, c), 0);      /* override */
    assert_int_equal(get_s(a, "z"), 30);
    assert_int_equal(PyDict_Merge(a, a, 1), 0);    /* self-merge */
    assert_int_equal(PyDict_Size(a), 4);

    /* Copy of an empty dict, and of a dict emptied by deletions. */
    PyObject *e = PyDict_New(), *e2;
    e2 = PyDict_Copy(e);
    assert_int_equal(PyDict_Size(e2), 0);
    set_s(e2, "q", 1);
    assert_int_equal(PyDict_Size(e), 0);
    Py_DECREF(e2);
    Py_DECREF(e);

    /* Update from a non-dict without keys(). */
    PyObject *lst = PyList_New(0);
    assert_int_equal(PyDict_Update(a, lst), -1);
    tu_assert_exc(PyExc_AttributeError, NULL);
    Py_DECREF(lst);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
}

/* A tuple (or, with as_list, a list) of the given items; steals them. */
static PyObject *
seq_of(int as_list, Py_ssize_t n, PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *items[3] = { a, b, c }, *s = as_list ? PyList_New(n) : PyTuple_New(n);

    assert_non_null(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (as_list)
            PyList_SET_ITEM(s, i, items[i]);
        else
            PyTuple_SET_ITEM(s, i, items[i]);
    }
    return s;
}

static void
test_merge_from_seq2(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *seq, *bad;

    set_s(d, "a", 1);
    seq = seq_of(1, 2, seq_of(0, 2, str("a"), num(10), NULL),
                 seq_of(1, 2, str("b"), num(20), NULL), NULL);
    assert_int_equal(PyDict_MergeFromSeq2(d, seq, 0), 0);
    assert_int_equal(get_s(d, "a"), 1);
    assert_int_equal(get_s(d, "b"), 20);
    assert_int_equal(PyDict_MergeFromSeq2(d, seq, 1), 0);
    assert_int_equal(get_s(d, "a"), 10);

    bad = seq_of(1, 2, seq_of(0, 2, str("c"), num(1), NULL), num(5), NULL);
    assert_int_equal(PyDict_MergeFromSeq2(d, bad, 1), -1);
    tu_assert_exc(PyExc_TypeError, "cannot convert dictionary update sequence element #1 "
                                   "to a sequence");
    assert_int_equal(get_s(d, "c"), 1);    /* elements before the bad one stay */
    Py_DECREF(bad);
    bad = seq_of(1, 1, seq_of(0, 3, str("c"), num(1), num(2)), NULL, NULL);
    assert_int_equal(PyDict_MergeFromSeq2(d, bad, 1), -1);
    tu_assert_exc(PyExc_ValueError, "dictionary update sequence element #0 has length 3; "
                                    "2 is required");
    Py_DECREF(bad);
    PyObject *n = num(3);
    assert_int_equal(PyDict_MergeFromSeq2(d, n, 1), -1);
    tu_assert_exc(PyExc_TypeError, "'int' object is not iterable");
    Py_DECREF(n);
    Py_DECREF(seq);
    Py_DECREF(d);
}

static void
test_setdefault_pop_clear(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *k = str("k"), *one = num(1), *two = num(2), *r;

    assert_int_equal(PyDict_SetDefaultRef(d, k, one, &r), 0);
    assert_ptr_equal(r, one);
    Py_DECREF(r);
    assert_int_equal(PyDict_SetDefaultRef(d, k, two, &r), 1);
    assert_ptr_equal(r, one);
    Py_DECREF(r);
    assert_int_equal(PyDict_SetDefaultRef(d, k, two, NULL), 1);
    assert_ptr_equal(PyDict_SetDefault(d, k, two), one);
    PyObject *k2 = str("k2");
    assert_ptr_equal(PyDict_SetDefault(d, k2, two), two);
    assert_int_equal(PyDict_Size(d), 2);

    /* Pop: 1 + value, 0 + NULL for a missing key (no KeyError, as CPython). */
    assert_int_equal(PyDict_Pop(d, k, &r), 1);
    assert_ptr_equal(r, one);
    Py_DECREF(r);
    r = Py_None;
    assert_int_equal(PyDict_Pop(d, k, &r), 0);
    assert_null(r);
    tu_assert_no_exc();
    assert_int_equal(PyDict_Pop(d, k2, NULL), 1);
    assert_int_equal(PyDict_Size(d), 0);
    assert_int_equal(PyDict_Pop(d, k2, NULL), 0);
    set_s(d, "s", 5);
    assert_int_equal(PyDict_PopString(d, "s", &r), 1);
    assert_int_equal(PyLong_AsLong(r), 5);
    Py_DECREF(r);
    assert_int_equal(PyDict_PopString(d, "s", &r), 0);
    assert_null(r);
    PyObject *lst = PyList_New(0);
    set_s(d, "s", 5);
    assert_int_equal(PyDict_Pop(d, lst, &r), -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    Py_DECREF(lst);

    /* Clear releases every key and value. */
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%d", i);
        set_s(d, name, i * 100000);
    }
    int64_t with = tu_mem_settled();
    PyDict_Clear(d);
    assert_true(tu_mem_settled() < with);
    assert_int_equal(PyDict_Size(d), 0);
    PyDict_Clear(d);
    set_s(d, "again", 1);
    assert_int_equal(PyDict_Size(d), 1);
    Py_DECREF(k);
    Py_DECREF(k2);
    Py_DECREF(one);
    Py_DECREF(two);
    Py_DECREF(d);
}

/* ------------------------------------------------------------ the type */

static void
test_repr_compare_iter(void **state)
{
    (void)state;
    PyObject *d = PyDict_New(), *inner = PyDict_New();

    assert_repr(d, "{}");
    set_s(d, "a", 1);
    assert_repr(d, "{'a': 1}");
    set_s(inner, "b", 2);
    assert_int_equal(PyDict_SetItemString(d, "in", inner), 0);
    PyObject *five = num(5);
    assert_int_equal(PyDict_SetItem(d, five, Py_None), 0);
    assert_repr(d, "{'a': 1, 'in': {'b': 2}, 5: None}");
    assert_int_equal(PyDict_SetItemString(inner, "outer", d), 0);   /* a cycle */
    assert_repr(d, "{'a': 1, 'in': {'b': 2, 'outer': {...}}, 5: None}");
    assert_int_equal(PyDict_DelItemString(inner, "outer"), 0);      /* break it */

    /* == and != compare items; ordering comparisons are not supported. */
    PyObject *e = PyDict_Copy(d);
    assert_int_equal(PyObject_RichCompareBool(d, e, Py_EQ), 1);
    assert_int_equal(PyDict_DelItem(e, five), 0);
    assert_int_equal(PyObject_RichCompareBool(d, e, Py_EQ), 0);
    assert_int_equal(PyDict_SetItem(e, five, Py_False), 0);
    assert_int_equal(PyObject_RichCompareBool(d, e, Py_EQ), 0);
    assert_int_equal(PyObject_RichCompareBool(d, e, Py_NE), 1);
    assert_null(PyObject_RichCompare(d, e, Py_LT));
    tu_assert_exc(PyExc_TypeError, "'<' not supported between instances of 'dict' and 'dict'");

    /* iter(d) yields the keys in order. */
    PyObject *it = PyObject_GetIter(d), *item;
    int n = 0;
    assert_non_null(it);
    while ((item = PyIter_Next(it)) != NULL) {
        if (n == 0)
            assert_string_equal(PyUnicode_AsUTF8(item), "a");
        n++;
        Py_DECREF(item);
    }
    tu_assert_no_exc();
    assert_int_equal(n, 3);
    Py_DECREF(it);

    /* dict() through the type. */
    PyObject *made = PyObject_CallNoArgs((PyObject *)&PyDict_Type);
    assert_non_null(made);
    assert_true(PyDict_CheckExact(made));
    assert_int_equal(PyDict_Size(made), 0);
    Py_DECREF(made);
    made = PyObject_CallOneArg((PyObject *)&PyDict_Type, d);
    assert_non_null(made);
    assert_int_equal(PyObject_RichCompareBool(made, d, Py_EQ), 1);
    Py_DECREF(made);

    Py_DECREF(five);
    Py_DECREF(e);
    Py_DECREF(inner);
    Py_DECREF(d);
}

/* ------------------------------------------------- allocation failures */

struct setitem_ctx {
    PyObject *d, *key, *value;
};

static int
op_setitem(void *p)
{
    struct setitem_ctx *c = p;
    return PyDict_SetItem(c->d, c->key, c->value);
}

static void
undo_setitem(void *p)
{
    struct setitem_ctx *c = p;
    if (PyDict_Contains(c->d, c->key) == 1)
        assert_int_equal(PyDict_DelItem(c->d, c->key), 0);
    /* A dict left unchanged by a failure still holds its old entries. */
    assert_int_equal(PyDict_ContainsString(c->d, "stay"), 1);
}

static void
test_alloc_failure_setitem(void **state)
{
    (void)state;
    struct setitem_ctx c = { PyDict_New(), str("new"), num(123456789) };

    set_s(c.d, "stay", 1);
    /* Fill to just below a rebuild (5 entries fit the first table), then
     * sweep the insert that rebuilds. */
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof(name), "fill%d", i);
        set_s(c.d, name, i);
    }
    assert_int_equal(PyDict_Size(c.d), 5);
    int n = tu_alloc_failure_sweep(op_setitem, undo_setitem, &c, PyExc_MemoryError);
    assert_true(n >= 1);
    /* Replacing a value allocates nothing. */
    assert_int_equal(PyDict_SetItem(c.d, c.key, c.value), 0);
    assert_int_equal(tu_alloc_failure_sweep(op_setitem, NULL, &c, PyExc_MemoryError), 0);
    Py_DECREF(c.d);
    Py_DECREF(c.key);
    Py_DECREF(c.value);
}

static int
op_setitem_first(void *p)
{
    struct setitem_ctx *c = p;
    return PyDict_SetItem(c->d, c->key, c->value);
}

static void
undo_clear(void *p)
{
    struct setitem_ctx *c = p;
    PyDict_Clear(c->d);
    assert_int_equal(PyDict_Size(c->d), 0);
}

static void
test_alloc_failure_first_insert(void **state)
{
    (void)state;
    struct setitem_ctx c = { PyDict_New(), str("first"), num(987654321) };

    assert_true(tu_alloc_failure_sweep(op_setitem_first, undo_clear, &c, PyExc_MemoryError) >= 1);
    Py_DECREF(c.d);
    Py_DECREF(c.key);
    Py_DECREF(c.value);
}

struct setstr_ctx {
    PyObject *d;
};

static int
op_setitemstring(void *p)
{
    struct setstr_ctx *c = p;
    return PyDict_SetItemString(c->d, "interned_name", Py_None);
}

static void
undo_setitemstring(void *p)
{
    struct setstr_ctx *c = p;
    PyDict_Clear(c->d);
}

static void
test_alloc_failure_setitemstring(void **state)
{
    (void)state;
    struct setstr_ctx c = { PyDict_New() };
    /* Intern the name first: the interned table then stays as it is. */
    PyObject *keep = PyUnicode_InternFromString("interned_name");

    assert_non_null(keep);
    assert_true(tu_alloc_failure_sweep(op_setitemstring, undo_setitemstring, &c,
                                       PyExc_MemoryError) >= 1);
    Py_DECREF(keep);
    Py_DECREF(c.d);
}

struct copy_ctx {
    PyObject *d, *copy;
    int what;
};

static int
op_copy(void *p)
{
    struct copy_ctx *c = p;
    switch (c->what) {
    case 0: c->copy = PyDict_Copy(c->d); break;
    case 1: c->copy = PyDict_Keys(c->d); break;
    case 2: c->copy = PyDict_Items(c->d); break;
    default: c->copy = PyObject_Repr(c->d); break;
    }
    return c->copy != NULL ? 0 : -1;
}

static void
undo_copy(void *p)
{
    struct copy_ctx *c = p;
    Py_CLEAR(c->copy);
}

static void
test_alloc_failure_copy(void **state)
{
    (void)state;
    struct copy_ctx c = { PyDict_New(), NULL, 0 };

    for (int i = 0; i < 30; i++) {
        char name[16];
        snprintf(name, sizeof(name), "n%d", i);
        set_s(c.d, name, i);
    }
    for (c.what = 0; c.what < 4; c.what++)
        assert_true(tu_alloc_failure_sweep(op_copy, undo_copy, &c, PyExc_MemoryError) >= 1);
    Py_DECREF(c.d);
}

/* ----------------------------------------------------------------- stress */

#define NPERM 64
#define NCHURN 256
#define NSTABLE 16
#define NREADERS 3
#define PERM_BASE 1000000
#define CHURN_BASE 2000000
#define STABLE_BASE 3000000

static struct {
    PyObject *d;
    PyObject *perm_keys[NPERM];
    PyObject *churn_keys[NCHURN];
    PyObject *stable_vals[NSTABLE];
    char perm_names[NPERM][16];
    char churn_names[NCHURN][16];
    char stable_names[NSTABLE][16];
    atomic_int stop;
    atomic_long lost, torn, walk_errors, lookups, walks, writes;
} st;

static uint64_t
rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* The id encoded in a key string ("p12" -> PERM_BASE + 12, ...). */
static long
expected_value(PyObject *key)
{
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(key, &n);
    long base;

    if (s == NULL || n < 2)
        return -1;
    switch (s[0]) {
    case 'p': base = PERM_BASE; break;
    case 'c': base = CHURN_BASE; break;
    case 's': base = STABLE_BASE; break;
    default: return -1;
    }
    return base + strtol(s + 1, NULL, 10);
}

static void *
reader_main(void *arg)
{
    uint64_t rng = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
    PyGILState_STATE g = PyGILState_Ensure();
    long n = 0;

    while (!atomic_load_explicit(&st.stop, memory_order_relaxed)) {
        int i = (int)(rng_next(&rng) % NPERM);
        int c = (int)(rng_next(&rng) % NCHURN);
        int s = (int)(rng_next(&rng) % NSTABLE);
        PyObject *v;

        /* Permanent keys are always found, with their own value. */
        if (PyDict_GetItemRef(st.d, st.perm_keys[i], &v) != 1) {
            atomic_fetch_add(&st.lost, 1);
        }
        else {
            if (PyLong_AsLong(v) != PERM_BASE + i)
                atomic_fetch_add(&st.torn, 1);
            Py_DECREF(v);
        }
        if (PyDict_GetItemStringRef(st.d, st.perm_names[i], &v) != 1) {
            atomic_fetch_add(&st.lost, 1);
        }
        else {
            if (PyLong_AsLong(v) != PERM_BASE + i)
                atomic_fetch_add(&st.torn, 1);
            Py_DECREF(v);
        }
        if (PyDict_Contains(st.d, st.perm_keys[i]) != 1 ||
            PyDict_ContainsString(st.d, st.perm_names[i]) != 1)
            atomic_fetch_add(&st.lost, 1);
        /* Stable keys are never replaced: the borrowed result is safe. */
        v = PyDict_GetItemString(st.d, st.stable_names[s]);
        if (v != st.stable_vals[s])
            atomic_fetch_add(v == NULL ? &st.lost : &st.torn, 1);
        /* Churn keys come and go; when found, the value must be theirs. */
        int r = PyDict_GetItemRef(st.d, st.churn_keys[c], &v);
        if (r < 0) {
            atomic_fetch_add(&st.torn, 1);
        }
        else if (r == 1) {
            if (PyLong_AsLong(v) != CHURN_BASE + c)
                atomic_fetch_add(&st.torn, 1);
            Py_DECREF(v);
        }
        r = PyDict_GetItemStringRef(st.d, st.churn_names[c], &v);
        if (r == 1) {
            if (PyLong_AsLong(v) != CHURN_BASE + c)
                atomic_fetch_add(&st.torn, 1);
            Py_DECREF(v);
        }
        n++;

        /* A full walk with PyDict_Next, inside an epoch section so the
         * borrowed keys and values stay valid while checked. */
        if ((n & 63) == 0) {
            unsigned char seen[NPERM] = { 0 };
            Py_ssize_t pos = 0;
            PyObject *k;

            rt_epoch_enter();
            while (PyDict_Next(st.d, &pos, &k, &v)) {
                long want = expected_value(k);
                if (want < 0 || PyLong_AsLong(v) != want)
                    atomic_fetch_add(&st.torn, 1);
                if (want >= PERM_BASE && want < PERM_BASE + NPERM)
                    seen[want - PERM_BASE]++;
            }
            rt_epoch_exit();
            for (int j = 0; j < NPERM; j++) {
                if (seen[j] != 1)
                    atomic_fetch_add(&st.walk_errors, 1);
            }
            atomic_fetch_add(&st.walks, 1);
        }
    }
    atomic_fetch_add(&st.lookups, n);
    PyGILState_Release(g);
    return NULL;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *
writer_main(void *arg)
{
    uint64_t rng = 88172645463325252ull;
    PyGILState_STATE g = PyGILState_Ensure();
    double end = now_s() + *(double *)arg;
    long n = 0;

    while (now_s() < end) {
        for (int burst = 0; burst < 64; burst++) {
            uint64_t x = rng_next(&rng);
            int op = (int)(x % 8);
            if (op < 2) {
                /* Replace a permanent key's value with a fresh object. */
                int i = (int)((x >> 8) % NPERM);
                PyObject *v = PyLong_FromLong(PERM_BASE + i);
                if (PyDict_SetItem(st.d, st.perm_keys[i], v) < 0)
                    atomic_fetch_add(&st.torn, 1);
                Py_DECREF(v);
            }
            else if (op < 5) {
                int c = (int)((x >> 8) % NCHURN);
                PyObject *v = PyLong_FromLong(CHURN_BASE + c);
                if (PyDict_SetItem(st.d, st.churn_keys[c], v) < 0)
                    atomic_fetch_add(&st.torn, 1);
                Py_DECREF(v);
            }
            else if (op < 7) {
                int c = (int)((x >> 8) % NCHURN);
                if (PyDict_Pop(st.d, st.churn_keys[c], NULL) < 0)
                    atomic_fetch_add(&st.torn, 1);
            }
            else {
                /* Delete by a distinct equal key object, re-add by name. */
                int c = (int)((x >> 8) % NCHURN);
                PyObject *k = PyUnicode_FromString(st.churn_names[c]);
                if (PyDict_Contains(st.d, k) == 1 && PyDict_DelItem(st.d, k) < 0)
                    atomic_fetch_add(&st.torn, 1);
                Py_DECREF(k);
            }
            n++;
        }
    }
    atomic_fetch_add(&st.writes, n);
    PyGILState_Release(g);
    return NULL;
}

static void
test_stress_readers_writer(void **state)
{
    (void)state;
    pthread_t readers[NREADERS], writer;
    double seconds = 1.0;

    memset(&st, 0, sizeof(st));
    st.d = PyDict_New();
    for (int i = 0; i < NPERM; i++) {
        snprintf(st.perm_names[i], sizeof(st.perm_names[i]), "p%d", i);
        st.perm_keys[i] = str(st.perm_names[i]);
        PyObject *v = num(PERM_BASE + i);
        assert_int_equal(PyDict_SetItem(st.d, st.perm_keys[i], v), 0);
        Py_DECREF(v);
    }
    for (int i = 0; i < NSTABLE; i++) {
        snprintf(st.stable_names[i], sizeof(st.stable_names[i]), "s%d", i);
        st.stable_vals[i] = num(STABLE_BASE + i);
        assert_int_equal(PyDict_SetItemString(st.d, st.stable_names[i], st.stable_vals[i]), 0);
    }
    for (int i = 0; i < NCHURN; i++) {
        snprintf(st.churn_names[i], sizeof(st.churn_names[i]), "c%d", i);
        st.churn_keys[i] = str(st.churn_names[i]);
    }

    for (int i = 0; i < NREADERS; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, reader_main,
                                        (void *)(uintptr_t)(i + 1)), 0);
    assert_int_equal(pthread_create(&writer, NULL, writer_main, &seconds), 0);
    pthread_join(writer, NULL);
    atomic_store(&st.stop, 1);
    for (int i = 0; i < NREADERS; i++)
        pthread_join(readers[i], NULL);

    print_message("stress: %ld lookups, %ld walks, %ld writes\n",
                  atomic_load(&st.lookups), atomic_load(&st.walks), atomic_load(&st.writes));
    assert_int_equal(atomic_load(&st.lost), 0);
    assert_int_equal(atomic_load(&st.torn), 0);
    assert_int_equal(atomic_load(&st.walk_errors), 0);
    assert_true(atomic_load(&st.lookups) > 0);
    assert_true(atomic_load(&st.walks) > 0);
    assert_true(atomic_load(&st.writes) > 0);

    /* The survivors are intact. */
    for (int i = 0; i < NPERM; i++)
        assert_int_equal(get_s(st.d, st.perm_names[i]), PERM_BASE + i);
    assert_int_equal(PyDict_Size(st.d) >= NPERM + NSTABLE, 1);

    Py_DECREF(st.d);
    for (int i = 0; i < NPERM; i++)
        Py_DECREF(st.perm_keys[i]);
    for (int i = 0; i < NCHURN; i++)
        Py_DECREF(st.churn_keys[i]);
    for (int i = 0; i < NSTABLE; i++)
        Py_DECREF(st.stable_vals[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_set_get),
        cmocka_unit_test(test_int_keys),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_unhashable_key),
        cmocka_unit_test(test_delitem_missing),
        cmocka_unit_test(test_insertion_order),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_getitemstring_no_alloc),
        cmocka_unit_test(test_str_hash_agrees),
        cmocka_unit_test(test_str_lookup_non_str_collision),
        cmocka_unit_test(test_eq_raises_and_mutates),
        cmocka_unit_test(test_copy_update_merge),
        cmocka_unit_test(test_merge_from_seq2),
        cmocka_unit_test(test_setdefault_pop_clear),
        cmocka_unit_test(test_repr_compare_iter),
        cmocka_unit_test(test_alloc_failure_setitem),
        cmocka_unit_test(test_alloc_failure_first_insert),
        cmocka_unit_test(test_alloc_failure_setitemstring),
        cmocka_unit_test(test_alloc_failure_copy),
        cmocka_unit_test(test_stress_readers_writer),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_runtime_down);
}
