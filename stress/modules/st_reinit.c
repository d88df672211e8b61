/* st_reinit: single-phase initialization with state (m_size > 0): PyInit
 * runs again for every new instance (no m_copy snapshot) and fills the state
 * as an exec would.  GIL-free (PyUnstable_Module_SetGIL). */
#include "stress_mod.h"

STRESS_MODULE_FUNCTIONS(st_reinit)

static void
st_reinit_free(void *m)
{
    stress_state_free(PyModule_GetState((PyObject *)m));
}

static PyMethodDef st_reinit_methods[] = {STRESS_METHODS(st_reinit), {NULL, NULL, 0, NULL}};

static PyModuleDef st_reinit_def = {PyModuleDef_HEAD_INIT, "st_reinit",
                                    "single-phase with state, GIL-free", sizeof(stress_state),
                                    st_reinit_methods, NULL, NULL, NULL, st_reinit_free};

PyMODINIT_FUNC
PyInit_st_reinit(void)
{
    PyObject *m = PyModule_Create(&st_reinit_def);
    stress_state *st;

    if (m == NULL)
        return NULL;
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    st = PyModule_GetState(m);
    if (stress_state_init(st, "st_reinit") < 0 || stress_add_attrs(m, st, "st_reinit") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
