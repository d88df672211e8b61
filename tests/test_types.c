/* test_types: static types, descriptors, the attribute and object
 * protocols, and calls through every METH_* convention.
 * ctest-labels: unit */
#include "testutil.h"

typedef struct {
    PyObject_HEAD
    PyObject *dict;
    int i;
    double d;
    PyObject *obj;
    char flag;
    long long ll;
} Thing;

static PyObject *m_noargs(PyObject *self, PyObject *u) { (void)u; return Py_NewRef(self); }
static PyObject *m_o(PyObject *self, PyObject *a) { (void)self; return Py_NewRef(a); }
static PyObject *m_varargs(PyObject *self, PyObject *args)
{
    (void)self;
    return PyLong_FromSsize_t(PyTuple_GET_SIZE(args));
}
static PyObject *m_varkw(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return PyLong_FromSsize_t(PyTuple_GET_SIZE(args) * 10 + (kw ? PyDict_Size(kw) : 0));
}
static PyObject *m_fast(PyObject *self, PyObject *const *args, Py_ssize_t n)
{
    (void)self;
    (void)args;
    return PyLong_FromSsize_t(n);
}
static PyObject *m_fastkw(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kwn)
{
    (void)self;
    (void)args;
    return PyLong_FromSsize_t(n * 10 + (kwn ? PyTuple_GET_SIZE(kwn) : 0));
}
static PyTypeObject ThingType;
static PyObject *m_method(PyObject *self, PyTypeObject *cls, PyObject *const *args, size_t n,
                          PyObject *kwn)
{
    (void)self;
    (void)args;
    (void)kwn;
    if (cls != &ThingType) {
        PyErr_SetString(PyExc_AssertionError, "wrong defining class");
        return NULL;
    }
    return PyLong_FromSize_t(PyVectorcall_NARGS(n));
}
static PyObject *m_class(PyObject *cls, PyObject *u) { (void)u; return Py_NewRef(cls); }
static PyObject *m_static(PyObject *self, PyObject *u) { (void)u; return Py_NewRef(self ? self : Py_None); }
static PyObject *get_twice(PyObject *self, void *c) { (void)c; return PyLong_FromLong(((Thing *)self)->i * 2); }

static PyMethodDef thing_methods[] = {
    {"noargs", m_noargs, METH_NOARGS, "noargs doc"},
    {"o", m_o, METH_O, NULL},
    {"varargs", m_varargs, METH_VARARGS, NULL},
    {"varkw", (PyCFunction)(void (*)(void))m_varkw, METH_VARARGS | METH_KEYWORDS, NULL},
    {"fast", (PyCFunction)(void (*)(void))m_fast, METH_FASTCALL, NULL},
    {"fastkw", (PyCFunction)(void (*)(void))m_fastkw, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"method", (PyCFunction)(void (*)(void))m_method, METH_METHOD | METH_FASTCALL | METH_KEYWORDS, NULL},
    {"cls", m_class, METH_NOARGS | METH_CLASS, NULL},
    {"stat", m_static, METH_NOARGS | METH_STATIC, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef thing_members[] = {
    {"i", Py_T_INT, offsetof(Thing, i), 0, NULL},
    {"d", Py_T_DOUBLE, offsetof(Thing, d), 0, NULL},
    {"obj", Py_T_OBJECT_EX, offsetof(Thing, obj), 0, NULL},
    {"flag", Py_T_BOOL, offsetof(Thing, flag), Py_READONLY, NULL},
    {"ll", Py_T_LONGLONG, offsetof(Thing, ll), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef thing_getset[] = {
    {"twice", get_twice, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static void
thing_dealloc(PyObject *self)
{
    Py_XDECREF(((Thing *)self)->dict);
    Py_XDECREF(((Thing *)self)->obj);
    Py_TYPE(self)->tp_free(self);
}

static int inits;

static int
thing_init(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)kw;
    inits++;
    ((Thing *)self)->i = (int)PyTuple_GET_SIZE(args);
    return 0;
}

static PyTypeObject ThingType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "testmod.Thing",
    .tp_basicsize = sizeof(Thing),
    .tp_dealloc = thing_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A thing.",
    .tp_methods = thing_methods,
    .tp_members = thing_members,
    .tp_getset = thing_getset,
    .tp_dictoffset = offsetof(Thing, dict),
    .tp_init = thing_init,
    .tp_new = PyType_GenericNew,
};

static PyTypeObject SubThingType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "testmod.SubThing",
    .tp_basicsize = sizeof(Thing),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_base = &ThingType,
};

static PyObject *
new_thing(void)
{
    PyObject *args = PyTuple_New(0), *t = PyObject_Call((PyObject *)&ThingType, args, NULL);

    Py_DECREF(args);
    assert_non_null(t);
    return t;
}

static long
as_long_steal(PyObject *o)
{
    long v;

    tu_assert_no_exc();
    assert_non_null(o);
    v = PyLong_AsLong(o);
    Py_DECREF(o);
    return v;
}

static void
test_ready_and_mro(void **state)
{
    PyObject *mro, *doc;

    (void)state;
    assert_int_equal(PyType_Ready(&SubThingType), 0);   /* readies its base too */
    assert_true(PyType_HasFeature(&ThingType, Py_TPFLAGS_READY));
    assert_ptr_equal(Py_TYPE(&ThingType), &PyType_Type);
    assert_ptr_equal(ThingType.tp_base, &PyBaseObject_Type);
    mro = SubThingType.tp_mro;
    assert_int_equal(PyTuple_GET_SIZE(mro), 3);
    assert_ptr_equal(PyTuple_GET_ITEM(mro, 1), &ThingType);
    assert_ptr_equal(PyTuple_GET_ITEM(mro, 2), &PyBaseObject_Type);
    assert_true(PyType_IsSubtype(&SubThingType, &ThingType));
    assert_false(PyType_IsSubtype(&ThingType, &SubThingType));
    assert_ptr_equal(SubThingType.tp_dealloc, thing_dealloc);   /* inherited */
    doc = PyObject_GetAttrString((PyObject *)&ThingType, "__doc__");
    assert_string_equal(PyUnicode_AsUTF8(doc), "A thing.");
    Py_DECREF(doc);
    assert_true(PyLong_Check(Py_True));               /* subclass bits */
    assert_true(PyType_IsSubtype(&PyBool_Type, &PyLong_Type));
}

static void
test_instance_attributes(void **state)
{
    PyObject *t = new_thing(), *v, *r;
    char buf[128];

    (void)state;
    assert_int_equal(inits, 1);
    v = PyLong_FromLong(21);
    assert_int_equal(PyObject_SetAttrString(t, "i", v), 0);
    Py_DECREF(v);
    assert_int_equal(as_long_steal(PyObject_GetAttrString(t, "twice")), 42);
    assert_null(PyObject_GetAttrString(t, "obj"));
    tu_assert_exc(PyExc_AttributeError, "'testmod.Thing' object has no attribute 'obj'");
    assert_int_equal(PyObject_SetAttrString(t, "flag", Py_True), -1);
    tu_assert_exc(PyExc_AttributeError, "attribute 'flag' of 'testmod.Thing' objects is not writable");
    assert_int_equal(PyObject_SetAttrString(t, "twice", Py_None), -1);
    tu_assert_exc(PyExc_AttributeError, "attribute 'twice' of 'testmod.Thing' objects is not writable");
    v = PyUnicode_FromString("x");
    assert_int_equal(PyObject_SetAttrString(t, "i", v), -1);   /* type error from the member */
    PyErr_Clear();
    /* the instance dict */
    assert_int_equal(PyObject_SetAttrString(t, "extra", v), 0);
    r = PyObject_GetAttrString(t, "extra");
    assert_ptr_equal(r, v);
    Py_DECREF(r);
    Py_DECREF(v);
    assert_int_equal(PyObject_DelAttrString(t, "extra"), 0);
    assert_int_equal(PyObject_HasAttrString(t, "extra"), 0);
    assert_int_equal(PyObject_DelAttrString(t, "extra"), -1);
    tu_assert_exc(PyExc_AttributeError, "'testmod.Thing' object has no attribute 'extra'");
    assert_null(PyObject_GetAttrString(t, "missing"));
    tu_assert_exc(PyExc_AttributeError, "'testmod.Thing' object has no attribute 'missing'");
    v = PyLong_FromLong(1);
    assert_null(PyObject_GetAttr(t, v));
    tu_assert_exc(PyExc_TypeError, "attribute name must be string, not 'int'");
    Py_DECREF(v);
    /* objects without a dict */
    v = PyLong_FromLong(5);
    assert_int_equal(PyObject_SetAttrString(v, "x", Py_None), -1);
    tu_assert_exc(PyExc_AttributeError,
                  "'int' object has no attribute 'x' and no __dict__ for setting new attributes");
    Py_DECREF(v);
    assert_null(PyObject_GetAttrString((PyObject *)&ThingType, "nope"));
    tu_assert_exc(PyExc_AttributeError, "type object 'testmod.Thing' has no attribute 'nope'");
    r = PyObject_Repr(t);
    snprintf(buf, sizeof buf, "<testmod.Thing object at %p>", (void *)t);
    assert_string_equal(PyUnicode_AsUTF8(r), buf);
    Py_DECREF(r);
    Py_DECREF(t);
}

static void
test_meth_conventions(void **state)
{
    PyObject *t = new_thing(), *f, *args, *kw, *r, *one = PyLong_FromLong(1);
    PyObject *vec[4] = {NULL, one, one, one};
    PyObject *kwnames = Py_BuildValue("(s)", "k");

    (void)state;
    r = PyObject_CallMethod(t, "noargs", NULL);
    assert_ptr_equal(r, t);
    Py_DECREF(r);
    f = PyObject_GetAttrString(t, "noargs");
    assert_null(PyObject_CallOneArg(f, one));
    tu_assert_exc(PyExc_TypeError, "noargs() takes no arguments (1 given)");
    r = PyObject_GetAttrString(f, "__doc__");
    assert_string_equal(PyUnicode_AsUTF8(r), "noargs doc");
    Py_DECREF(r);
    r = PyObject_GetAttrString(f, "__qualname__");
    assert_string_equal(PyUnicode_AsUTF8(r), "Thing.noargs");
    Py_DECREF(r);
    Py_DECREF(f);

    f = PyObject_GetAttrString(t, "o");
    r = PyObject_CallOneArg(f, one);
    assert_ptr_equal(r, one);
    Py_DECREF(r);
    assert_null(PyObject_CallNoArgs(f));
    tu_assert_exc(PyExc_TypeError, "o() takes exactly one argument (0 given)");
    kw = PyDict_New();
    PyDict_SetItemString(kw, "k", one);
    args = PyTuple_Pack(1, one);
    assert_null(PyObject_Call(f, args, kw));
    tu_assert_exc(PyExc_TypeError, "o() takes no keyword arguments");
    Py_DECREF(f);

    f = PyObject_GetAttrString(t, "varargs");
    assert_int_equal(as_long_steal(PyObject_Vectorcall(f, vec + 1, 3, NULL)), 3);
    Py_DECREF(f);
    f = PyObject_GetAttrString(t, "varkw");
    assert_int_equal(as_long_steal(PyObject_Call(f, args, kw)), 11);
    assert_int_equal(as_long_steal(PyObject_Vectorcall(f, vec + 1, 2, kwnames)), 21);
    Py_DECREF(f);
    f = PyObject_GetAttrString(t, "fast");
    assert_int_equal(as_long_steal(PyObject_Vectorcall(f, vec + 1,
                                   3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)), 3);
    Py_DECREF(f);
    f = PyObject_GetAttrString(t, "fastkw");
    assert_int_equal(as_long_steal(PyObject_VectorcallDict(f, vec + 1, 1, kw)), 11);
    Py_DECREF(f);
    f = PyObject_GetAttrString(t, "method");
    assert_int_equal(as_long_steal(PyObject_Vectorcall(f, vec + 1, 2, NULL)), 2);
    Py_DECREF(f);
    /* unbound through the type: self is the first argument */
    f = PyObject_GetAttrString((PyObject *)&ThingType, "noargs");
    r = PyObject_CallOneArg(f, t);
    assert_ptr_equal(r, t);
    Py_DECREF(r);
    assert_null(PyObject_CallOneArg(f, one));
    tu_assert_exc(PyExc_TypeError,
                  "descriptor 'noargs' for 'testmod.Thing' objects doesn't apply to a 'int' object");
    Py_DECREF(f);
    r = PyObject_CallMethod((PyObject *)&ThingType, "cls", NULL);
    assert_ptr_equal(r, &ThingType);
    Py_DECREF(r);
    r = PyObject_CallMethod(t, "cls", NULL);
    assert_ptr_equal(r, &ThingType);
    Py_DECREF(r);
    r = PyObject_CallMethod(t, "stat", NULL);
    assert_non_null(r);
    Py_DECREF(r);
    vec[0] = t;
    PyObject *name = PyUnicode_FromString("fast");
    assert_int_equal(as_long_steal(PyObject_VectorcallMethod(name, vec,
                                   3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)), 2);
    assert_int_equal(as_long_steal(PyObject_CallMethodOneArg(t, name, one)), 1);
    assert_int_equal(as_long_steal(PyObject_CallMethodNoArgs(t, name)), 0);
    assert_int_equal(as_long_steal(PyObject_CallMethodObjArgs(t, name, one, one, NULL)), 2);
    Py_DECREF(name);
    Py_DECREF(args);
    Py_DECREF(kw);
    Py_DECREF(kwnames);
    Py_DECREF(one);
    Py_DECREF(t);
}

static PyObject *
free_function(PyObject *self, PyObject *args)
{
    (void)self;
    return Py_NewRef(args);
}

static void
test_cfunction_objects(void **state)
{
    static PyMethodDef def = {"freef", free_function, METH_VARARGS, "free doc"};
    PyObject *f = PyCFunction_New(&def, NULL), *r, *a;

    (void)state;
    r = PyObject_Repr(f);
    assert_string_equal(PyUnicode_AsUTF8(r), "<built-in function freef>");
    Py_DECREF(r);
    r = PyObject_GetAttrString(f, "__self__");
    assert_ptr_equal(r, Py_None);
    Py_DECREF(r);
    a = PyLong_FromLong(3);
    r = PyObject_CallFunctionObjArgs(f, a, a, NULL);
    assert_int_equal(PyTuple_GET_SIZE(r), 2);
    Py_DECREF(r);
    assert_ptr_equal(PyCFunction_GetFunction(f), free_function);
    assert_int_equal(PyCFunction_GetFlags(f), METH_VARARGS);
    assert_true(PyCallable_Check(f));
    assert_false(PyCallable_Check(a));
    assert_null(PyObject_CallNoArgs(a));
    tu_assert_exc(PyExc_TypeError, "'int' object is not callable");
    Py_DECREF(a);
    Py_DECREF(f);
    static PyMethodDef bad = {"bad", free_function, METH_NOARGS | METH_O, NULL};
    assert_null(PyCFunction_New(&bad, NULL));
    tu_assert_exc(PyExc_SystemError, "bad() method: bad call flags");
}

static void
test_object_protocol(void **state)
{
    PyObject *list = PyList_New(0), *i = PyLong_FromLong(3), *o = new_thing(), *tup;

    (void)state;
    assert_int_equal(PyObject_Hash(list), -1);
    tu_assert_exc(PyExc_TypeError, "unhashable type: 'list'");
    assert_int_equal(PyObject_Size(i), -1);
    tu_assert_exc(PyExc_TypeError, "object of type 'int' has no len()");
    assert_null(PyObject_GetItem(i, i));
    tu_assert_exc(PyExc_TypeError, "'int' object is not subscriptable");
    assert_int_equal(PyObject_SetItem(i, i, i), -1);
    tu_assert_exc(PyExc_TypeError, "'int' object does not support item assignment");
    assert_null(PyObject_RichCompare(o, o, Py_LT));
    tu_assert_exc(PyExc_TypeError,
                  "'<' not supported between instances of 'testmod.Thing' and 'testmod.Thing'");
    assert_int_equal(PyObject_RichCompareBool(o, o, Py_EQ), 1);
    assert_int_equal(PyObject_RichCompareBool(o, i, Py_EQ), 0);
    assert_int_equal(PyObject_IsTrue(list), 0);
    assert_int_equal(PyObject_Not(i), 0);
    assert_int_equal(PyObject_IsTrue(Py_None), 0);
    assert_int_equal(PyObject_IsTrue(o), 1);
    tup = PyTuple_Pack(2, (PyObject *)&PyFloat_Type, (PyObject *)&ThingType);
    assert_int_equal(PyObject_IsInstance(o, tup), 1);
    assert_int_equal(PyObject_IsInstance(i, tup), 0);
    assert_int_equal(PyObject_IsSubclass((PyObject *)&SubThingType, tup), 1);
    assert_int_equal(PyObject_IsInstance(o, i), -1);
    tu_assert_exc(PyExc_TypeError,
                  "isinstance() arg 2 must be a type, a tuple of types, or a union");
    Py_DECREF(tup);
    assert_null(PyObject_GetIter(i));
    tu_assert_exc(PyExc_TypeError, "'int' object is not iterable");
    PyObject *t = PyObject_Type(i);
    assert_ptr_equal(t, &PyLong_Type);
    Py_DECREF(t);
    Py_DECREF(list);
    Py_DECREF(i);
    Py_DECREF(o);
}

static void
test_refcount_and_immortals(void **state)
{
    PyObject *o = new_thing();
    int64_t word;

    (void)state;
    assert_int_equal(Py_REFCNT(o), 1);
    Py_INCREF(o);
    assert_int_equal(Py_REFCNT(o), 2);
    Py_DECREF(o);
    /* immortal objects: incref/decref leave the word untouched */
    word = Py_None->ob_refcnt_full;
    for (int k = 0; k < 1000; k++) {
        Py_INCREF(Py_None);
        Py_DECREF(Py_None);
        Py_DECREF(Py_None);
    }
    assert_true(Py_None->ob_refcnt_full == word);
    assert_true(_Py_IsImmortal((PyObject *)&ThingType));
    assert_true(_Py_IsImmortal(Py_True));
    PyObject *x = o;
    Py_CLEAR(x);
    assert_null(x);
}

struct call_ctx {
    PyObject *func, *args, *kw;
};

static int
call_op(void *arg)
{
    struct call_ctx *c = arg;
    PyObject *r = PyObject_Call(c->func, c->args, c->kw);

    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static void
test_call_alloc_failures(void **state)
{
    PyObject *t = new_thing(), *one = PyLong_FromLong(1);
    struct call_ctx c;

    (void)state;
    /* METH_VARARGS|METH_KEYWORDS through PyObject_Call: the tuple, dict and
     * kwnames conversions all allocate */
    c.func = PyObject_GetAttrString(t, "varkw");
    c.args = PyTuple_Pack(2, one, one);
    c.kw = PyDict_New();
    PyDict_SetItemString(c.kw, "a", one);
    PyDict_SetItemString(c.kw, "b", one);
    assert_true(tu_alloc_failure_sweep(call_op, NULL, &c, PyExc_MemoryError) >= 1);
    Py_DECREF(c.func);
    /* METH_FASTCALL|METH_KEYWORDS from a tuple and a dict */
    c.func = PyObject_GetAttrString(t, "fastkw");
    assert_true(tu_alloc_failure_sweep(call_op, NULL, &c, PyExc_MemoryError) >= 1);
    Py_DECREF(c.func);
    Py_DECREF(c.args);
    Py_DECREF(c.kw);
    Py_DECREF(one);
    Py_DECREF(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_and_mro),
        cmocka_unit_test(test_instance_attributes),
        cmocka_unit_test(test_meth_conventions),
        cmocka_unit_test(test_cfunction_objects),
        cmocka_unit_test(test_call_alloc_failures),
        cmocka_unit_test(test_object_protocol),
        cmocka_unit_test(test_refcount_and_immortals),
    };
    return cmocka_run_group_tests_name("types", tests, tu_runtime_up, tu_runtime_down);
}
