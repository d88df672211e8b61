/* bm_export: a module in the 3.15 export-hook form (PyModExport_bm_export
 * returns a PySlot array with a module token).  Serves PyModule_Exec on a
 * slots module and PyType_GetModuleByToken.  Its exec may run more than once
 * on the same module (the benchmark calls PyModule_Exec repeatedly): it
 * creates its type once and rebinds one constant each time.
 *
 * Against headers without the export-hook protocol (CPython before 3.15) it
 * builds a PyInit_bm_export that refuses to load, so the source still
 * compiles unmodified; those rows are reported "n/a" there. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "bm_compat.h"

#if BM_HAVE_EXPORT_HOOK

typedef struct {
    PyObject *type;             /* Thing, defined with this module */
    long execs;
} export_state;

static const char export_token[] = "bm_export token";

static PyType_Slot thing_slots[] = {
    {Py_tp_doc, (void *)"A type defined with bm_export."},
    {0, NULL}
};

static PyType_Spec thing_spec = {
    .name = "bm_export.Thing",
    .basicsize = sizeof(PyObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = thing_slots,
};

static PyObject *
export_noargs(PyObject *module, PyObject *unused)
{
    (void)module; (void)unused;
    Py_RETURN_NONE;
}

static int
export_exec(PyObject *m)
{
    export_state *st = PyModule_GetState(m);

    if (st->type == NULL) {
        st->type = PyType_FromModuleAndSpec(m, &thing_spec, NULL);
        if (st->type == NULL)
            return -1;
        if (PyModule_AddObjectRef(m, "Thing", st->type) < 0)
            return -1;
    }
    st->execs++;
    return PyModule_AddIntConstant(m, "EXECS", st->execs & 0xff);
}

static int
export_traverse(PyObject *m, visitproc visit, void *arg)
{
    export_state *st = PyModule_GetState(m);

    if (st != NULL)
        Py_VISIT(st->type);
    return 0;
}

static int
export_clear(PyObject *m)
{
    export_state *st = PyModule_GetState(m);

    if (st != NULL)
        Py_CLEAR(st->type);
    return 0;
}

static void
export_free(void *m)
{
    export_clear((PyObject *)m);
}

static PyMethodDef export_methods[] = {
    {"noargs", export_noargs, METH_NOARGS, "Returns None."},
    {NULL, NULL, 0, NULL}
};

PyABIInfo_VAR(export_abi)

static PySlot export_slots[] = {
    PySlot_STATIC_DATA(Py_mod_abi, &export_abi),
    PySlot_DATA(Py_mod_name, "bm_export"),
    PySlot_DATA(Py_mod_doc, "pymodrt-bench: export-hook module with a token."),
    PySlot_SIZE(Py_mod_state_size, sizeof(export_state)),
    PySlot_STATIC_DATA(Py_mod_methods, export_methods),
    PySlot_FUNC(Py_mod_exec, export_exec),
    PySlot_FUNC(Py_mod_state_traverse, export_traverse),
    PySlot_FUNC(Py_mod_state_clear, export_clear),
    PySlot_FUNC(Py_mod_state_free, export_free),
    PySlot_STATIC_DATA(Py_mod_token, export_token),
    PySlot_DATA(Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED),
    PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),
    PySlot_END
};

PyMODEXPORT_FUNC
PyModExport_bm_export(void)
{
    return export_slots;
}

#else /* !BM_HAVE_EXPORT_HOOK */

PyMODINIT_FUNC
PyInit_bm_export(void)
{
    PyErr_SetString(PyExc_ImportError,
                    "bm_export needs the 3.15 export-hook protocol (PyModExport)");
    return NULL;
}

#endif
