/* shardmany: one library, several small modules for tests/test_shard.c.
 *   sm1, sm2, sm3  GIL-free multi-phase modules with two functions each;
 *                  m_free counts into shardmany_frees()
 *   finimp         a module whose m_free imports shardmod: an import made
 *                  while its interpreter ends */
#include <Python.h>

static int frees;   /* atomic */

__attribute__((visibility("default"))) long
shardmany_frees(void)
{
    return __atomic_load_n(&frees, __ATOMIC_RELAXED);
}

static PyObject *
nothing(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    Py_RETURN_NONE;
}

static PyMethodDef sm_methods[] = {
    {"a", nothing, METH_NOARGS, NULL},
    {"b", nothing, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static void
sm_free(void *m)
{
    (void)m;
    __atomic_add_fetch(&frees, 1, __ATOMIC_RELAXED);
}

static PyModuleDef_Slot gil_free_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

#define SM_MODULE(NAME) \
    static PyModuleDef NAME##_def = { \
        .m_base = PyModuleDef_HEAD_INIT, .m_name = #NAME, .m_methods = sm_methods, \
        .m_slots = gil_free_slots, .m_free = sm_free}; \
    PyMODINIT_FUNC PyInit_##NAME(void) { return PyModuleDef_Init(&NAME##_def); }

SM_MODULE(sm1)
SM_MODULE(sm2)
SM_MODULE(sm3)

static void
finimp_free(void *m)
{
    PyObject *x = PyImport_ImportModule("shardmod");

    (void)m;
    if (x != NULL)
        Py_DECREF(x);
    else
        PyErr_Clear();
}

static PyModuleDef finimp_def = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "finimp", .m_slots = gil_free_slots,
    .m_free = finimp_free};

PyMODINIT_FUNC
PyInit_finimp(void)
{
    return PyModuleDef_Init(&finimp_def);
}
