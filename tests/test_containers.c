/* test_containers.c: tuple, list and capsule.  ctest-labels: unit tsan
 *
 * The C API with its exact messages, repr, slices, sorting, the sequence
 * and mapping slots, capsules, allocation failure at every allocation, and
 * threads: appends/reads/replacements on one shared list, reads of a shared
 * tuple of shared objects, and exact reference counts when four threads
 * incref/decref one mortal object and the immortal singletons
 * (test_refcount_threads). */
#define PYMODRT_BUILD_CORE 1
#include "testutil.h"
#include "internal/pycore.h"

#include <pthread.h>

/* ------------------------------------------------------------- helpers */

static void
assert_repr_at(PyObject *o, const char *expected, const char *file, int line)
{
    PyObject *r = PyObject_Repr(o);

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
#define assert_repr(o, s) assert_repr_at((o), (s), __FILE__, __LINE__)

static PyObject *
I(long v)
{
    return PyLong_FromLong(v);
}

/* A list of the given ints. */
static PyObject *
int_list(int n, const long *v)
{
    PyObject *l = PyList_New(n);
    for (int i = 0; i < n; i++)
        PyList_SET_ITEM(l, i, I(v[i]));
    return l;
}
#define INTS(...) int_list((int)(sizeof((long[]){__VA_ARGS__}) / sizeof(long)), (long[]){__VA_ARGS__})

static long
item_long(PyObject *seq, Py_ssize_t i)
{
    PyObject *o = PyList_Check(seq) ? PyList_GetItem(seq, i) : PyTuple_GetItem(seq, i);
    assert_non_null(o);
    return PyLong_AsLong(o);
}

/* ------------------------------------------------------------------ tuple */

static void
test_tuple_basics(void **state)
{
    (void)state;
    PyObject *e = PyTuple_New(0);
    assert_ptr_equal(e, PyTuple_New(0));
    assert_true(_Py_IsImmortal(e));
    assert_int_equal(PyTuple_Size(e), 0);
    assert_repr(e, "()");
    assert_ptr_equal(PyTuple_Pack(0), e);
    assert_ptr_equal(PyTuple_FromArray(NULL, 0), e);

    assert_null(PyTuple_New(-1));
    tu_assert_exc(PyExc_SystemError, NULL);

    PyObject *t = PyTuple_New(2);
    assert_int_equal(PyTuple_SetItem(t, 0, I(1)), 0);
    assert_int_equal(PyTuple_SetItem(t, 1, PyUnicode_FromString("a")), 0);
    assert_repr(t, "(1, 'a')");
    assert_int_equal(PyTuple_Size(t), 2);
    assert_int_equal(PyLong_AsLong(PyTuple_GetItem(t, 0)), 1);
    assert_null(PyTuple_GetItem(t, 2));
    tu_assert_exc(PyExc_IndexError, "tuple index out of range");
    assert_null(PyTuple_GetItem(t, -1));
    tu_assert_exc(PyExc_IndexError, "tuple index out of range");

    /* SetItem out of range steals (and drops) the item. */
    PyObject *big = I(5000);
    Py_INCREF(big);
    assert_int_equal(PyTuple_SetItem(t, 2, big), -1);
    tu_assert_exc(PyExc_IndexError, "tuple assignment index out of range");
    assert_int_equal(Py_REFCNT(big), 1);
    /* ... and on a shared tuple it is a SystemError. */
    Py_INCREF(t);
    Py_INCREF(big);
    assert_int_equal(PyTuple_SetItem(t, 0, big), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(Py_REFCNT(big), 1);
    Py_DECREF(t);
    Py_INCREF(big);
    assert_int_equal(PyTuple_SetItem(Py_None, 0, big), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(Py_REFCNT(big), 1);
    assert_int_equal(PyTuple_Size(Py_None), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyTuple_GetItem(Py_None, 0));
    tu_assert_exc(PyExc_SystemError, NULL);
    /* Replacing an item drops the old one. */
    Py_INCREF(big);
    assert_int_equal(PyTuple_SetItem(t, 0, big), 0);
    assert_int_equal(Py_REFCNT(big), 2);
    Py_DECREF(t);
    assert_int_equal(Py_REFCNT(big), 1);
    Py_DECREF(big);

    PyObject *one = I(1), *two = I(2);
    t = PyTuple_Pack(1, one);
    assert_repr(t, "(1,)");
    Py_DECREF(t);
    t = PyTuple_Pack(2, one, two);
    assert_repr(t, "(1, 2)");
    assert_true(PyObject_Hash(t) == -3550055125485641917LL);
    assert_true(PyObject_Hash(e) == 5740354900026072187LL);
    PyObject *nested = PyTuple_Pack(2, t, e);
    assert_repr(nested, "((1, 2), ())");
    Py_DECREF(nested);

    /* Slices clamp like CPython's. */
    PyObject *s = PyTuple_GetSlice(t, 0, 2);
    assert_ptr_equal(s, t);
    Py_DECREF(s);
    s = PyTuple_GetSlice(t, 1, 100);
    assert_repr(s, "(2,)");
    Py_DECREF(s);
    s = PyTuple_GetSlice(t, -5, 1);
    assert_repr(s, "(1,)");
    Py_DECREF(s);
    assert_ptr_equal(PyTuple_GetSlice(t, 2, 1), e);
    assert_null(PyTuple_GetSlice(Py_None, 0, 1));
    tu_assert_exc(PyExc_SystemError, NULL);
    Py_DECREF(t);

    PyObject *arr[3] = {one, two, one};
    t = PyTuple_FromArray(arr, 3);
    assert_repr(t, "(1, 2, 1)");
    Py_DECREF(t);

    /* An unhashable item makes the tuple unhashable. */
    PyObject *l = PyList_New(0);
    t = PyTuple_Pack(1, l);
    assert_true(PyObject_Hash(t) == -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    assert_repr(t, "([],)");
    Py_DECREF(t);
    Py_DECREF(l);
}

static void
test_tuple_compare_and_slots(void **state)
{
    (void)state;
    PyObject *a = PyTuple_Pack(2, I(1), I(2)), *b = PyTuple_Pack(2, I(1), I(3));
    PyObject *c = PyTuple_Pack(1, I(1));

    assert_int_equal(PyObject_RichCompareBool(a, b, Py_LT), 1);
    assert_int_equal(PyObject_RichCompareBool(a, b, Py_EQ), 0);
    assert_int_equal(PyObject_RichCompareBool(a, b, Py_NE), 1);
    assert_int_equal(PyObject_RichCompareBool(c, a, Py_LT), 1);
    assert_int_equal(PyObject_RichCompareBool(a, c, Py_GE), 1);
    PyObject *a2 = PyTuple_GetSlice(b, 0, 1);
    assert_int_equal(PyObject_RichCompareBool(a2, c, Py_EQ), 1);
    Py_DECREF(a2);
    PyObject *s = PyTuple_Pack(1, Py_None);
    assert_int_equal(PyObject_RichCompareBool(c, s, Py_LT), -1);
    tu_assert_exc(PyExc_TypeError, "'<' not supported between instances of 'int' and 'NoneType'");
    Py_DECREF(s);

    PySequenceMethods *sq = PyTuple_Type.tp_as_sequence;
    assert_int_equal(sq->sq_length(a), 2);
    PyObject *x = sq->sq_item(a, 1);
    assert_int_equal(PyLong_AsLong(x), 2);
    Py_DECREF(x);
    assert_null(sq->sq_item(a, 2));
    tu_assert_exc(PyExc_IndexError, "tuple index out of range");
    PyObject *two = I(2), *nine = I(9);
    assert_int_equal(sq->sq_contains(a, two), 1);
    assert_int_equal(sq->sq_contains(a, nine), 0);
    PyObject *cat = PyNumber_Add(a, b);
    assert_repr(cat, "(1, 2, 1, 3)");
    Py_DECREF(cat);
    cat = PyNumber_Multiply(c, two);
    assert_repr(cat, "(1, 1)");
    Py_DECREF(cat);
    assert_null(sq->sq_concat(a, Py_None));
    tu_assert_exc(PyExc_TypeError, "can only concatenate tuple (not \"NoneType\") to tuple");

    PyObject *m1 = I(-1), *str = PyUnicode_FromString("k");
    x = PyObject_GetItem(a, m1);
    assert_int_equal(PyLong_AsLong(x), 2);
    Py_DECREF(x);
    assert_null(PyObject_GetItem(a, str));
    tu_assert_exc(PyExc_TypeError, "tuple indices must be integers or slices, not str");
    assert_int_equal(PySequence_Contains(a, two), 1);

    PyObject *it = PyObject_GetIter(b), *item;
    long sum = 0;
    while ((item = PyIter_Next(it)) != NULL) {
        sum += PyLong_AsLong(item);
        Py_DECREF(item);
    }
    tu_assert_no_exc();
    assert_int_equal(sum, 4);
    Py_DECREF(it);

    Py_DECREF(m1);
    Py_DECREF(str);
    Py_DECREF(two);
    Py_DECREF(nine);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
}

static void
test_tuple_resize(void **state)
{
    (void)state;
    PyObject *t = PyTuple_New(2);
    PyTuple_SET_ITEM(t, 0, I(10));
    PyTuple_SET_ITEM(t, 1, I(20));
    assert_int_equal(_PyTuple_Resize(&t, 4), 0);
    assert_int_equal(PyTuple_GET_SIZE(t), 4);
    assert_null(PyTuple_GET_ITEM(t, 3));
    PyTuple_SET_ITEM(t, 2, I(30));
    PyTuple_SET_ITEM(t, 3, I(40));
    assert_repr(t, "(10, 20, 30, 40)");
    assert_int_equal(_PyTuple_Resize(&t, 1), 0);
    assert_repr(t, "(10,)");
    assert_int_equal(_PyTuple_Resize(&t, 0), 0);
    assert_ptr_equal(t, PyTuple_New(0));
    assert_int_equal(_PyTuple_Resize(&t, 2), 0);
    assert_int_equal(PyTuple_GET_SIZE(t), 2);
    PyTuple_SET_ITEM(t, 0, I(1));
    PyTuple_SET_ITEM(t, 1, I(2));
    /* A shared tuple cannot be resized: SystemError, *pv cleared, the
     * caller's reference dropped. */
    PyObject *keep = Py_NewRef(t);
    assert_int_equal(_PyTuple_Resize(&t, 3), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(t);
    assert_int_equal(Py_REFCNT(keep), 1);
    Py_DECREF(keep);
    PyObject *l = PyList_New(0);
    assert_int_equal(_PyTuple_Resize(&l, 3), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(l);
}

/* ------------------------------------------------------------------- list */

static void
test_list_basics(void **state)
{
    (void)state;
    PyObject *l = PyList_New(0);

    assert_repr(l, "[]");
    assert_int_equal(PyList_Size(l), 0);
    for (long i = 0; i < 100; i++) {
        PyObject *v = I(i * 1000);
        assert_int_equal(PyList_Append(l, v), 0);
        Py_DECREF(v);
    }
    assert_int_equal(PyList_Size(l), 100);
    assert_int_equal(PyList_GET_SIZE(l), 100);
    assert_int_equal(item_long(l, 99), 99000);
    assert_null(PyList_GetItem(l, 100));
    tu_assert_exc(PyExc_IndexError, "list index out of range");
    assert_null(PyList_GetItem(l, -1));
    tu_assert_exc(PyExc_IndexError, "list index out of range");
    PyObject *r = PyList_GetItemRef(l, 5);
    assert_int_equal(PyLong_AsLong(r), 5000);
    assert_int_equal(Py_REFCNT(r), 2);
    Py_DECREF(r);
    assert_null(PyList_GetItemRef(l, 100));
    tu_assert_exc(PyExc_IndexError, "list index out of range");
    assert_null(PyList_GetItemRef(Py_None, 0));
    tu_assert_exc(PyExc_TypeError, "expected a list");
    assert_null(PyList_GetItem(Py_None, 0));
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyList_Size(Py_None), -1);
    tu_assert_exc(PyExc_SystemError, NULL);

    PyObject *v = I(123456);
    Py_INCREF(v);
    assert_int_equal(PyList_SetItem(l, 100, v), -1);
    tu_assert_exc(PyExc_IndexError, "list assignment index out of range");
    assert_int_equal(Py_REFCNT(v), 1);
    Py_INCREF(v);
    assert_int_equal(PyList_SetItem(Py_None, 0, v), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(Py_REFCNT(v), 1);
    PyObject *old = PyList_GetItemRef(l, 2);
    assert_int_equal(Py_REFCNT(old), 2);
    Py_INCREF(v);
    assert_int_equal(PyList_SetItem(l, 2, v), 0);
    assert_int_equal(Py_REFCNT(old), 1);
    Py_DECREF(old);
    assert_int_equal(item_long(l, 2), 123456);
    Py_DECREF(v);

    assert_int_equal(PyList_Append(l, NULL), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyList_Append(Py_None, v), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_null(PyList_New(-1));
    tu_assert_exc(PyExc_SystemError, NULL);
    Py_DECREF(l);

    /* Insert clamps and counts negatives from the end. */
    l = INTS(1, 2, 3);
    PyObject *x = I(9);
    assert_int_equal(PyList_Insert(l, 0, x), 0);
    assert_int_equal(PyList_Insert(l, -1, x), 0);
    assert_int_equal(PyList_Insert(l, 100, x), 0);
    assert_int_equal(PyList_Insert(l, -100, x), 0);
    assert_repr(l, "[9, 9, 1, 2, 9, 3, 9]");
    assert_int_equal(PyList_Insert(l, 0, NULL), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    Py_DECREF(x);

    /* repr of a recursive list and of mixed items. */
    assert_int_equal(PyList_Append(l, l), 0);
    PyObject *s = PyUnicode_FromString("a'b");
    PyList_Append(l, s);
    Py_DECREF(s);
    assert_repr(l, "[9, 9, 1, 2, 9, 3, 9, [...], \"a'b\"]");
    assert_int_equal(PyList_Clear(l), 0);   /* breaks the cycle */
    assert_int_equal(PyList_Size(l), 0);
    assert_repr(l, "[]");
    Py_DECREF(l);
}

static void
test_list_slices(void **state)
{
    (void)state;
    PyObject *l = INTS(0, 1, 2, 3, 4, 5), *s, *t;

    s = PyList_GetSlice(l, 1, 3);
    assert_repr(s, "[1, 2]");
    Py_DECREF(s);
    s = PyList_GetSlice(l, -3, 100);
    assert_repr(s, "[0, 1, 2, 3, 4, 5]");
    Py_DECREF(s);
    s = PyList_GetSlice(l, 4, 2);
    assert_repr(s, "[]");
    Py_DECREF(s);
    assert_null(PyList_GetSlice(Py_None, 0, 1));
    tu_assert_exc(PyExc_SystemError, NULL);

    /* delete, replace with fewer/more, insert, self-assignment */
    assert_int_equal(PyList_SetSlice(l, 1, 3, NULL), 0);
    assert_repr(l, "[0, 3, 4, 5]");
    t = INTS(7, 8, 9);
    assert_int_equal(PyList_SetSlice(l, 1, 2, t), 0);
    assert_repr(l, "[0, 7, 8, 9, 4, 5]");
    Py_DECREF(t);
    t = PyTuple_Pack(1, Py_None);
    assert_int_equal(PyList_SetSlice(l, 0, 5, t), 0);
    assert_repr(l, "[None, 5]");
    Py_DECREF(t);
    assert_int_equal(PyList_SetSlice(l, 1, 1, l), 0);
    assert_repr(l, "[None, None, 5, 5]");
    assert_int_equal(PyList_SetSlice(l, -10, 100, NULL), 0);
    assert_repr(l, "[]");
    assert_int_equal(PyList_SetSlice(l, 0, 0, Py_None), -1);
    tu_assert_exc(PyExc_TypeError, "can only assign an iterable");
    assert_int_equal(PyList_SetSlice(Py_None, 0, 0, NULL), -1);
    tu_assert_exc(PyExc_SystemError, NULL);

    /* Extend with a list, a tuple, itself, an iterator; AsTuple. */
    t = INTS(1, 2);
    assert_int_equal(PyList_Extend(l, t), 0);
    assert_int_equal(PyList_Extend(l, l), 0);
    PyObject *tup = PyList_AsTuple(l);
    assert_repr(tup, "(1, 2, 1, 2)");
    assert_int_equal(PyList_Extend(l, tup), 0);
    PyObject *it = PyObject_GetIter(t);
    assert_int_equal(PyList_Extend(l, it), 0);
    Py_DECREF(it);
    assert_repr(l, "[1, 2, 1, 2, 1, 2, 1, 2, 1, 2]");
    assert_int_equal(PyList_Extend(l, Py_None), -1);
    tu_assert_exc(PyExc_TypeError, "'NoneType' object is not iterable");
    assert_null(PyList_AsTuple(Py_None));
    tu_assert_exc(PyExc_SystemError, NULL);
    Py_DECREF(tup);
    Py_DECREF(t);
    Py_DECREF(l);
    l = PyList_New(0);
    tup = PyList_AsTuple(l);
    assert_ptr_equal(tup, PyTuple_New(0));
    Py_DECREF(l);
}

static void
test_list_sort_reverse(void **state)
{
    (void)state;
    PyObject *l = INTS(5, -3, 9, 0, 2000, -7000, 9, 1, 4, 3, 8, 2, 7, 6, 0);

    assert_int_equal(PyList_Sort(l), 0);
    assert_repr(l, "[-7000, -3, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 2000]");
    assert_int_equal(PyList_Reverse(l), 0);
    assert_repr(l, "[2000, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, -3, -7000]");
    Py_DECREF(l);

    /* Larger input: sorted ascending, a permutation of the input. */
    l = PyList_New(0);
    for (long i = 0; i < 1000; i++) {
        PyObject *v = I((i * 7919) % 1009);
        PyList_Append(l, v);
        Py_DECREF(v);
    }
    assert_int_equal(PyList_Sort(l), 0);
    long sum = 0;
    for (long i = 0; i < 1000; i++) {
        sum += item_long(l, i);
        if (i > 0)
            assert_true(item_long(l, i - 1) <= item_long(l, i));
    }
    long expect = 0;
    for (long i = 0; i < 1000; i++)
        expect += (i * 7919) % 1009;
    assert_int_equal(sum, expect);
    Py_DECREF(l);

    /* Strings, and stability: equal keys keep their order (float 1.0 and
     * int 1 compare equal). */
    l = PyList_New(0);
    const char *words[] = {"pear", "apple", "fig", "banana"};
    for (int i = 0; i < 4; i++) {
        PyObject *w = PyUnicode_FromString(words[i]);
        PyList_Append(l, w);
        Py_DECREF(w);
    }
    assert_int_equal(PyList_Sort(l), 0);
    assert_repr(l, "['apple', 'banana', 'fig', 'pear']");
    Py_DECREF(l);
    l = PyList_New(0);
    PyObject *f1 = PyFloat_FromDouble(1.0), *i1 = I(1), *i0 = I(0);
    PyList_Append(l, f1);
    PyList_Append(l, i0);
    PyList_Append(l, i1);
    assert_int_equal(PyList_Sort(l), 0);
    assert_repr(l, "[0, 1.0, 1]");
    Py_DECREF(l);

    /* A failing comparison: the error, and every item still present. */
    l = PyList_New(0);
    PyObject *s = PyUnicode_FromString("s");
    PyList_Append(l, i1);
    PyList_Append(l, s);
    PyList_Append(l, i0);
    assert_int_equal(PyList_Sort(l), -1);
    tu_assert_exc(PyExc_TypeError, "'<' not supported between instances of 'str' and 'int'");
    assert_int_equal(PyList_Size(l), 3);
    assert_int_equal(Py_REFCNT(s), 2);
    Py_DECREF(l);
    assert_int_equal(Py_REFCNT(s), 1);
    Py_DECREF(s);
    Py_DECREF(f1);
    assert_int_equal(PyList_Sort(Py_None), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
    assert_int_equal(PyList_Reverse(Py_None), -1);
    tu_assert_exc(PyExc_SystemError, NULL);
}

static void
test_list_slots(void **state)
{
    (void)state;
    PyObject *a = INTS(1, 2, 3), *b = INTS(1, 2, 4), *c = INTS(1, 2);

    assert_int_equal(PyObject_RichCompareBool(a, b, Py_LT), 1);
    assert_int_equal(PyObject_RichCompareBool(a, a, Py_EQ), 1);
    assert_int_equal(PyObject_RichCompareBool(c, a, Py_LT), 1);
    assert_int_equal(PyObject_RichCompareBool(a, c, Py_NE), 1);
    assert_true(PyObject_Hash(a) == -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");

    PySequenceMethods *sq = PyList_Type.tp_as_sequence;
    assert_int_equal(sq->sq_length(a), 3);
    PyObject *x = sq->sq_item(a, 2);
    assert_int_equal(PyLong_AsLong(x), 3);
    Py_DECREF(x);
    assert_null(sq->sq_item(a, 3));
    tu_assert_exc(PyExc_IndexError, "list index out of range");
    PyObject *three = I(3), *nine = I(9), *m1 = I(-1), *k = PyUnicode_FromString("k");
    assert_int_equal(sq->sq_contains(a, three), 1);
    assert_int_equal(sq->sq_contains(a, nine), 0);
    assert_int_equal(sq->sq_ass_item(a, 0, nine), 0);
    assert_int_equal(sq->sq_ass_item(a, 1, NULL), 0);
    assert_repr(a, "[9, 3]");
    assert_int_equal(sq->sq_ass_item(a, 5, NULL), -1);
    tu_assert_exc(PyExc_IndexError, "list assignment index out of range");

    x = PyObject_GetItem(a, m1);
    assert_int_equal(PyLong_AsLong(x), 3);
    Py_DECREF(x);
    assert_int_equal(PyObject_SetItem(a, m1, three), 0);
    assert_int_equal(PyObject_DelItem(a, m1), 0);
    assert_repr(a, "[9]");
    assert_null(PyObject_GetItem(a, k));
    tu_assert_exc(PyExc_TypeError, "list indices must be integers or slices, not str");
    assert_int_equal(PyObject_SetItem(a, nine, three), -1);
    tu_assert_exc(PyExc_IndexError, "list assignment index out of range");

    PyObject *cat = PyNumber_Add(a, b);
    assert_repr(cat, "[9, 1, 2, 4]");
    Py_DECREF(cat);
    PyObject *two = I(2);
    cat = PyNumber_Multiply(c, two);
    assert_repr(cat, "[1, 2, 1, 2]");
    Py_DECREF(cat);
    cat = PyNumber_Multiply(two, c);
    assert_repr(cat, "[1, 2, 1, 2]");
    Py_DECREF(cat);
    cat = PyNumber_Multiply(c, m1);
    assert_repr(cat, "[]");
    Py_DECREF(cat);
    assert_null(PyNumber_Add(a, Py_None));
    tu_assert_exc(PyExc_TypeError, "can only concatenate list (not \"NoneType\") to list");
    x = sq->sq_inplace_concat(c, b);
    assert_ptr_equal(x, c);
    Py_DECREF(x);
    assert_repr(c, "[1, 2, 1, 2, 4]");

    PyObject *it = PyObject_GetIter(c), *item;
    long sum = 0;
    while ((item = PyIter_Next(it)) != NULL) {
        sum += PyLong_AsLong(item);
        Py_DECREF(item);
    }
    tu_assert_no_exc();
    assert_int_equal(sum, 10);
    Py_DECREF(it);

    /* Calling the types: list(x), tuple(x). */
    PyObject *lst = PyObject_CallOneArg((PyObject *)&PyList_Type, c);
    assert_repr(lst, "[1, 2, 1, 2, 4]");
    assert_ptr_not_equal(lst, c);
    PyObject *args = PyTuple_Pack(1, lst);
    PyObject *tup = PyTuple_Type.tp_new(&PyTuple_Type, args, NULL);
    Py_DECREF(args);
    assert_repr(tup, "(1, 2, 1, 2, 4)");
    Py_DECREF(tup);
    Py_DECREF(lst);

    Py_DECREF(two);
    Py_DECREF(three);
    Py_DECREF(nine);
    Py_DECREF(m1);
    Py_DECREF(k);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
}

/* ---------------------------------------------------------------- capsule */

static int destructor_calls;
static void *destructor_saw;

static void
capsule_destructor(PyObject *cap)
{
    destructor_calls++;
    destructor_saw = PyCapsule_GetPointer(cap, PyCapsule_GetName(cap));
}

static void
test_capsule(void **state)
{
    (void)state;
    static int target, other, ctx;
    PyObject *c;

    assert_null(PyCapsule_New(NULL, "m.c", NULL));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_New called with null pointer");

    c = PyCapsule_New(&target, "mod.api", capsule_destructor);
    assert_true(PyCapsule_CheckExact(c));
    assert_ptr_equal(PyCapsule_GetPointer(c, "mod.api"), &target);
    assert_null(PyCapsule_GetPointer(c, "mod.other"));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetPointer called with incorrect name");
    assert_null(PyCapsule_GetPointer(c, NULL));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetPointer called with incorrect name");
    assert_true(PyCapsule_IsValid(c, "mod.api"));
    assert_false(PyCapsule_IsValid(c, "x"));
    assert_false(PyCapsule_IsValid(Py_None, "mod.api"));
    assert_false(PyCapsule_IsValid(NULL, "mod.api"));
    assert_string_equal(PyCapsule_GetName(c), "mod.api");
    assert_ptr_equal(PyCapsule_GetDestructor(c), capsule_destructor);
    assert_null(PyCapsule_GetContext(c));
    tu_assert_no_exc();
    assert_int_equal(PyCapsule_SetContext(c, &ctx), 0);
    assert_ptr_equal(PyCapsule_GetContext(c), &ctx);
    assert_int_equal(PyCapsule_SetPointer(c, &other), 0);
    assert_ptr_equal(PyCapsule_GetPointer(c, "mod.api"), &other);
    assert_int_equal(PyCapsule_SetPointer(c, NULL), -1);
    tu_assert_exc(PyExc_ValueError, "PyCapsule_SetPointer called with null pointer");
    Py_DECREF(c);
    assert_int_equal(destructor_calls, 1);
    assert_ptr_equal(destructor_saw, &other);

    /* NULL names match only NULL. */
    c = PyCapsule_New(&target, NULL, NULL);
    assert_ptr_equal(PyCapsule_GetPointer(c, NULL), &target);
    assert_null(PyCapsule_GetPointer(c, "x"));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetPointer called with incorrect name");
    assert_int_equal(PyCapsule_SetName(c, "now.named"), 0);
    assert_ptr_equal(PyCapsule_GetPointer(c, "now.named"), &target);
    assert_int_equal(PyCapsule_SetDestructor(c, capsule_destructor), 0);
    Py_DECREF(c);
    assert_int_equal(destructor_calls, 2);

    /* Invalid objects: every function names itself. */
    assert_null(PyCapsule_GetPointer(Py_None, "x"));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetPointer called with invalid PyCapsule object");
    assert_null(PyCapsule_GetPointer(NULL, "x"));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetPointer called with invalid PyCapsule object");
    assert_null(PyCapsule_GetName(Py_None));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetName called with invalid PyCapsule object");
    assert_null(PyCapsule_GetContext(Py_None));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetContext called with invalid PyCapsule object");
    assert_null(PyCapsule_GetDestructor(Py_None));
    tu_assert_exc(PyExc_ValueError, "PyCapsule_GetDestructor called with invalid PyCapsule object");
    assert_int_equal(PyCapsule_SetPointer(Py_None, &target), -1);
    tu_assert_exc(PyExc_ValueError, "PyCapsule_SetPointer called with invalid PyCapsule object");
    assert_int_equal(PyCapsule_SetName(Py_None, "x"), -1);
    tu_assert_exc(PyExc_ValueError, "PyCapsule_SetName called with invalid PyCapsule object");
    assert_int_equal(PyCapsule_SetContext(Py_None, NULL), -1);
    tu_assert_exc(PyExc_ValueError, "PyCapsule_SetContext called with invalid PyCapsule object");
    assert_int_equal(PyCapsule_SetDestructor(Py_None, NULL), -1);
    tu_assert_exc(PyExc_ValueError, "PyCapsule_SetDestructor called with invalid PyCapsule object");
}

static void
test_capsule_repr(void **state)
{
    (void)state;
    static int target;
    char expect[100];
    PyObject *c = PyCapsule_New(&target, "mod.api", NULL);

    snprintf(expect, sizeof(expect), "<capsule object \"mod.api\" at %p>", (void *)c);
    assert_repr(c, expect);
    Py_DECREF(c);
    c = PyCapsule_New(&target, NULL, NULL);
    snprintf(expect, sizeof(expect), "<capsule object NULL at %p>", (void *)c);
    assert_repr(c, expect);
    Py_DECREF(c);
}

static void
test_capsule_import(void **state)
{
    (void)state;
    static int api;
    PyObject *mod = PyImport_AddModuleRef("num_capmod");
    PyObject *cap = PyCapsule_New(&api, "num_capmod.api", NULL);
    PyObject *wrong = PyCapsule_New(&api, "other.name", NULL);

    assert_non_null(mod);
    assert_int_equal(PyObject_SetAttrString(mod, "api", cap), 0);
    assert_int_equal(PyObject_SetAttrString(mod, "wrong", wrong), 0);
    assert_ptr_equal(PyCapsule_Import("num_capmod.api", 0), &api);
    assert_ptr_equal(PyCapsule_Import("num_capmod.api", 1), &api);
    assert_null(PyCapsule_Import("num_capmod.wrong", 0));
    tu_assert_exc(PyExc_AttributeError, "PyCapsule_Import \"num_capmod.wrong\" is not valid");
    assert_null(PyCapsule_Import("num_capmod.missing", 0));
    tu_assert_exc(PyExc_AttributeError, NULL);
    assert_null(PyCapsule_Import("nocapsule", 0));
    tu_assert_exc(PyExc_AttributeError, "PyCapsule_Import \"nocapsule\" is not valid");
    assert_null(PyCapsule_Import("num_no_such_module.api", 0));
    tu_assert_exc(PyExc_ModuleNotFoundError, NULL);
    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "num_capmod"), 0);
    Py_DECREF(cap);
    Py_DECREF(wrong);
    Py_DECREF(mod);
}

/* ------------------------------------------------------ allocation failure */

static PyObject *sweep_obj;

static void
undo_obj(void *ctx)
{
    (void)ctx;
    Py_CLEAR(sweep_obj);
}

static int
op_list_build(void *ctx)
{
    (void)ctx;
    PyObject *l = PyList_New(0);
    if (l == NULL)
        return -1;
    for (long i = 0; i < 40; i++) {
        if (PyList_Append(l, Py_None) < 0 || PyList_Insert(l, 0, Py_True) < 0) {
            Py_DECREF(l);
            return -1;
        }
    }
    sweep_obj = l;
    return 0;
}

static int
op_list_ops(void *ctx)
{
    PyObject *src = ctx, *l, *t;
    l = PyList_GetSlice(src, 1, 5);
    if (l == NULL)
        return -1;
    if (PyList_SetSlice(l, 1, 2, src) < 0 || PyList_Extend(l, src) < 0 || PyList_Sort(l) < 0) {
        Py_DECREF(l);
        return -1;
    }
    t = PyList_AsTuple(l);
    Py_DECREF(l);
    sweep_obj = t;
    return t ? 0 : -1;
}

static int
op_list_repr(void *ctx)
{
    sweep_obj = PyObject_Repr((PyObject *)ctx);
    return sweep_obj ? 0 : -1;
}

static int
op_tuple_ops(void *ctx)
{
    PyObject *one = PyLong_FromLong(70000), *t, *u;
    (void)ctx;
    if (one == NULL)
        return -1;
    t = PyTuple_Pack(3, one, one, Py_None);
    Py_DECREF(one);
    if (t == NULL)
        return -1;
    if (_PyTuple_Resize(&t, 5) < 0)
        return -1;
    PyTuple_SET_ITEM(t, 3, Py_NewRef(Py_None));
    PyTuple_SET_ITEM(t, 4, Py_NewRef(Py_None));
    u = PyTuple_GetSlice(t, 1, 4);
    Py_DECREF(t);
    if (u == NULL)
        return -1;
    sweep_obj = PyObject_Repr(u);
    Py_DECREF(u);
    return sweep_obj ? 0 : -1;
}

static int
op_capsule(void *ctx)
{
    static int target;
    (void)ctx;
    sweep_obj = PyCapsule_New(&target, "n", NULL);
    return sweep_obj ? 0 : -1;
}

static void
test_alloc_failures(void **state)
{
    (void)state;
    PyObject *src = PyList_New(0);
    for (long i = 0; i < 20; i++) {
        PyObject *v = PyLong_FromLong(5000 - i * 300);
        PyList_Append(src, v);
        Py_DECREF(v);
    }
    assert_true(tu_alloc_failure_sweep(op_list_build, undo_obj, NULL, PyExc_MemoryError) >= 3);
    assert_true(tu_alloc_failure_sweep(op_list_ops, undo_obj, src, PyExc_MemoryError) >= 6);
    assert_true(tu_alloc_failure_sweep(op_list_repr, undo_obj, src, PyExc_MemoryError) >= 3);
    assert_true(tu_alloc_failure_sweep(op_tuple_ops, undo_obj, NULL, PyExc_MemoryError) >= 4);
    assert_int_equal(tu_alloc_failure_sweep(op_capsule, undo_obj, NULL, PyExc_MemoryError), 1);
    Py_DECREF(src);
}

/* ---------------------------------------------------------------- threads */

#define NTHREADS 4
#define NAPPEND 2000
#define BASE 1000000L   /* values are mortal: far outside the small ints */

struct list_ctx {
    PyObject *list;
    int id;
    long bad;            /* written by its own thread only */
};

static void *
list_worker(void *arg)
{
    struct list_ctx *c = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    unsigned seed = (unsigned)c->id * 7919u + 1;

    for (long k = 0; k < NAPPEND; k++) {
        PyObject *v = PyLong_FromLong(BASE * (c->id + 1) + k);
        if (v == NULL || PyList_Append(c->list, v) < 0)
            c->bad++;
        Py_XDECREF(v);
        /* Read a random existing item: it must be a live, valid int. */
        Py_ssize_t n = PyList_Size(c->list);
        seed = seed * 1103515245u + 12345u;
        PyObject *item = PyList_GetItemRef(c->list, (Py_ssize_t)(seed >> 8) % n);
        if (item == NULL || !PyLong_CheckExact(item))
            c->bad++;
        else {
            long x = PyLong_AsLong(item);
            if (x < BASE || x >= BASE * (NTHREADS + 1) + NAPPEND)
                c->bad++;
            Py_DECREF(item);
        }
        /* Replace an item with an equivalent new object: readers in other
         * threads must never see the old one freed. */
        if (k % 3 == 0) {
            Py_ssize_t j = (Py_ssize_t)(seed >> 4) % n;
            PyObject *cur = PyList_GetItemRef(c->list, j);
            if (cur == NULL)
                c->bad++;
            else {
                PyObject *copy = PyLong_FromLong(PyLong_AsLong(cur));
                Py_DECREF(cur);
                if (copy == NULL || PyList_SetItem(c->list, j, copy) < 0)
                    c->bad++;
            }
        }
    }
    PyGILState_Release(g);
    return NULL;
}

static void
test_list_threads(void **state)
{
    (void)state;
    pthread_t th[NTHREADS];
    struct list_ctx ctx[NTHREADS];
    PyObject *list = PyList_New(0);
    PyObject *seedv = PyLong_FromLong(BASE);

    PyList_Append(list, seedv);   /* never empty: readers always find an item */
    Py_DECREF(seedv);
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++) {
        ctx[i] = (struct list_ctx){ list, i, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, list_worker, &ctx[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    Py_END_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(ctx[i].bad, 0);
    assert_int_equal(PyList_Size(list), 1 + NTHREADS * NAPPEND);
    /* Every appended value is present exactly once (replacements copy the
     * value), and every item is owned only by the list. */
    assert_int_equal(PyList_Sort(list), 0);
    assert_int_equal(PyLong_AsLong(PyList_GetItem(list, 0)), BASE);
    Py_ssize_t pos = 1;
    for (int t = 0; t < NTHREADS; t++) {
        for (long k = 0; k < NAPPEND; k++, pos++) {
            PyObject *it = PyList_GetItem(list, pos);
            assert_int_equal(PyLong_AsLong(it), BASE * (t + 1) + k);
            assert_int_equal(Py_REFCNT(it), 1);
        }
    }
    Py_DECREF(list);
}

#define TUPLE_ITEMS 8
#define TUPLE_ROUNDS 20000

static void *
tuple_worker(void *arg)
{
    PyObject *t = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    long bad = 0;

    for (int r = 0; r < TUPLE_ROUNDS; r++) {
        for (Py_ssize_t i = 0; i < TUPLE_ITEMS; i++) {
            PyObject *item = PyTuple_GetItem(t, i);
            Py_INCREF(item);
            if (PyLong_AsLong(item) != BASE + i)
                bad++;
            Py_DECREF(item);
        }
        PyObject *copy = PyTuple_GetSlice(t, 0, TUPLE_ITEMS - 1);   /* increfs every item */
        if (copy == NULL || PyTuple_GET_SIZE(copy) != TUPLE_ITEMS - 1)
            bad++;
        Py_XDECREF(copy);
    }
    PyGILState_Release(g);
    return (void *)(intptr_t)bad;
}

static void
test_tuple_threads(void **state)
{
    (void)state;
    pthread_t th[NTHREADS];
    PyObject *t = PyTuple_New(TUPLE_ITEMS);

    for (Py_ssize_t i = 0; i < TUPLE_ITEMS; i++)
        PyTuple_SET_ITEM(t, i, PyLong_FromLong(BASE + i));
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, tuple_worker, t), 0);
    for (int i = 0; i < NTHREADS; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_true(bad == NULL);
    }
    Py_END_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < TUPLE_ITEMS; i++)
        assert_int_equal(Py_REFCNT(PyTuple_GET_ITEM(t, i)), 1);
    assert_int_equal(Py_REFCNT(t), 1);
    Py_DECREF(t);
}

#define RC_ROUNDS 200000

struct rc_ctx {
    PyObject *mortal;
    PyObject *immortal[3];
};

static void *
refcount_worker(void *arg)
{
    struct rc_ctx *c = arg;
    PyGILState_STATE g = PyGILState_Ensure();

    for (int r = 0; r < RC_ROUNDS; r++) {
        Py_INCREF(c->mortal);
        Py_INCREF(c->mortal);
        Py_DECREF(c->mortal);
        for (int k = 0; k < 3; k++) {
            Py_INCREF(c->immortal[k]);
            Py_DECREF(c->immortal[k]);
        }
        Py_DECREF(c->mortal);
    }
    /* Leave a known surplus, removed by the main thread. */
    for (int r = 0; r < 100; r++)
        Py_INCREF(c->mortal);
    PyGILState_Release(g);
    return NULL;
}

static void
test_refcount_threads(void **state)
{
    (void)state;
    pthread_t th[NTHREADS];
    struct rc_ctx ctx = { PyFloat_FromDouble(3.25), { Py_None, NULL, Py_True } };
    int64_t words[3];

    ctx.immortal[1] = PyLong_FromLong(7);
    for (int k = 0; k < 3; k++) {
        assert_true(_Py_IsImmortal(ctx.immortal[k]));
        words[k] = _Py_RefcntWord(ctx.immortal[k]);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, refcount_worker, &ctx), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    Py_END_ALLOW_THREADS
    assert_int_equal(Py_REFCNT(ctx.mortal), 1 + NTHREADS * 100);
    for (int r = 0; r < NTHREADS * 100; r++)
        Py_DECREF(ctx.mortal);
    assert_int_equal(Py_REFCNT(ctx.mortal), 1);
    /* Immortal objects were never written. */
    for (int k = 0; k < 3; k++)
        assert_true(_Py_RefcntWord(ctx.immortal[k]) == words[k]);
    Py_DECREF(ctx.mortal);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tuple_basics),
        cmocka_unit_test(test_tuple_compare_and_slots),
        cmocka_unit_test(test_tuple_resize),
        cmocka_unit_test(test_list_basics),
        cmocka_unit_test(test_list_slices),
        cmocka_unit_test(test_list_sort_reverse),
        cmocka_unit_test(test_list_slots),
        cmocka_unit_test(test_capsule),
        cmocka_unit_test(test_capsule_repr),
        cmocka_unit_test(test_capsule_import),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_list_threads),
        cmocka_unit_test(test_tuple_threads),
        cmocka_unit_test(test_refcount_threads),
    };
    return cmocka_run_group_tests(tests, tu_runtime_up, tu_runtime_down);
}
