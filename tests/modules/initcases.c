/* initcases: one library, many modules.  Each PyInit_<case> (or
 * PyModExport_<case>) below misbehaves in one way that SEMANTICS.md 10
 * names; tests import them with pymodrt_import_file("<case>", path). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define EXPORT PyMODINIT_FUNC

/* ---- PyInit results (items 11-16) */
EXPORT PyInit_null_noexc(void) { return NULL; }

EXPORT PyInit_null_exc(void)
{
    PyErr_SetString(PyExc_ValueError, "init failed on purpose");
    return NULL;
}

static PyModuleDef plain_def = {PyModuleDef_HEAD_INIT, "unreported", NULL, -1, NULL,
                                NULL, NULL, NULL, NULL};
EXPORT PyInit_unreported(void)
{
    PyObject *m = PyModule_Create(&plain_def);
    PyErr_SetString(PyExc_KeyError, "pending");
    return m;
}

static PyModuleDef uninit_def = {PyModuleDef_HEAD_INIT, "uninit", NULL, 0, NULL,
                                 NULL, NULL, NULL, NULL};
EXPORT PyInit_uninit(void) { return (PyObject *)&uninit_def; }

EXPORT PyInit_returns_int(void) { return PyLong_FromLong(7); }

EXPORT PyInit_no_def(void) { return PyModule_New("no_def"); }

/* ---- multi-phase definitions with bad slots (items 37-46) */
static int exec_ok(PyObject *m) { return PyModule_AddIntConstant(m, "executed", 1); }
static PyObject *create_null(PyObject *spec, PyModuleDef *def)
{
    (void)spec; (void)def;
    return NULL;
}
static PyObject *create_unreported(PyObject *spec, PyModuleDef *def)
{
    PyObject *name = PyObject_GetAttrString(spec, "name"), *m;

    (void)def;
    if (name == NULL)
        return NULL;
    m = PyModule_NewObject(name);
    Py_DECREF(name);
    PyErr_SetString(PyExc_RuntimeError, "create pending");
    return m;
}
static PyObject *create_str(PyObject *spec, PyModuleDef *def)
{
    (void)spec; (void)def;
    return PyUnicode_FromString("not a module");
}
static PyObject *create_module(PyObject *spec, PyModuleDef *def)
{
    PyObject *name = PyObject_GetAttrString(spec, "name"), *m;
    (void)def;
    if (name == NULL)
        return NULL;
    m = PyModule_NewObject(name);
    Py_DECREF(name);
    return m;
}
static PyObject *noargs_answer(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    return PyLong_FromLong(42);
}
static PyMethodDef answer_methods[] = {
    {"answer", noargs_answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};

#define MULTI(NAME, SIZE, METHODS, ...) \
    static PyModuleDef_Slot NAME##_slots[] = {__VA_ARGS__, {0, NULL}}; \
    static PyModuleDef NAME##_def = {PyModuleDef_HEAD_INIT, #NAME, NULL, SIZE, METHODS, \
                                     NAME##_slots, NULL, NULL, NULL}; \
    EXPORT PyInit_##NAME(void) { return PyModuleDef_Init(&NAME##_def); }

MULTI(neg_size, -1, NULL, {Py_mod_exec, exec_ok})
MULTI(two_create, 0, NULL, {Py_mod_create, create_module}, {Py_mod_create, create_module})
MULTI(two_multi, 0, NULL, {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
      {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED})
MULTI(two_gil, 0, NULL, {Py_mod_gil, Py_MOD_GIL_NOT_USED}, {Py_mod_gil, Py_MOD_GIL_NOT_USED})
MULTI(slot_99, 0, NULL, {99, NULL})
MULTI(slot_5, 0, NULL, {5, NULL})
MULTI(create_null_noexc, 0, NULL, {Py_mod_create, create_null})
MULTI(create_unrep, 0, NULL, {Py_mod_create, create_unreported})
MULTI(create_str_state, 8, NULL, {Py_mod_create, create_str})
MULTI(create_str_exec, 0, NULL, {Py_mod_create, create_str}, {Py_mod_exec, exec_ok})
MULTI(create_str_ok, 0, NULL, {Py_mod_create, create_str})
/* An object that takes attributes: m_methods land on it (item 47). */
static PyObject *create_attr_obj(PyObject *spec, PyModuleDef *def)
{
    (void)spec; (void)def;
    return PyObject_CallNoArgs(PyExc_Exception);
}
MULTI(create_obj_methods, 0, answer_methods, {Py_mod_create, create_attr_obj})
MULTI(old_ids, 0, NULL, {1, create_module}, {2, exec_ok}, {4, Py_MOD_GIL_NOT_USED})

/* ---- exec results (items 54-57) */
static int exec_fail(PyObject *m) { (void)m; PyErr_SetString(PyExc_OSError, "exec failed"); return -1; }
static int exec_fail_noexc(PyObject *m) { (void)m; return -1; }
static int exec_unreported(PyObject *m) { (void)m; PyErr_SetString(PyExc_TypeError, "x"); return 0; }
static int exec_first(PyObject *m) { return PyModule_AddStringConstant(m, "order", "first"); }
static int exec_second(PyObject *m)
{
    PyObject *v = PyObject_GetAttrString(m, "order");
    int r;
    if (v == NULL)
        return -1;
    r = PyModule_Add(m, "order", PyUnicode_FromFormat("%U,second", v));
    Py_DECREF(v);
    return r;
}
MULTI(exec_raises, 0, NULL, {Py_mod_exec, exec_fail})
MULTI(exec_noexc, 0, NULL, {Py_mod_exec, exec_fail_noexc})
MULTI(exec_unrep, 0, NULL, {Py_mod_exec, exec_unreported})
MULTI(exec_order, 0, NULL, {Py_mod_exec, exec_first}, {Py_mod_exec, exec_second})

/* ---- export hooks (items 3, 4, 66, 73) */
static PySlot export_ok_slots[] = {
    PySlot_DATA(Py_mod_name, "export_ok"),
    PySlot_SIZE(Py_mod_state_size, 16),
    PySlot_STATIC_DATA(Py_mod_methods, answer_methods),
    PySlot_FUNC(Py_mod_exec, exec_ok),
    PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),
    PySlot_END,
};
PyMODEXPORT_FUNC PyModExport_export_ok(void) { return export_ok_slots; }
/* Both hooks: the export hook must win and PyInit never run. */
EXPORT PyInit_export_ok(void)
{
    PyErr_SetString(PyExc_AssertionError, "PyInit_export_ok must not be called");
    return NULL;
}
PyMODEXPORT_FUNC PyModExport_export_null(void) { return NULL; }
PyMODEXPORT_FUNC PyModExport_export_exc(void)
{
    PyErr_SetString(PyExc_LookupError, "hook failed on purpose");
    return NULL;
}
EXPORT PyInit_export_exc(void) { return PyLong_FromLong(1); }

static PySlot nested6[] = {PySlot_END};
static PySlot nested5[] = {PySlot_STATIC_DATA(Py_slot_subslots, nested6), PySlot_END};
static PySlot nested4[] = {PySlot_STATIC_DATA(Py_slot_subslots, nested5), PySlot_END};
static PySlot nested3[] = {PySlot_STATIC_DATA(Py_slot_subslots, nested4), PySlot_END};
static PySlot nested2[] = {PySlot_STATIC_DATA(Py_slot_subslots, nested3), PySlot_END};
static PySlot nested1[] = {PySlot_STATIC_DATA(Py_slot_subslots, nested2), PySlot_END};
PyMODEXPORT_FUNC PyModExport_export_deep(void) { return nested1; }

static PySlot methods_not_static[] = {
    PySlot_DATA(Py_mod_methods, answer_methods), PySlot_END};
PyMODEXPORT_FUNC PyModExport_export_nonstatic(void) { return methods_not_static; }

static PyABIInfo abi_too_high = {2, 0, 0, 0, 0};
static PySlot abi_slots[] = {PySlot_STATIC_DATA(Py_mod_abi, &abi_too_high), PySlot_END};
PyMODEXPORT_FUNC PyModExport_export_abi2(void) { return abi_slots; }

static PyABIInfo abi_gil_only = {1, 0, PyABIInfo_GIL, 0, 0};
static PySlot abi_gil_slots[] = {PySlot_STATIC_DATA(Py_mod_abi, &abi_gil_only), PySlot_END};
PyMODEXPORT_FUNC PyModExport_export_gilonly(void) { return abi_gil_slots; }

/* ---- exec observing the registry (item 53) and re-running (item 59) */
static int
exec_sees_registry(PyObject *m)
{
    PyObject *modules = PyImport_GetModuleDict(), *name, *entry, *spec, *flag;
    int ok;

    name = PyModule_GetNameObject(m);
    if (name == NULL)
        return -1;
    entry = PyDict_GetItemWithError(modules, name);
    Py_DECREF(name);
    spec = PyObject_GetAttrString(m, "__spec__");
    if (spec == NULL)
        return -1;
    flag = PyObject_GetAttrString(spec, "_initializing");
    Py_DECREF(spec);
    if (flag == NULL)
        return -1;
    ok = entry == m && flag == Py_True;
    Py_DECREF(flag);
    return PyModule_Add(m, "saw_itself_initializing", PyBool_FromLong(ok));
}

static int
exec_count_runs(PyObject *m)
{
    PyObject *runs = NULL;
    long n = 0;

    if (PyObject_GetOptionalAttrString(m, "runs", &runs) < 0)
        return -1;
    if (runs != NULL) {
        n = PyLong_AsLong(runs);
        Py_DECREF(runs);
    }
    return PyModule_Add(m, "runs", PyLong_FromLong(n + 1));
}
MULTI(exec_registry, 0, NULL, {Py_mod_exec, exec_sees_registry})
MULTI(exec_counter, 0, NULL, {Py_mod_exec, exec_count_runs})

/* ---- Py_mod_multiple_interpreters values (items 85-87) */
MULTI(not_supported, 0, NULL,
      {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
      {Py_mod_gil, Py_MOD_GIL_NOT_USED})
MULTI(supported_shared, 0, NULL,
      {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
      {Py_mod_gil, Py_MOD_GIL_NOT_USED})
