/* test_modules: the module-object API driven directly (issue 4).
 * ctest-labels: unit
 *
 * Specs are plain objects with a 'name' attribute (an Exception instance,
 * which has a __dict__), as PyModule_FromDefAndSpec only reads spec.name.
 * Tests name the SEMANTICS.md 10 items they check. */
#include "testutil.h"

static PyObject *
make_spec(const char *name)
{
    PyObject *spec = PyObject_CallNoArgs(PyExc_Exception), *n;

    assert_non_null(spec);
    n = PyUnicode_FromString(name);
    assert_int_equal(PyObject_SetAttrString(spec, "name", n), 0);
    Py_DECREF(n);
    return spec;
}

static PyObject *
answer(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(42);
}

static PyMethodDef answer_methods[] = {
    {"answer", answer, METH_NOARGS, "the answer"},
    {NULL, NULL, 0, NULL},
};

static int frees, clears;
static void count_free(void *m) { (void)m; frees++; }
static int count_clear(PyObject *m) { (void)m; clears++; return 0; }
static int exec_set(PyObject *m) { return PyModule_AddIntConstant(m, "executed", 1); }

static void
test_def_init_index(void **state)   /* items 28, 29 */
{
    static PyModuleDef a = {PyModuleDef_HEAD_INIT, "a", NULL, 0, NULL, NULL, NULL, NULL, NULL};
    static PyModuleDef b = {PyModuleDef_HEAD_INIT, "b", NULL, 0, NULL, NULL, NULL, NULL, NULL};

    (void)state;
    assert_ptr_equal(PyModuleDef_Init(&a), &a);
    Py_ssize_t ia = a.m_base.m_index;
    assert_true(ia >= 1);
    assert_ptr_equal(Py_TYPE(&a), &PyModuleDef_Type);
    PyModuleDef_Init(&a);
    assert_int_equal(a.m_base.m_index, ia);
    PyModuleDef_Init(&b);
    assert_true(b.m_base.m_index != ia && b.m_base.m_index >= 1);
}

static void
test_create_single_phase(void **state)   /* items 30-34, 109 */
{
    static PyModuleDef def = {PyModuleDef_HEAD_INIT, "mod_a", "doc of a", 16, answer_methods,
                              NULL, NULL, NULL, NULL};
    static PyModuleDef_Slot slots[] = {{Py_mod_exec, exec_set}, {0, NULL}};
    static PyModuleDef slotted = {PyModuleDef_HEAD_INIT, "m", NULL, 0, NULL, slots,
                                  NULL, NULL, NULL};
    PyObject *m, *f, *v;

    (void)state;
    m = PyModule_Create(&def);
    assert_non_null(m);
    assert_ptr_equal(PyModule_GetDef(m), &def);
    assert_non_null(PyModule_GetState(m));
    assert_int_equal(((char *)PyModule_GetState(m))[15], 0);
    assert_string_equal(PyModule_GetName(m), "mod_a");
    f = PyObject_GetAttrString(m, "answer");
    v = PyObject_GetAttrString(f, "__self__");
    assert_ptr_equal(v, m);
    Py_DECREF(v);
    v = PyObject_GetAttrString(f, "__module__");
    assert_string_equal(PyUnicode_AsUTF8(v), "mod_a");
    Py_DECREF(v);
    Py_DECREF(f);

    assert_null(PyState_FindModule(&def));
    tu_assert_no_exc();
    assert_int_equal(PyState_AddModule(m, &def), 0);
    assert_ptr_equal(PyState_FindModule(&def), m);
    assert_int_equal(PyState_RemoveModule(&def), 0);
    assert_null(PyState_FindModule(&def));

    PyModuleDef_Init(&slotted);
    assert_null(PyState_FindModule(&slotted));
    tu_assert_no_exc();
    assert_int_equal(PyState_AddModule(m, &slotted), -1);
    tu_assert_exc(PyExc_SystemError, "PyState_AddModule called on module with slots");
    assert_int_equal(PyState_RemoveModule(&slotted), -1);
    tu_assert_exc(PyExc_SystemError, "PyState_RemoveModule called on module with slots");
    assert_null(PyModule_Create(&slotted));
    tu_assert_exc(PyExc_SystemError, "module m: PyModule_Create is incompatible with m_slots");
    Py_DECREF(m);
}

static void
test_from_def_and_spec(void **state)   /* items 36, 50-52, 67 */
{
    static PyModuleDef_Slot slots[] = {{Py_mod_exec, exec_set}, {Py_mod_gil, Py_MOD_GIL_NOT_USED},
                                       {0, NULL}};
    static PyModuleDef def = {PyModuleDef_HEAD_INIT, "ignored", NULL, 24, answer_methods, slots,
                              NULL, count_clear, count_free};
    static PyModuleDef zero = {PyModuleDef_HEAD_INIT, "zero", NULL, 0, NULL, NULL,
                               NULL, NULL, NULL};
    PyObject *spec = make_spec("from_spec"), *m;
    void *token;

    (void)state;
    m = PyModule_FromDefAndSpec(&def, spec);
    assert_non_null(m);
    assert_string_equal(PyModule_GetName(m), "from_spec");
    assert_null(PyModule_GetState(m));              /* item 50: no state before exec */
    tu_assert_no_exc();
    assert_int_equal(PyModule_GetToken(m, &token), 0);
    assert_ptr_equal(token, &def);                  /* item 67 */
    /* item 51: exec never ran, so m_free must not run either */
    frees = 0;
    Py_DECREF(m);
    assert_int_equal(frees, 0);

    m = PyModule_FromDefAndSpec(&def, spec);
    assert_int_equal(PyModule_ExecDef(m, &def), 0);
    assert_non_null(PyModule_GetState(m));
    assert_int_equal(((char *)PyModule_GetState(m))[23], 0);
    assert_int_equal(PyObject_HasAttrString(m, "executed"), 1);
    Py_TYPE(m)->tp_clear(m);                        /* breaks the function cycle */
    assert_int_equal(clears, 1);
    Py_DECREF(m);
    assert_int_equal(frees, 1);

    m = PyModule_FromDefAndSpec(&zero, spec);       /* item 52 */
    assert_int_equal(PyModule_ExecDef(m, &zero), 0);
    assert_non_null(PyModule_GetState(m));
    Py_DECREF(m);
    Py_DECREF(spec);
}

static void
test_from_slots_and_spec(void **state)   /* items 62-65, 69, 70 */
{
    static PySlot empty[] = {PySlot_END};
    static PySlot named[] = {PySlot_DATA(Py_mod_name, "other"),
                             PySlot_DATA(Py_mod_doc, "slots doc"),
                             PySlot_SIZE(Py_mod_state_size, 123),
                             PySlot_END};
    static int tok;
    static PySlot tokened[] = {PySlot_DATA(Py_mod_token, &tok), PySlot_END};
    static PySlot twodoc[] = {PySlot_DATA(Py_mod_doc, "a"), PySlot_DATA(Py_mod_doc, "b"),
                              PySlot_END};
    static PySlot nulldoc[] = {PySlot_DATA(Py_mod_doc, NULL), PySlot_END};
    static PySlot twoexec[] = {PySlot_FUNC(Py_mod_exec, exec_set),
                               PySlot_FUNC(Py_mod_exec, exec_set), PySlot_END};
    static PySlot optional[] = {{.sl_id = 5, .sl_flags = PySlot_OPTIONAL}, PySlot_END};
    static PySlot badend[] = {{.sl_id = 0, .sl_flags = PySlot_OPTIONAL}};
    PyObject *spec = make_spec("testmod"), *m, *doc;
    Py_ssize_t size;
    void *token;

    (void)state;
    assert_null(PyModule_FromSlotsAndSpec(NULL, spec));
    tu_assert_exc(PyExc_SystemError, "PyModule_FromSlotsAndSpec called with NULL slots");
    assert_null(PyModule_FromSlotsAndSpec(empty, Py_None));
    tu_assert_exc(PyExc_AttributeError, NULL);

    m = PyModule_FromSlotsAndSpec(empty, spec);
    assert_non_null(m);
    assert_string_equal(PyModule_GetName(m), "testmod");
    assert_null(PyModule_GetDef(m));
    assert_int_equal(PyModule_GetToken(m, &token), 0);
    assert_null(token);
    assert_int_equal(PyModule_GetStateSize(m, &size), 0);
    assert_int_equal(size, 0);
    doc = PyObject_GetAttrString(m, "__doc__");
    assert_ptr_equal(doc, Py_None);
    Py_DECREF(doc);
    Py_DECREF(m);

    m = PyModule_FromSlotsAndSpec(named, spec);
    assert_non_null(m);
    assert_string_equal(PyModule_GetName(m), "testmod");     /* item 64 */
    doc = PyObject_GetAttrString(m, "__doc__");
    assert_string_equal(PyUnicode_AsUTF8(doc), "slots doc");
    Py_DECREF(doc);
    assert_int_equal(PyModule_GetStateSize(m, &size), 0);
    assert_int_equal(size, 123);
    Py_DECREF(m);

    m = PyModule_FromSlotsAndSpec(tokened, spec);
    assert_int_equal(PyModule_GetToken(m, &token), 0);
    assert_ptr_equal(token, &tok);
    Py_DECREF(m);

    assert_null(PyModule_FromSlotsAndSpec(twodoc, spec));
    tu_assert_exc(PyExc_SystemError, "module testmod has multiple Py_mod_doc (101) slots");
    assert_null(PyModule_FromSlotsAndSpec(nulldoc, spec));
    tu_assert_exc(PyExc_SystemError, "NULL not allowed for slot Py_mod_doc");
    assert_null(PyModule_FromSlotsAndSpec(twoexec, spec));
    tu_assert_exc(PyExc_SystemError, "module testmod has more than one Py_mod_exec slot");
    m = PyModule_FromSlotsAndSpec(optional, spec);              /* item 78 */
    assert_non_null(m);
    Py_DECREF(m);
    assert_null(PyModule_FromSlotsAndSpec(badend, spec));
    tu_assert_exc(PyExc_SystemError, "invalid flags for Py_slot_end: 0x1");
    Py_DECREF(spec);
}

static void
test_accessor_errors(void **state)   /* items 71, 72, 104-113 */
{
    PyObject *s = PyUnicode_FromString("x"), *m, *v;
    Py_ssize_t size;
    void *token;

    (void)state;
    assert_int_equal(PyModule_GetStateSize(s, &size), -1);
    assert_int_equal(size, -1);
    tu_assert_exc(PyExc_TypeError, "expected module, got str");
    assert_int_equal(PyModule_GetToken(s, &token), -1);
    tu_assert_exc(PyExc_TypeError, "expected module, got str");
    assert_null(PyModule_GetState(s));
    tu_assert_exc(PyExc_TypeError, "bad argument type for built-in operation");
    assert_null(PyModule_GetDict(s));
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *text = PyObject_Str(exc);
    const char *t = PyUnicode_AsUTF8(text);
    assert_true(Py_IS_TYPE(exc, (PyTypeObject *)PyExc_SystemError));
    assert_string_equal(t + strlen(t) - strlen("bad argument to internal function"),
                        "bad argument to internal function");
    Py_DECREF(text);
    Py_DECREF(exc);

    assert_int_equal(PyModule_AddObjectRef(s, "x", Py_None), -1);
    tu_assert_exc(PyExc_TypeError, "PyModule_AddObjectRef() first argument must be a module");
    m = PyModule_New("acc");
    assert_int_equal(PyModule_AddObjectRef(m, "x", NULL), -1);
    tu_assert_exc(PyExc_SystemError,
                  "PyModule_AddObjectRef() must be called with an exception raised if value is NULL");
    PyErr_SetString(PyExc_KeyError, "kept");
    assert_int_equal(PyModule_AddObjectRef(m, "x", NULL), -1);
    tu_assert_exc(PyExc_KeyError, "'kept'");

    /* PyModule_AddObject steals only on success; PyModule_Add always. */
    v = PyUnicode_FromString("value");
    Py_ssize_t rc = Py_REFCNT(v);
    assert_int_equal(PyModule_AddObject(m, "v", v), 0);
    assert_int_equal(Py_REFCNT(v), rc);             /* the module now owns ours */
    assert_int_equal(PyModule_AddIntConstant(m, "ANSWER", 42), 0);
    assert_int_equal(PyModule_AddStringConstant(m, "NAME", "acc"), 0);
    assert_int_equal(PyModule_AddType(m, &PyFloat_Type), 0);
    v = PyObject_GetAttrString(m, "float");
    assert_ptr_equal(v, &PyFloat_Type);
    Py_DECREF(v);

    static PyMethodDef bad_static[] = {{"s", answer, METH_NOARGS | METH_STATIC, NULL},
                                       {NULL, NULL, 0, NULL}};
    assert_int_equal(PyModule_AddFunctions(m, bad_static), -1);
    tu_assert_exc(PyExc_ValueError, "module functions cannot set METH_CLASS or METH_STATIC");

    assert_int_equal(PyObject_DelAttrString(m, "__name__"), 0);
    assert_null(PyModule_GetNameObject(m));
    tu_assert_exc(PyExc_SystemError, "nameless module");
    assert_null(PyModule_GetFilenameObject(m));
    tu_assert_exc(PyExc_SystemError, "module filename missing");
    Py_DECREF(m);
    Py_DECREF(s);
}

static void
test_repr_and_partial_attribute(void **state)   /* 9.6, items 101 */
{
    PyObject *m = PyModule_New("pm"), *r, *spec;

    (void)state;
    r = PyObject_Repr(m);
    assert_string_equal(PyUnicode_AsUTF8(r), "<module 'pm'>");
    Py_DECREF(r);
    assert_null(PyObject_GetAttrString(m, "missing"));
    tu_assert_exc(PyExc_AttributeError, "module 'pm' has no attribute 'missing'");

    spec = make_spec("pm");
    assert_int_equal(PyObject_SetAttrString(spec, "_initializing", Py_True), 0);
    r = PyUnicode_FromString("/x/pm.so");
    assert_int_equal(PyObject_SetAttrString(spec, "origin", r), 0);
    Py_DECREF(r);
    assert_int_equal(PyObject_SetAttrString(m, "__spec__", spec), 0);
    assert_null(PyObject_GetAttrString(m, "missing"));
    tu_assert_exc(PyExc_AttributeError,
                  "partially initialized module 'pm' from '/x/pm.so' has no attribute 'missing' "
                  "(most likely due to a circular import)");
    assert_int_equal(PyObject_SetAttrString(m, "__spec__", Py_None), 0);
    r = PyUnicode_FromString("/y/pm.so");
    assert_int_equal(PyObject_SetAttrString(m, "__file__", r), 0);
    Py_DECREF(r);
    r = PyObject_Repr(m);
    assert_string_equal(PyUnicode_AsUTF8(r), "<module 'pm' from '/y/pm.so'>");
    Py_DECREF(r);
    Py_DECREF(spec);
    Py_DECREF(m);
}

static void
test_abi_info(void **state)   /* items 74-77 */
{
    PyABIInfo ok = {1, 0, PyABIInfo_FREETHREADED, PY_VERSION_HEX, PY_VERSION_HEX};
    PyABIInfo major0 = {0, 0, 0xFFFF, 0, 1};
    PyABIInfo high = {2, 0, 0, 0, 0};
    PyABIInfo stable32 = {1, 0, PyABIInfo_STABLE, 0, 0x03020000};
    PyABIInfo stable31 = {1, 0, PyABIInfo_STABLE, 0, 0x03010000};
    PyABIInfo other = {1, 0, 0, 0, 0x030E0000};
    PyABIInfo gil = {1, 0, PyABIInfo_GIL, 0, 0};
    PyABIInfo agnostic = {1, 0, PyABIInfo_FREETHREADING_AGNOSTIC, 0, 0};
    PyABIInfo both = {1, 0, PyABIInfo_STABLE | PyABIInfo_INTERNAL, 0, 0};

    (void)state;
    assert_int_equal(PyABIInfo_Check(&ok, "m"), 0);
    assert_int_equal(PyABIInfo_Check(&major0, "m"), 0);
    assert_int_equal(PyABIInfo_Check(&agnostic, "m"), 0);
    assert_int_equal(PyABIInfo_Check(&stable32, "m"), 0);
    assert_int_equal(PyABIInfo_Check(NULL, NULL), -1);
    tu_assert_exc(PyExc_ImportError, "NULL PyABIInfo");
    assert_int_equal(PyABIInfo_Check(&high, "m"), -1);
    tu_assert_exc(PyExc_ImportError, "m: PyABIInfo version too high");
    assert_int_equal(PyABIInfo_Check(&stable31, "m"), -1);
    tu_assert_exc(PyExc_ImportError, NULL);
    assert_int_equal(PyABIInfo_Check(&other, "m"), -1);
    tu_assert_exc(PyExc_ImportError, NULL);
    assert_int_equal(PyABIInfo_Check(&gil, "m"), -1);
    tu_assert_exc(PyExc_ImportError, "m: incompatible with free-threaded CPython");
    assert_int_equal(PyABIInfo_Check(&both, "m"), -1);
    tu_assert_exc(PyExc_ImportError, "m: cannot use both internal and stable ABI");
}

static void
test_api_version_warning(void **state)   /* item 35 */
{
    static PyModuleDef def = {PyModuleDef_HEAD_INIT, "apiv", NULL, 0, NULL, NULL, NULL, NULL,
                              NULL};
    PyObject *m;
    char *err;

    (void)state;
    tu_stderr_begin();
    m = PyModule_Create2(&def, 1012);
    err = tu_stderr_end();
    assert_non_null(m);    /* a warning, not an error */
    assert_non_null(strstr(err, "RuntimeWarning: Python C API version mismatch for module apiv: "
                                "This Python has API version 1013, module apiv has version 1012."));
    free(err);
    Py_DECREF(m);
    m = PyModule_Create2(&def, PYTHON_ABI_VERSION);    /* 3 is accepted too */
    assert_non_null(m);
    Py_DECREF(m);
}

static PyModuleDef *seen_def = (PyModuleDef *)1;
static PyObject *
recording_create(PyObject *spec, PyModuleDef *def)
{
    PyObject *name = PyObject_GetAttrString(spec, "name"), *m;

    seen_def = def;
    if (name == NULL)
        return NULL;
    m = PyModule_NewObject(name);
    Py_DECREF(name);
    return m;
}

static void
test_create_receives_spec_and_def(void **state)   /* items 48, 49 */
{
    static PyModuleDef_Slot slots[] = {{Py_mod_create, recording_create}, {0, NULL}};
    static PyModuleDef def = {PyModuleDef_HEAD_INIT, "cr", NULL, 0, NULL, slots, NULL, NULL,
                              NULL};
    static PySlot pyslots[] = {PySlot_FUNC(Py_mod_create, recording_create), PySlot_END};
    PyObject *spec = make_spec("cr"), *m;

    (void)state;
    m = PyModule_FromDefAndSpec(&def, spec);
    assert_non_null(m);
    assert_ptr_equal(seen_def, &def);
    Py_DECREF(m);
    m = PyModule_FromSlotsAndSpec(pyslots, spec);
    assert_non_null(m);
    assert_null(seen_def);                 /* 3.15: no def for slots modules */
    Py_DECREF(m);
    Py_DECREF(spec);
}

struct spec_ctx {
    PyObject *spec;
    PyObject *m;
};

static PyModuleDef sweep_def = {PyModuleDef_HEAD_INIT, "sweep", "doc", 8, answer_methods, NULL,
                                NULL, NULL, NULL};

static int
create_and_exec(void *arg)
{
    struct spec_ctx *c = arg;

    c->m = PyModule_FromDefAndSpec(&sweep_def, c->spec);
    if (c->m == NULL)
        return -1;
    if (PyModule_ExecDef(c->m, &sweep_def) < 0) {
        Py_TYPE(c->m)->tp_clear(c->m);
        Py_CLEAR(c->m);
        return -1;
    }
    return 0;
}

static void
drop_module(void *arg)
{
    struct spec_ctx *c = arg;

    if (c->m != NULL) {
        Py_TYPE(c->m)->tp_clear(c->m);
        Py_CLEAR(c->m);
    }
}

static void
test_alloc_failures(void **state)
{
    struct spec_ctx c = {make_spec("sweep"), NULL};

    (void)state;
    assert_true(tu_alloc_failure_sweep(create_and_exec, drop_module, &c, NULL) > 3);
    Py_DECREF(c.spec);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_def_init_index),
        cmocka_unit_test(test_create_single_phase),
        cmocka_unit_test(test_from_def_and_spec),
        cmocka_unit_test(test_from_slots_and_spec),
        cmocka_unit_test(test_accessor_errors),
        cmocka_unit_test(test_repr_and_partial_attribute),
        cmocka_unit_test(test_abi_info),
        cmocka_unit_test(test_api_version_warning),
        cmocka_unit_test(test_create_receives_spec_and_def),
        cmocka_unit_test(test_alloc_failures),
    };
    if (getenv("TU_FILTER") != NULL)
        cmocka_set_test_filter(getenv("TU_FILTER"));
    return cmocka_run_group_tests_name("modules", tests, tu_runtime_up, tu_runtime_down);
}
