/* ctest-labels: unit tsan
 *
 * tests/test_heaptype.c - core/heaptype.c: heap types from specs
 * (PyType_FromMetaclass and its wrappers), PyType_GetSlot, the type ->
 * module lookups (GetModule, GetModuleState, GetModuleByDef,
 * GetModuleByToken), PyType_GetBaseByToken, and the default dealloc of
 * heap-type instances.  Messages are CPython 3.15's.
 *
 * The module the types belong to is made with PyModule_New and given a def,
 * token and state by hand through core/internal/module.h (the multi-phase
 * module API is not what is tested here). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#ifndef PYMODRT_BUILD_CORE
#define PYMODRT_BUILD_CORE 1
#endif
#include "testutil.h"
#include "internal/module.h"

/* ------------------------------------------------------------ the module */

typedef struct {
    long magic;
} hmod_state;

static PyModuleDef hmod_def = {
    PyModuleDef_HEAD_INIT, .m_name = "hmod", .m_size = sizeof(hmod_state),
};
static PyModuleDef other_def = {
    PyModuleDef_HEAD_INIT, .m_name = "other", .m_size = 0,
};

/* A module as a def-based multi-phase module looks after its exec: def and
 * token set to 'def', state allocated. */
static PyObject *
make_module(const char *name, PyModuleDef *def, const void *token, long magic)
{
    PyObject *m = PyModule_New(name);
    PyModuleObject *mo = (PyModuleObject *)m;
    hmod_state *st;

    assert_non_null(m);
    mo->md_def = def;
    mo->md_token = (void *)token;
    st = PyMem_Calloc(1, sizeof(*st));
    assert_non_null(st);
    st->magic = magic;
    mo->md_state_size = sizeof(*st);
    __atomic_store_n(&mo->md_state, st, __ATOMIC_RELEASE);
    return m;
}

/* ------------------------------------------------------------- Point type */

typedef struct {
    PyObject_HEAD
    long value;
    double ratio;
    PyObject *name;
    PyObject *dict;
} PointObject;

static int point_deallocs;   /* atomic: instances die on several threads */

static PyObject *
point_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PointObject *p = (PointObject *)type->tp_alloc(type, 0);

    (void)args;
    (void)kwds;
    if (p != NULL)
        p->ratio = 0.5;
    return (PyObject *)p;
}

static int
point_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)kwds;
    if (PyTuple_GET_SIZE(args) >= 1) {
        long v = PyLong_AsLong(PyTuple_GET_ITEM(args, 0));
        if (v == -1 && PyErr_Occurred())
            return -1;
        ((PointObject *)self)->value = v;
    }
    return 0;
}

/* Heap-type dealloc as CPython wants it: frees, then drops the type. */
static void
point_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PointObject *p = (PointObject *)self;

    Py_CLEAR(p->name);
    Py_CLEAR(p->dict);
    tp->tp_free(self);
    Py_DECREF(tp);
    __atomic_fetch_add(&point_deallocs, 1, __ATOMIC_RELAXED);
}

static Py_ssize_t
point_len(PyObject *self)
{
    return ((PointObject *)self)->value;
}

static PyObject *
point_nb_add(PyObject *a, PyObject *b)
{
    long v = PyLong_AsLong(b);

    if (v == -1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLong(((PointObject *)a)->value + v);
}

static PyObject *
point_add(PyObject *self, PyObject *arg)
{
    return point_nb_add(self, arg);
}

/* The usual way slot and plain methods reach module state. */
static PyObject *
point_state_magic(PyObject *self, PyObject *unused)
{
    PyObject *mod = PyType_GetModuleByDef(Py_TYPE(self), &hmod_def);

    (void)unused;
    if (mod == NULL)
        return NULL;
    return PyLong_FromLong(((hmod_state *)PyModule_GetState(mod))->magic);
}

static PyObject *
point_get_doubled(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(((PointObject *)self)->value * 2);
}

static int
point_set_doubled(PyObject *self, PyObject *v, void *closure)
{
    long x;

    (void)closure;
    if (v == NULL) {
        PyErr_SetString(PyExc_TypeError, "cannot delete doubled");
        return -1;
    }
    x = PyLong_AsLong(v);
    if (x == -1 && PyErr_Occurred())
        return -1;
    ((PointObject *)self)->value = x / 2;
    return 0;
}

static PyMethodDef point_methods[] = {
    {"add", point_add, METH_O, NULL},
    {"state_magic", point_state_magic, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef point_getset[] = {
    {"doubled", point_get_doubled, point_set_doubled, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef point_members[] = {
    {"value", Py_T_LONG, offsetof(PointObject, value), 0, NULL},
    {"ratio", Py_T_DOUBLE, offsetof(PointObject, ratio), Py_READONLY, NULL},
    {"name", Py_T_OBJECT_EX, offsetof(PointObject, name), 0, NULL},
    {"__dictoffset__", Py_T_PYSSIZET, offsetof(PointObject, dict), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot point_slots[] = {
    {Py_tp_doc, (void *)"Point(value)\n--\n\nA point on a line."},
    {Py_tp_new, (void *)point_new},
    {Py_tp_init, (void *)point_init},
    {Py_tp_dealloc, (void *)point_dealloc},
    {Py_tp_methods, point_methods},
    {Py_tp_getset, point_getset},
    {Py_tp_members, point_members},
    {Py_tp_token, Py_TP_USE_SPEC},
    {Py_nb_add, (void *)point_nb_add},
    {Py_sq_length, (void *)point_len},
    {Py_tp_getattro, (void *)PyObject_GenericGetAttr},
    {Py_tp_setattro, (void *)PyObject_GenericSetAttr},
    {0, NULL},
};

static PyType_Spec point_spec = {
    "pkg.hmod.Point", sizeof(PointObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, point_slots,
};

/* ------------------------------------------------------ a plain type */

/* No dealloc of its own: instances go through the default dealloc. */
typedef struct {
    PyObject_HEAD
    PyObject *dict;
    long n;
} PlainObject;

static PyMemberDef plain_members[] = {
    {"n", Py_T_LONG, offsetof(PlainObject, n), 0, NULL},
    {"__dictoffset__", Py_T_PYSSIZET, offsetof(PlainObject, dict), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot plain_slots[] = {
    {Py_tp_members, plain_members},
    {0, NULL},
};

static PyType_Spec plain_spec = {
    "hmod.Plain", sizeof(PlainObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, plain_slots,
};

/* --------------------------------------------------------------- helpers */

static PyObject *
call0(PyObject *callable)
{
    PyObject *args = PyTuple_New(0), *r;

    assert_non_null(args);
    r = PyObject_Call(callable, args, NULL);
    Py_DECREF(args);
    return r;
}

static PyObject *
call1_long(PyObject *callable, long v)
{
    PyObject *arg = PyLong_FromLong(v), *args, *r;

    assert_non_null(arg);
    args = PyTuple_Pack(1, arg);
    Py_DECREF(arg);
    assert_non_null(args);
    r = PyObject_Call(callable, args, NULL);
    Py_DECREF(args);
    return r;
}

static long
get_long_attr(PyObject *o, const char *name)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    long r;

    tu_assert_no_exc();
    assert_non_null(v);
    r = PyLong_AsLong(v);
    Py_DECREF(v);
    return r;
}

static void
assert_str(PyObject *s, const char *expected)
{
    tu_assert_no_exc();
    assert_non_null(s);
    assert_true(PyUnicode_Check(s));
    assert_string_equal(PyUnicode_AsUTF8(s), expected);
    Py_DECREF(s);
}

/* Creates a type that must fail with 'exc'('msg'); checks nothing leaked. */
static void
expect_failure(PyTypeObject *meta, PyObject *module, PyType_Spec *spec, PyObject *bases,
               PyObject *exc, const char *msg)
{
    int64_t before = tu_mem_settled();
    PyObject *t = PyType_FromMetaclass(meta, module, spec, bases);

    assert_null(t);
    tu_assert_exc(exc, msg);
    assert_int_equal(tu_mem_settled(), before);
}

/* ============================================================== tests */

static void
test_create_with_module(void **state)
{
    PyObject *mod = make_module("pkg.hmod", &hmod_def, &hmod_def, 42);
    Py_ssize_t mod_rc = Py_REFCNT(mod);
    PyObject *t = PyType_FromModuleAndSpec(mod, &point_spec, NULL);
    PyTypeObject *tp = (PyTypeObject *)t;
    PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
    PyObject *doc;

    (void)state;
    tu_assert_no_exc();
    assert_non_null(t);
    assert_ptr_equal(Py_TYPE(t), &PyType_Type);
    assert_true(PyType_Check(t));
    assert_true(tp->tp_flags & Py_TPFLAGS_HEAPTYPE);
    assert_true(tp->tp_flags & Py_TPFLAGS_READY);
    assert_true(tp->tp_flags & Py_TPFLAGS_BASETYPE);
    assert_int_equal(Py_REFCNT(t), 1);
    assert_int_equal(Py_REFCNT(mod), mod_rc + 1);
    assert_ptr_equal(PyType_GetModule(tp), mod);
    assert_ptr_equal(PyType_GetModuleState(tp), PyModule_GetState(mod));

    /* Name: tp_name is a copy; __name__/__qualname__ the last part,
     * __module__ the rest. */
    assert_string_equal(tp->tp_name, "pkg.hmod.Point");
    assert_ptr_not_equal(tp->tp_name, point_spec.name);
    assert_ptr_equal(ht->ht_name, ht->ht_qualname);
    assert_str(PyType_GetName(tp), "Point");
    assert_str(PyType_GetQualName(tp), "Point");
    assert_str(PyType_GetModuleName(tp), "pkg.hmod");
    assert_str(PyObject_GetAttrString(t, "__module__"), "pkg.hmod");
    assert_str(PyType_GetFullyQualifiedName(tp), "pkg.hmod.Point");

    /* Sizes, tables, token, base. */
    assert_int_equal(tp->tp_basicsize, sizeof(PointObject));
    assert_int_equal(tp->tp_itemsize, 0);
    assert_ptr_equal(tp->tp_as_number, &ht->as_number);
    assert_ptr_equal(tp->tp_as_sequence, &ht->as_sequence);
    assert_ptr_equal(tp->tp_as_mapping, &ht->as_mapping);
    assert_ptr_equal(tp->tp_as_async, &ht->as_async);
    assert_ptr_equal(tp->tp_as_buffer, &ht->as_buffer);
    assert_ptr_equal(tp->tp_as_number->nb_add, point_nb_add);
    assert_ptr_equal(tp->tp_as_sequence->sq_length, point_len);
    assert_ptr_equal(ht->ht_token, &point_spec);
    assert_ptr_equal(tp->tp_base, &PyBaseObject_Type);
    assert_int_equal(tp->tp_dictoffset, offsetof(PointObject, dict));
    assert_ptr_equal(tp->tp_dealloc, point_dealloc);

    /* tp_doc keeps the whole text (copied); __doc__ loses the signature. */
    assert_string_equal(tp->tp_doc, "Point(value)\n--\n\nA point on a line.");
    assert_ptr_not_equal(tp->tp_doc, point_slots[0].pfunc);
    doc = PyDict_GetItemString(tp->tp_dict, "__doc__");
    assert_non_null(doc);
    assert_string_equal(PyUnicode_AsUTF8(doc), "A point on a line.");

    /* Members were copied into the type, not referenced. */
    assert_ptr_not_equal(tp->tp_members, point_members);
    assert_string_equal(tp->tp_members[0].name, "value");
    assert_null(tp->tp_members[4].name);

    /* The MRO's self-entry is not counted: one reference, ours. */
    assert_ptr_equal(PyTuple_GET_ITEM(tp->tp_mro, 0), t);
    assert_int_equal(PyTuple_GET_SIZE(tp->tp_mro), 2);

    Py_DECREF(t);
    assert_int_equal(Py_REFCNT(mod), mod_rc);
    Py_DECREF(mod);
}

static void
test_module_refcount_per_type(void **state)
{
    PyObject *mod = make_module("hmod", &hmod_def, &hmod_def, 1);
    Py_ssize_t rc = Py_REFCNT(mod);
    PyObject *types[3];
    int64_t before;

    (void)state;
    /* Warm up (descriptor names are interned for good), then measure. */
    types[0] = PyType_FromModuleAndSpec(mod, &point_spec, NULL);
    assert_non_null(types[0]);
    Py_DECREF(types[0]);
    before = tu_mem_settled();
    for (int i = 0; i < 3; i++) {
        types[i] = PyType_FromModuleAndSpec(mod, &point_spec, NULL);
        assert_non_null(types[i]);
        assert_int_equal(Py_REFCNT(mod), rc + i + 1);
    }
    for (int i = 0; i < 3; i++) {
        Py_DECREF(types[i]);
        assert_int_equal(Py_REFCNT(mod), rc + 2 - i);
    }
    assert_int_equal(tu_mem_settled(), before);
    Py_DECREF(mod);
}

static void
test_instances(void **state)
{
    PyObject *mod = make_module("pkg.hmod", &hmod_def, &hmod_def, 42);
    PyObject *t = PyType_FromModuleAndSpec(mod, &point_spec, NULL);
    Py_ssize_t trc = Py_REFCNT(t);
    PyObject *p, *q, *v, *meth, *r;
    int deallocs = __atomic_load_n(&point_deallocs, __ATOMIC_RELAXED);

    (void)state;
    assert_non_null(t);
    p = call1_long(t, 21);
    tu_assert_no_exc();
    assert_non_null(p);
    assert_ptr_equal(Py_TYPE(p), t);
    assert_int_equal(Py_REFCNT(t), trc + 1);
    q = call0(t);
    assert_non_null(q);
    assert_int_equal(Py_REFCNT(t), trc + 2);

    /* Members. */
    assert_int_equal(get_long_attr(p, "value"), 21);
    assert_int_equal(get_long_attr(q, "value"), 0);
    v = PyLong_FromLong(5);
    assert_int_equal(PyObject_SetAttrString(q, "value", v), 0);
    Py_DECREF(v);
    assert_int_equal(((PointObject *)q)->value, 5);
    v = PyObject_GetAttrString(p, "ratio");
    assert_non_null(v);
    assert_true(PyFloat_AsDouble(v) == 0.5);
    assert_int_equal(PyObject_SetAttrString(p, "ratio", v), -1);
    tu_assert_exc(PyExc_AttributeError, NULL);
    Py_DECREF(v);
    assert_null(PyObject_GetAttrString(p, "name"));
    tu_assert_exc(PyExc_AttributeError, "'pkg.hmod.Point' object has no attribute 'name'");
    v = PyUnicode_FromString("origin");
    assert_int_equal(PyObject_SetAttrString(p, "name", v), 0);
    Py_DECREF(v);
    assert_str(PyObject_GetAttrString(p, "name"), "origin");

    /* Getset. */
    assert_int_equal(get_long_attr(p, "doubled"), 42);
    v = PyLong_FromLong(100);
    assert_int_equal(PyObject_SetAttrString(p, "doubled", v), 0);
    Py_DECREF(v);
    assert_int_equal(get_long_attr(p, "value"), 50);

    /* Methods, one of which finds module state through the type. */
    meth = PyObject_GetAttrString(p, "add");
    assert_non_null(meth);
    v = PyLong_FromLong(7);
    r = PyObject_CallOneArg(meth, v);
    Py_DECREF(v);
    Py_DECREF(meth);
    assert_non_null(r);
    assert_int_equal(PyLong_AsLong(r), 57);
    Py_DECREF(r);
    meth = PyObject_GetAttrString(p, "state_magic");
    assert_non_null(meth);
    r = PyObject_CallNoArgs(meth);
    Py_DECREF(meth);
    tu_assert_no_exc();
    assert_non_null(r);
    assert_int_equal(PyLong_AsLong(r), 42);
    Py_DECREF(r);

    /* Instance dict through __dictoffset__. */
    v = PyLong_FromLong(9);
    assert_int_equal(PyObject_SetAttrString(p, "extra", v), 0);
    Py_DECREF(v);
    assert_non_null(((PointObject *)p)->dict);
    assert_int_equal(get_long_attr(p, "extra"), 9);

    /* Slots through the abstract API. */
    assert_int_equal(PyObject_Size(p), 50);

    Py_DECREF(p);
    assert_int_equal(Py_REFCNT(t), trc + 1);
    Py_DECREF(q);
    assert_int_equal(Py_REFCNT(t), trc);
    assert_int_equal(__atomic_load_n(&point_deallocs, __ATOMIC_RELAXED), deallocs + 2);
    Py_DECREF(t);
    Py_DECREF(mod);
}

/* The default dealloc: instance dict cleared, memory freed, type dropped. */
static void
test_default_dealloc(void **state)
{
    PyObject *t = PyType_FromSpec(&plain_spec), *o, *v;
    Py_ssize_t trc;
    int64_t before;

    (void)state;
    assert_non_null(t);
    trc = Py_REFCNT(t);
    assert_non_null(((PyTypeObject *)t)->tp_dealloc);
    assert_ptr_not_equal(((PyTypeObject *)t)->tp_dealloc, PyBaseObject_Type.tp_dealloc);
    before = tu_mem_settled();
    o = call0(t);
    assert_non_null(o);
    assert_int_equal(Py_REFCNT(t), trc + 1);
    v = PyUnicode_FromString("attribute value");
    assert_int_equal(PyObject_SetAttrString(o, "x", v), 0);
    Py_DECREF(v);
    assert_non_null(((PlainObject *)o)->dict);
    Py_DECREF(o);
    assert_int_equal(Py_REFCNT(t), trc);
    assert_int_equal(tu_mem_settled(), before);
    Py_DECREF(t);
}

static int finalized;
static PyObject *resurrected;

static void
fin_finalize(PyObject *self)
{
    finalized++;
    if (finalized == 1)
        resurrected = Py_NewRef(self);   /* first time: come back to life */
}

static PyType_Slot fin_slots[] = {
    {Py_tp_finalize, (void *)fin_finalize},
    {0, NULL},
};
static PyType_Spec fin_spec = {
    "hmod.Fin", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, fin_slots,
};

static void
test_finalizer_and_resurrection(void **state)
{
    PyObject *t = PyType_FromSpec(&fin_spec), *o;
    Py_ssize_t trc;

    (void)state;
    assert_non_null(t);
    trc = Py_REFCNT(t);
    finalized = 0;
    o = call0(t);
    assert_non_null(o);
    Py_DECREF(o);                       /* finalizer resurrects */
    assert_int_equal(finalized, 1);
    assert_ptr_equal(resurrected, o);
    assert_int_equal(Py_REFCNT(o), 1);
    assert_int_equal(Py_REFCNT(t), trc + 1);
    Py_CLEAR(resurrected);              /* now it really goes */
    assert_int_equal(finalized, 2);
    assert_int_equal(Py_REFCNT(t), trc);
    Py_DECREF(t);
}

/* ------------------------------------------------- subclasses, lookups */

#define DEPTH 8

typedef struct {
    PointObject base;
    long extra;
} Level3Object;

static PyObject *
level_item(PyObject *self, Py_ssize_t i)
{
    return PyLong_FromSsize_t(((PointObject *)self)->value + i);
}

static PyMemberDef level3_members[] = {
    {"extra", Py_T_LONG, 0, Py_RELATIVE_OFFSET, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot level_slots[] = {
    {Py_sq_item, (void *)level_item},
    {0, NULL},
};
static PyType_Slot level3_slots[] = {
    {Py_tp_members, level3_members},
    {0, NULL},
};

static PyType_Spec level_specs[DEPTH] = {
    {"hmod.L1", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
    {"hmod.L2", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
    {"hmod.L3", -(int)sizeof(long), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level3_slots},
    {"hmod.L4", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
    {"hmod.L5", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
    {"hmod.L6", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
    {"hmod.L7", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
    {"hmod.L8", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, level_slots},
};

static void
test_subclass_chain(void **state)
{
    PyObject *mod = make_module("pkg.hmod", &hmod_def, &hmod_def, 77);
    PyObject *point = PyType_FromModuleAndSpec(mod, &point_spec, NULL);
    PyObject *levels[DEPTH], *prev = point, *o, *r;
    PyTypeObject *deep, *found;
    Py_ssize_t point_rc, mod_rc;
    Py_ssize_t data_off;

    (void)state;
    assert_non_null(point);
    point_rc = Py_REFCNT(point);
    mod_rc = Py_REFCNT(mod);
    for (int i = 0; i < DEPTH; i++) {
        levels[i] = PyType_FromSpecWithBases(&level_specs[i], prev);
        tu_assert_no_exc();
        assert_non_null(levels[i]);
        assert_ptr_equal(((PyTypeObject *)levels[i])->tp_base, prev);
        assert_int_equal(PyTuple_GET_SIZE(((PyTypeObject *)levels[i])->tp_mro), i + 3);
        prev = levels[i];
    }
    deep = (PyTypeObject *)levels[DEPTH - 1];
    /* Each subclass holds its base (tp_base, tp_bases, tp_mro) and every
     * deeper MRO holds Point too. */
    assert_true(Py_REFCNT(point) > point_rc);
    assert_int_equal(Py_REFCNT(mod), mod_rc);   /* subclasses have no module */

    /* Relative member resolved against the aligned base size. */
    data_off = (Py_ssize_t)((sizeof(PointObject) + _Alignof(max_align_t) - 1) &
                            ~(_Alignof(max_align_t) - 1));
    assert_int_equal(((PyTypeObject *)levels[2])->tp_members[0].offset, data_off);
    assert_int_equal(((PyTypeObject *)levels[2])->tp_members[0].flags, 0);
    assert_true(((PyTypeObject *)levels[2])->tp_basicsize >= data_off + (Py_ssize_t)sizeof(long));
    assert_int_equal(deep->tp_basicsize, ((PyTypeObject *)levels[2])->tp_basicsize);

    /* Slot tables: sq_item set in the subclass, sq_length and nb_add
     * inherited from Point, dealloc inherited as well. */
    assert_ptr_equal(PyType_GetSlot(deep, Py_sq_item), level_item);
    assert_ptr_equal(PyType_GetSlot(deep, Py_sq_length), point_len);
    assert_ptr_equal(PyType_GetSlot(deep, Py_nb_add), point_nb_add);
    assert_ptr_equal(PyType_GetSlot((PyTypeObject *)point, Py_sq_item), NULL);

    /* GetModuleByDef: from the defining type (fast path) and 8 levels down;
     * borrowed, so no reference count moves. */
    assert_ptr_equal(PyType_GetModuleByDef((PyTypeObject *)point, &hmod_def), mod);
    for (int i = 0; i < 1000; i++)
        assert_ptr_equal(PyType_GetModuleByDef(deep, &hmod_def), mod);
    assert_int_equal(Py_REFCNT(mod), mod_rc);
    /* GetModuleByToken: same lookup, strong reference. */
    r = PyType_GetModuleByToken(deep, &hmod_def);
    assert_ptr_equal(r, mod);
    assert_int_equal(Py_REFCNT(mod), mod_rc + 1);
    Py_DECREF(r);
    /* GetModule looks at the type only. */
    assert_null(PyType_GetModule(deep));
    tu_assert_exc(PyExc_TypeError, "PyType_GetModule: Type 'hmod.L8' has no associated module");
    assert_null(PyType_GetModuleState(deep));
    tu_assert_exc(PyExc_TypeError, "PyType_GetModule: Type 'hmod.L8' has no associated module");

    /* GetBaseByToken finds Point (its token is its spec). */
    assert_int_equal(PyType_GetBaseByToken(deep, &point_spec, &found), 1);
    assert_ptr_equal(found, point);
    Py_DECREF(found);
    assert_int_equal(PyType_GetBaseByToken(deep, &point_spec, NULL), 1);
    assert_int_equal(PyType_GetBaseByToken(deep, &plain_spec, &found), 0);
    assert_null(found);
    tu_assert_no_exc();

    /* An instance of the deepest class: inherited members, methods that
     * reach module state through GetModuleByDef(Py_TYPE(self)), its own
     * relative member, Point's dealloc. */
    o = call1_long((PyObject *)deep, 3);
    tu_assert_no_exc();
    assert_non_null(o);
    assert_int_equal(get_long_attr(o, "value"), 3);
    r = PyObject_GetAttrString(o, "state_magic");
    assert_non_null(r);
    Py_SETREF(r, PyObject_CallNoArgs(r));
    assert_non_null(r);
    assert_int_equal(PyLong_AsLong(r), 77);
    Py_DECREF(r);
    r = PyLong_FromLong(-12);
    assert_int_equal(PyObject_SetAttrString(o, "extra", r), 0);
    Py_DECREF(r);
    assert_int_equal(*(long *)((char *)o + data_off), -12);
    assert_int_equal(((Level3Object *)o)->extra, -12);   /* same spot as the C layout */
    assert_int_equal(get_long_attr(o, "extra"), -12);
    r = PyLong_FromLong(4);
    Py_SETREF(r, PyObject_GetItem(o, r));
    assert_non_null(r);
    assert_int_equal(PyLong_AsLong(r), 7);
    Py_DECREF(r);
    Py_DECREF(o);

    for (int i = DEPTH - 1; i >= 0; i--)
        Py_DECREF(levels[i]);
    assert_int_equal(Py_REFCNT(point), point_rc);
    Py_DECREF(point);
    Py_DECREF(mod);
}

static void
test_get_module_errors(void **state)
{
    PyObject *plain = PyType_FromSpec(&plain_spec);
    PyObject *mod = make_module("hmod", &hmod_def, &hmod_def, 5);
    PyObject *point = PyType_FromModuleAndSpec(mod, &point_spec, NULL);

    (void)state;
    assert_non_null(plain);
    assert_non_null(point);
    assert_null(PyType_GetModule(&PyBaseObject_Type));
    tu_assert_exc(PyExc_TypeError, "PyType_GetModule: Type 'object' is not a heap type");
    assert_null(PyType_GetModuleState(&PyBaseObject_Type));
    tu_assert_exc(PyExc_TypeError, "PyType_GetModule: Type 'object' is not a heap type");
    assert_null(PyType_GetModule((PyTypeObject *)plain));
    tu_assert_exc(PyExc_TypeError, "PyType_GetModule: Type 'hmod.Plain' has no associated module");

    assert_null(PyType_GetModuleByDef(&PyBaseObject_Type, &hmod_def));
    tu_assert_exc(PyExc_TypeError,
                  "PyType_GetModuleByDef: No superclass of 'object' has the given module");
    assert_null(PyType_GetModuleByDef((PyTypeObject *)plain, &hmod_def));
    tu_assert_exc(PyExc_TypeError,
                  "PyType_GetModuleByDef: No superclass of 'hmod.Plain' has the given module");
    assert_null(PyType_GetModuleByDef((PyTypeObject *)point, &other_def));
    tu_assert_exc(PyExc_TypeError,
                  "PyType_GetModuleByDef: No superclass of 'pkg.hmod.Point' has the given module");
    assert_null(PyType_GetModuleByToken((PyTypeObject *)point, &other_def));
    tu_assert_exc(PyExc_TypeError,
                  "PyType_GetModuleByDef: No superclass of 'pkg.hmod.Point' has the given module");
    assert_null(PyType_GetModuleByToken((PyTypeObject *)point, NULL));
    tu_assert_exc(PyExc_TypeError, NULL);

    Py_DECREF(point);
    Py_DECREF(plain);
    Py_DECREF(mod);
}

/* 3.15: GetModuleByDef matches a token equal to the def; GetModuleByToken
 * matches tokens only. */
static void
test_def_and_token_matching(void **state)
{
    static const char slots_token[] = "slots-based module token";
    PyObject *m_tok = make_module("tok", NULL, &hmod_def, 1);      /* token only */
    PyObject *m_def = make_module("defonly", &other_def, NULL, 2); /* def only */
    PyObject *m_slots = make_module("slotsmod", NULL, slots_token, 3);
    PyObject *a = PyType_FromModuleAndSpec(m_tok, &plain_spec, NULL);
    PyObject *b = PyType_FromModuleAndSpec(m_def, &plain_spec, NULL);
    PyObject *c = PyType_FromModuleAndSpec(m_slots, &plain_spec, NULL);
    PyObject *r;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_ptr_equal(PyType_GetModuleByDef((PyTypeObject *)a, &hmod_def), m_tok);
    assert_ptr_equal(PyType_GetModuleByDef((PyTypeObject *)b, &other_def), m_def);
    r = PyType_GetModuleByToken((PyTypeObject *)c, slots_token);
    assert_ptr_equal(r, m_slots);
    Py_DECREF(r);
    r = PyType_GetModuleByToken((PyTypeObject *)a, &hmod_def);
    assert_ptr_equal(r, m_tok);
    Py_DECREF(r);
    assert_null(PyType_GetModuleByToken((PyTypeObject *)b, &other_def));
    tu_assert_exc(PyExc_TypeError,
                  "PyType_GetModuleByDef: No superclass of 'hmod.Plain' has the given module");
    /* A non-module object as "module": accepted, never matched. */
    Py_DECREF(c);
    c = PyType_FromModuleAndSpec(Py_None, &plain_spec, NULL);
    assert_non_null(c);
    assert_ptr_equal(PyType_GetModule((PyTypeObject *)c), Py_None);
    assert_null(PyType_GetModuleByDef((PyTypeObject *)c, &hmod_def));
    tu_assert_exc(PyExc_TypeError, NULL);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
    Py_DECREF(m_tok);
    Py_DECREF(m_def);
    Py_DECREF(m_slots);
}

/* ---------------------------------------------------------- GetSlot */

static char marks[Py_tp_token + 1];

static int
slot_is_special(int id)
{
    return id == Py_tp_methods || id == Py_tp_members || id == Py_tp_getset ||
           id == Py_tp_base || id == Py_tp_bases || id == Py_tp_doc || id == Py_tp_token;
}

/* Every slot ID reaches its field: the spec sets each plain slot to a
 * distinct address and PyType_GetSlot reads each back. */
static void
test_every_slot(void **state)
{
    PyType_Slot slots[Py_tp_token + 2];
    PyType_Spec spec = {"hmod.AllSlots", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    int n = 0;
    PyObject *t;
    PyTypeObject *tp;

    (void)state;
    for (int id = 1; id <= Py_tp_token; id++)
        if (!slot_is_special(id))
            slots[n++] = (PyType_Slot){id, &marks[id]};
    slots[n++] = (PyType_Slot){Py_tp_doc, (void *)"all the slots"};
    slots[n++] = (PyType_Slot){Py_tp_token, (void *)&marks[0]};
    slots[n] = (PyType_Slot){0, NULL};
    t = PyType_FromSpec(&spec);
    tu_assert_no_exc();
    assert_non_null(t);
    tp = (PyTypeObject *)t;
    for (int id = 1; id <= Py_tp_token; id++) {
        if (!slot_is_special(id)) {
            if (PyType_GetSlot(tp, id) != &marks[id])
                fail_msg("slot %d reads back %p", id, PyType_GetSlot(tp, id));
        }
    }
    assert_ptr_equal(tp->tp_as_number->nb_inplace_matrix_multiply, &marks[Py_nb_inplace_matrix_multiply]);
    assert_ptr_equal(tp->tp_as_async->am_send, &marks[Py_am_send]);
    assert_ptr_equal((void *)tp->tp_as_buffer->bf_releasebuffer, &marks[Py_bf_releasebuffer]);
    assert_ptr_equal((void *)tp->tp_as_mapping->mp_ass_subscript, &marks[Py_mp_ass_subscript]);
    assert_ptr_equal((void *)tp->tp_vectorcall, &marks[Py_tp_vectorcall]);
    assert_ptr_equal((void *)tp->tp_finalize, &marks[Py_tp_finalize]);
    assert_string_equal(PyType_GetSlot(tp, Py_tp_doc), "all the slots");
    assert_ptr_equal(PyType_GetSlot(tp, Py_tp_token), &marks[0]);
    assert_ptr_equal(PyType_GetSlot(tp, Py_tp_base), &PyBaseObject_Type);
    assert_ptr_equal(PyType_GetSlot(tp, Py_tp_bases), tp->tp_bases);
    assert_null(PyType_GetSlot(tp, Py_tp_members));
    assert_null(PyType_GetSlot(tp, Py_tp_methods));
    tu_assert_no_exc();
    Py_DECREF(t);
}

static void
test_getslot_static_and_errors(void **state)
{
    PyObject *t = PyType_FromSpec(&plain_spec);
    const int bad[] = {0, -1, Py_tp_token + 1, 1000};

    (void)state;
    assert_ptr_equal(PyType_GetSlot(&PyBaseObject_Type, Py_tp_repr), PyBaseObject_Type.tp_repr);
    assert_ptr_equal(PyType_GetSlot(&PyBaseObject_Type, Py_tp_new), PyBaseObject_Type.tp_new);
    assert_null(PyType_GetSlot(&PyBaseObject_Type, Py_nb_add));     /* no tp_as_number */
    assert_null(PyType_GetSlot(&PyBaseObject_Type, Py_tp_token));   /* static: no token */
    assert_ptr_equal(PyType_GetSlot(&PyType_Type, Py_tp_base), &PyBaseObject_Type);
    tu_assert_no_exc();
    /* Unset slots of a heap type read as NULL, without an error. */
    assert_null(PyType_GetSlot((PyTypeObject *)t, Py_nb_add));
    assert_null(PyType_GetSlot((PyTypeObject *)t, Py_tp_token));
    assert_null(PyType_GetSlot((PyTypeObject *)t, Py_tp_doc));
    tu_assert_no_exc();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_null(PyType_GetSlot((PyTypeObject *)t, bad[i]));
        tu_assert_exc(PyExc_SystemError, NULL);
        assert_null(PyType_GetSlot(&PyBaseObject_Type, bad[i]));
        tu_assert_exc(PyExc_SystemError, NULL);
    }
    Py_DECREF(t);
}

static void
test_base_by_token(void **state)
{
    static const char my_token[] = "custom type token";
    PyType_Slot slots[] = {{Py_tp_token, (void *)my_token}, {0, NULL}};
    PyType_Spec spec = {"hmod.Tok", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
    PyObject *t = PyType_FromSpec(&spec), *sub;
    PyTypeObject *found = (PyTypeObject *)Py_None;
    Py_ssize_t rc;

    (void)state;
    assert_non_null(t);
    assert_ptr_equal(PyType_GetSlot((PyTypeObject *)t, Py_tp_token), my_token);
    sub = PyType_FromSpecWithBases(&plain_spec, t);
    assert_non_null(sub);
    rc = Py_REFCNT(t);
    assert_int_equal(PyType_GetBaseByToken((PyTypeObject *)sub, (void *)my_token, &found), 1);
    assert_ptr_equal(found, t);
    assert_int_equal(Py_REFCNT(t), rc + 1);
    Py_DECREF(found);
    assert_int_equal(PyType_GetBaseByToken((PyTypeObject *)t, (void *)my_token, &found), 1);
    assert_ptr_equal(found, t);
    Py_DECREF(found);

    assert_int_equal(PyType_GetBaseByToken(&PyBaseObject_Type, (void *)my_token, &found), 0);
    assert_null(found);
    found = (PyTypeObject *)Py_None;
    assert_int_equal(PyType_GetBaseByToken((PyTypeObject *)sub, NULL, &found), -1);
    assert_null(found);
    tu_assert_exc(PyExc_SystemError, "PyType_GetBaseByToken called with token=NULL");
    assert_int_equal(PyType_GetBaseByToken((PyTypeObject *)Py_None, (void *)my_token, NULL), -1);
    tu_assert_exc(PyExc_TypeError, "expected a type, got a 'NoneType' object");
    Py_DECREF(sub);
    Py_DECREF(t);
}

/* ------------------------------------------------------------ errors */

static PyObject *
meta_new(PyTypeObject *t, PyObject *a, PyObject *k)
{
    (void)t;
    (void)a;
    (void)k;
    Py_RETURN_NONE;
}

static void
test_spec_errors(void **state)
{
    PyType_Slot bad_slot[] = {{Py_tp_token + 1, NULL}, {0, NULL}};
    PyType_Slot neg_slot[] = {{-3, NULL}, {0, NULL}};
    PyType_Slot two_members[] = {{Py_tp_members, plain_members}, {Py_tp_members, plain_members},
                                 {0, NULL}};
    PyType_Slot two_docs[] = {{Py_tp_doc, (void *)"a"}, {Py_tp_doc, (void *)"b"}, {0, NULL}};
    PyType_Spec spec = {"hmod.Bad", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, bad_slot};
    PyType_Spec noname = {NULL, sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, plain_slots};

    (void)state;
    expect_failure(NULL, NULL, &noname, NULL, PyExc_SystemError,
                   "Type spec does not define the name field.");
    expect_failure(NULL, NULL, &spec, NULL, PyExc_RuntimeError, "invalid slot offset");
    spec.slots = neg_slot;
    expect_failure(NULL, NULL, &spec, NULL, PyExc_RuntimeError, "invalid slot offset");
    spec.slots = two_members;
    spec.basicsize = sizeof(PlainObject);
    expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError,
                   "Multiple Py_tp_members slots are not supported.");
    spec.slots = two_docs;
    expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError,
                   "Multiple Py_tp_doc slots are not supported.");
}

static void
test_member_errors(void **state)
{
    PyMemberDef rel[] = {{"m", Py_T_LONG, 0, Py_RELATIVE_OFFSET, NULL}, {NULL, 0, 0, 0, NULL}};
    PyMemberDef special[] = {{"__weaklistoffset__", Py_T_PYSSIZET, 0, Py_READONLY, NULL},
                             {NULL, 0, 0, 0, NULL}};
    PyType_Slot slots[] = {{Py_tp_members, rel}, {0, NULL}};
    PyType_Spec spec = {"hmod.Rel", 64, 0, Py_TPFLAGS_DEFAULT, slots};
    const char *names[] = {"__weaklistoffset__", "__dictoffset__", "__vectorcalloffset__"};
    char msg[80];

    (void)state;
    expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError,
                   "With Py_RELATIVE_OFFSET, basicsize must be negative.");
    spec.basicsize = -8;
    rel[0].offset = 8;
    expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError,
                   "Member offset out of range (0..-basicsize)");
    rel[0].offset = -1;
    expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError,
                   "Member offset out of range (0..-basicsize)");
    slots[0].pfunc = special;
    spec.basicsize = 64;
    for (int i = 0; i < 3; i++) {
        special[0].name = names[i];
        special[0].type = Py_T_INT;
        special[0].flags = Py_READONLY;
        snprintf(msg, sizeof(msg), "type of %s must be Py_T_PYSSIZET", names[i]);
        expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError, msg);
        special[0].type = Py_T_PYSSIZET;
        special[0].flags = 0;
        snprintf(msg, sizeof(msg), "flags for %s must be Py_READONLY", names[i]);
        expect_failure(NULL, NULL, &spec, NULL, PyExc_SystemError, msg);
    }
}

/* Special offsets given relative to the subclass data. */
static void
test_relative_special_members(void **state)
{
    PyMemberDef m[] = {
        {"__dictoffset__", Py_T_PYSSIZET, 0, Py_READONLY | Py_RELATIVE_OFFSET, NULL},
        {"__weaklistoffset__", Py_T_PYSSIZET, sizeof(PyObject *), Py_READONLY | Py_RELATIVE_OFFSET,
         NULL},
        {NULL, 0, 0, 0, NULL},
    };
    PyType_Slot slots[] = {{Py_tp_members, m}, {0, NULL}};
    PyType_Spec spec = {"hmod.RelDict", -(int)(2 * sizeof(PyObject *)), 0, Py_TPFLAGS_DEFAULT,
                        slots};
    PyObject *t = PyType_FromSpec(&spec), *o, *v;
    PyTypeObject *tp = (PyTypeObject *)t;
    Py_ssize_t off = (Py_ssize_t)((sizeof(PyObject) + _Alignof(max_align_t) - 1) &
                                  ~(_Alignof(max_align_t) - 1));

    (void)state;
    tu_assert_no_exc();
    assert_non_null(t);
    assert_int_equal(tp->tp_dictoffset, off);
    assert_int_equal(tp->tp_weaklistoffset, off + (Py_ssize_t)sizeof(PyObject *));
    o = call0(t);
    assert_non_null(o);
    v = PyLong_FromLong(1);
    assert_int_equal(PyObject_SetAttrString(o, "anything", v), 0);
    Py_DECREF(v);
    assert_non_null(*(PyObject **)((char *)o + off));
    Py_DECREF(o);
    Py_DECREF(t);
}

static void
test_base_errors(void **state)
{
    PyType_Spec final_spec = {"hmod.Final", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, plain_slots};
    PyType_Spec var_spec = {"hmod.Var", sizeof(PyVarObject), 8,
                            Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, NULL};
    PyType_Spec ext_spec = {"hmod.Ext", -8, 0, Py_TPFLAGS_DEFAULT, NULL};
    PyObject *final = PyType_FromSpec(&final_spec), *var, *t, *bases;

    (void)state;
    assert_non_null(final);
    expect_failure(NULL, NULL, &plain_spec, final, PyExc_TypeError,
                   "type 'hmod.Final' is not an acceptable base type");
    expect_failure(NULL, NULL, &plain_spec, (PyObject *)&_PyNone_Type, PyExc_TypeError,
                   "type 'NoneType' is not an acceptable base type");
    /* A non-type base fails the metaclass calculation first, as in CPython. */
    bases = PyTuple_Pack(1, Py_None);
    expect_failure(NULL, NULL, &plain_spec, bases, PyExc_TypeError,
                   "metaclass conflict: the metaclass of a derived class must be a "
                   "(non-strict) subclass of the metaclasses of all its bases");
    Py_DECREF(bases);

    /* Extending a variable-size base needs Py_TPFLAGS_ITEMS_AT_END. */
    var = PyType_FromSpec(&var_spec);
    assert_non_null(var);
    expect_failure(NULL, NULL, &ext_spec, var, PyExc_SystemError,
                   "Cannot extend variable-size class without Py_TPFLAGS_ITEMS_AT_END.");
    ext_spec.flags |= Py_TPFLAGS_ITEMS_AT_END;
    t = PyType_FromSpecWithBases(&ext_spec, var);
    tu_assert_no_exc();
    assert_non_null(t);
    assert_int_equal(((PyTypeObject *)t)->tp_itemsize, 8);
    Py_DECREF(t);
    Py_DECREF(var);
    Py_DECREF(final);
}

static void
test_metaclass(void **state)
{
    PyType_Slot custom_new[] = {{Py_tp_new, (void *)meta_new}, {0, NULL}};
    PyType_Spec meta_spec = {"hmod.Meta", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, NULL};
    PyType_Spec bad_meta_spec = {"hmod.BadMeta", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
                                 custom_new};
    PyObject *meta = PyType_FromSpecWithBases(&meta_spec, (PyObject *)&PyType_Type);
    PyObject *bad_meta = PyType_FromSpecWithBases(&bad_meta_spec, (PyObject *)&PyType_Type);
    PyObject *mod = make_module("hmod", &hmod_def, &hmod_def, 9), *t, *sub;
    Py_ssize_t meta_rc, mod_rc;

    (void)state;
    tu_assert_no_exc();
    assert_non_null(meta);
    assert_non_null(bad_meta);
    expect_failure((PyTypeObject *)bad_meta, NULL, &plain_spec, NULL, PyExc_TypeError,
                   "Metaclasses with custom tp_new are not supported.");
    expect_failure((PyTypeObject *)&PyLong_Type, NULL, &plain_spec, NULL, PyExc_TypeError,
                   "metaclass conflict: the metaclass of a derived class must be a "
                   "(non-strict) subclass of the metaclasses of all its bases");

    meta_rc = Py_REFCNT(meta);
    mod_rc = Py_REFCNT(mod);
    t = PyType_FromMetaclass((PyTypeObject *)meta, mod, &point_spec, NULL);
    tu_assert_no_exc();
    assert_non_null(t);
    assert_ptr_equal(Py_TYPE(t), meta);
    assert_int_equal(Py_REFCNT(meta), meta_rc + 1);
    assert_int_equal(Py_REFCNT(mod), mod_rc + 1);
    /* A subclass of a type with a heap metaclass gets that metaclass. */
    sub = PyType_FromSpecWithBases(&level_specs[0], t);
    assert_non_null(sub);
    assert_ptr_equal(Py_TYPE(sub), meta);
    assert_int_equal(Py_REFCNT(meta), meta_rc + 2);
    Py_DECREF(sub);
    Py_DECREF(t);
    assert_int_equal(Py_REFCNT(meta), meta_rc);
    assert_int_equal(Py_REFCNT(mod), mod_rc);
    Py_DECREF(mod);
    Py_DECREF(bad_meta);
    Py_DECREF(meta);
}

/* ------------------------------------------------- multiple bases, MRO */

static PyType_Spec a_spec = {"hmod.A", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, NULL};
static PyType_Spec b_spec = {"hmod.B", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, NULL};
static PyType_Spec c_spec = {"hmod.C", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, NULL};

static void
test_multiple_bases(void **state)
{
    PyObject *a = PyType_FromSpec(&a_spec), *b = PyType_FromSpec(&b_spec), *c, *bases, *mro;
    PyObject *p1, *p2;
    PyType_Spec wide = {"hmod.Wide", sizeof(PyObject) + 16, 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, NULL};

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    bases = PyTuple_Pack(2, a, b);
    c = PyType_FromSpecWithBases(&c_spec, bases);
    Py_DECREF(bases);
    tu_assert_no_exc();
    assert_non_null(c);
    mro = ((PyTypeObject *)c)->tp_mro;
    assert_int_equal(PyTuple_GET_SIZE(mro), 4);
    assert_ptr_equal(PyTuple_GET_ITEM(mro, 0), c);
    assert_ptr_equal(PyTuple_GET_ITEM(mro, 1), a);
    assert_ptr_equal(PyTuple_GET_ITEM(mro, 2), b);
    assert_ptr_equal(PyTuple_GET_ITEM(mro, 3), &PyBaseObject_Type);
    assert_true(PyType_IsSubtype((PyTypeObject *)c, (PyTypeObject *)b));

    /* Inconsistent order: A before C, but C's MRO puts C before A. */
    bases = PyTuple_Pack(2, a, c);
    expect_failure(NULL, NULL, &b_spec, bases, PyExc_TypeError,
                   "Cannot create a consistent method resolution order (MRO) for bases A, C");
    Py_DECREF(bases);
    bases = PyTuple_Pack(2, a, a);
    expect_failure(NULL, NULL, &b_spec, bases, PyExc_TypeError, "duplicate base class A");
    Py_DECREF(bases);

    /* Two bases that both add to the layout. */
    p1 = PyType_FromSpec(&wide);
    wide.name = "hmod.Wide2";
    p2 = PyType_FromSpec(&wide);
    assert_non_null(p1);
    assert_non_null(p2);
    bases = PyTuple_Pack(2, p1, p2);
    expect_failure(NULL, NULL, &c_spec, bases, PyExc_TypeError,
                   "multiple bases have instance lay-out conflict");
    Py_DECREF(bases);

    /* MRO memory under allocation failure is covered by the sweep below. */
    Py_DECREF(p1);
    Py_DECREF(p2);
    Py_DECREF(c);
    Py_DECREF(a);
    Py_DECREF(b);
}

static void
test_names_and_doc(void **state)
{
    PyType_Slot sig_only[] = {{Py_tp_doc, (void *)"Thing(a, b)\n--\n\n"}, {0, NULL}};
    PyType_Slot no_marker[] = {{Py_tp_doc, (void *)"Thing(a, b) makes a thing"}, {0, NULL}};
    PyType_Slot null_doc[] = {{Py_tp_doc, NULL}, {0, NULL}};
    PyType_Spec spec = {"a.b.c.Thing", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, sig_only};
    PyType_Spec nodot = {"Lonely", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, NULL};
    PyObject *t, *doc;

    (void)state;
    t = PyType_FromSpec(&spec);
    assert_non_null(t);
    assert_str(PyType_GetModuleName((PyTypeObject *)t), "a.b.c");
    assert_str(PyType_GetName((PyTypeObject *)t), "Thing");
    doc = PyDict_GetItemString(((PyTypeObject *)t)->tp_dict, "__doc__");
    assert_string_equal(PyUnicode_AsUTF8(doc), "");
    Py_DECREF(t);

    spec.slots = no_marker;
    t = PyType_FromSpec(&spec);
    assert_non_null(t);
    doc = PyDict_GetItemString(((PyTypeObject *)t)->tp_dict, "__doc__");
    assert_string_equal(PyUnicode_AsUTF8(doc), "Thing(a, b) makes a thing");
    Py_DECREF(t);

    spec.slots = null_doc;
    t = PyType_FromSpec(&spec);
    assert_non_null(t);
    assert_null(((PyTypeObject *)t)->tp_doc);
    assert_ptr_equal(PyDict_GetItemString(((PyTypeObject *)t)->tp_dict, "__doc__"), Py_None);
    Py_DECREF(t);

    /* No module part: a DeprecationWarning (not an error by default) and
     * no __module__ in the dict. */
    t = PyType_FromSpec(&nodot);
    PyErr_Clear();
    assert_non_null(t);
    assert_null(PyDict_GetItemString(((PyTypeObject *)t)->tp_dict, "__module__"));
    assert_str(PyType_GetName((PyTypeObject *)t), "Lonely");
    Py_DECREF(t);
}

/* ----------------------------------------------- allocation failures */

struct sweep_ctx {
    PyObject *module;
    PyType_Spec *spec;
    PyObject *bases;
    PyObject *result;
};

static int
sweep_create(void *p)
{
    struct sweep_ctx *c = p;

    c->result = PyType_FromModuleAndSpec(c->module, c->spec, c->bases);
    return c->result != NULL ? 0 : -1;
}

static void
sweep_undo(void *p)
{
    struct sweep_ctx *c = p;

    Py_CLEAR(c->result);
}

static void
test_alloc_failure_sweep(void **state)
{
    PyObject *mod = make_module("pkg.hmod", &hmod_def, &hmod_def, 1);
    Py_ssize_t rc = Py_REFCNT(mod);
    struct sweep_ctx c = {mod, &point_spec, NULL, NULL};
    PyObject *a, *b;
    int n;

    (void)state;
    /* Warm up: the first creation interns descriptor names for good; the
     * sweep must only see what one creation allocates and frees. */
    assert_int_equal(sweep_create(&c), 0);
    sweep_undo(&c);
    n = tu_alloc_failure_sweep(sweep_create, sweep_undo, &c, PyExc_MemoryError);
    assert_true(n > 5);
    assert_int_equal(Py_REFCNT(mod), rc);

    /* The multiple-bases (C3) path. */
    a = PyType_FromSpec(&a_spec);
    b = PyType_FromSpec(&b_spec);
    assert_non_null(a);
    assert_non_null(b);
    c.spec = &c_spec;
    c.bases = PyTuple_Pack(2, a, b);
    assert_non_null(c.bases);
    assert_int_equal(sweep_create(&c), 0);
    sweep_undo(&c);
    n = tu_alloc_failure_sweep(sweep_create, sweep_undo, &c, PyExc_MemoryError);
    assert_true(n > 5);
    Py_DECREF(c.bases);
    Py_DECREF(a);
    Py_DECREF(b);
    assert_int_equal(Py_REFCNT(mod), rc);
    Py_DECREF(mod);
}

/* ------------------------------------------------------------ threads */

#define NTHREADS 4
#define ROUNDS 2000

struct thread_ctx {
    PyObject *module;
    PyTypeObject *deep;
    int failures;
};

/* Lookups, instance creation and attribute reads on one shared heap type
 * (and its shared module) from several threads: no locks are involved, the
 * type and module reference counts are atomic, and they return to where
 * they started. */
static void *
thread_body(void *p)
{
    struct thread_ctx *c = p;
    PyGILState_STATE g = PyGILState_Ensure();

    for (int i = 0; i < ROUNDS; i++) {
        PyObject *o, *r;
        if (PyType_GetModuleByDef(c->deep, &hmod_def) != c->module)
            c->failures++;
        r = PyType_GetModuleByToken(c->deep, &hmod_def);
        if (r != c->module)
            c->failures++;
        Py_XDECREF(r);
        o = call1_long((PyObject *)c->deep, i);
        if (o == NULL || ((PointObject *)o)->value != i)
            c->failures++;
        r = o != NULL ? PyObject_GetAttrString(o, "value") : NULL;
        if (r == NULL || PyLong_AsLong(r) != i)
            c->failures++;
        Py_XDECREF(r);
        Py_XDECREF(o);
        if (PyErr_Occurred()) {
            PyErr_Clear();
            c->failures++;
        }
    }
    PyGILState_Release(g);
    return NULL;
}

static void
test_threads(void **state)
{
    PyObject *mod = make_module("pkg.hmod", &hmod_def, &hmod_def, 3);
    PyObject *point = PyType_FromModuleAndSpec(mod, &point_spec, NULL);
    PyObject *sub;
    struct thread_ctx ctx[NTHREADS];
    pthread_t th[NTHREADS];
    Py_ssize_t mod_rc, sub_rc;

    (void)state;
    assert_non_null(point);
    sub = PyType_FromSpecWithBases(&level_specs[0], point);
    assert_non_null(sub);
    mod_rc = Py_REFCNT(mod);
    sub_rc = Py_REFCNT(sub);
    for (int i = 0; i < NTHREADS; i++) {
        ctx[i] = (struct thread_ctx){mod, (PyTypeObject *)sub, 0};
        assert_int_equal(pthread_create(&th[i], NULL, thread_body, &ctx[i]), 0);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    Py_END_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(ctx[i].failures, 0);
    assert_int_equal(Py_REFCNT(mod), mod_rc);
    assert_int_equal(Py_REFCNT(sub), sub_rc);
    Py_DECREF(sub);
    Py_DECREF(point);
    Py_DECREF(mod);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_with_module),
        cmocka_unit_test(test_module_refcount_per_type),
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_default_dealloc),
        cmocka_unit_test(test_finalizer_and_resurrection),
        cmocka_unit_test(test_subclass_chain),
        cmocka_unit_test(test_get_module_errors),
        cmocka_unit_test(test_def_and_token_matching),
        cmocka_unit_test(test_every_slot),
        cmocka_unit_test(test_getslot_static_and_errors),
        cmocka_unit_test(test_base_by_token),
        cmocka_unit_test(test_spec_errors),
        cmocka_unit_test(test_member_errors),
        cmocka_unit_test(test_relative_special_members),
        cmocka_unit_test(test_base_errors),
        cmocka_unit_test(test_metaclass),
        cmocka_unit_test(test_multiple_bases),
        cmocka_unit_test(test_names_and_doc),
        cmocka_unit_test(test_alloc_failure_sweep),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("heaptype", tests, tu_runtime_up, tu_runtime_down);
}
