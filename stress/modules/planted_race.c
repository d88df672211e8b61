/* planted_race: PLANTED BUG (data race).  It declares Py_MOD_GIL_NOT_USED
 * but bump() increments a plain static counter with no lock or atomic: two
 * threads calling it at once race.  Without the GIL nothing serializes
 * them; the thread-sanitizer build of pymodrt-stress finds the race
 * (pymodrt-stress --call bump planted_race.so). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static long counter;                  /* the bug: unguarded shared state */

static PyObject *
planted_race_bump(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    counter = counter + 1;
    return PyLong_FromLong(counter);
}

static PyMethodDef planted_race_methods[] = {
    {"bump", planted_race_bump, METH_NOARGS, "count, racily"},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot planted_race_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef planted_race_def = {
    PyModuleDef_HEAD_INIT, "planted_race", "planted data race", 0,
    planted_race_methods, planted_race_slots, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_planted_race(void)
{
    return PyModuleDef_Init(&planted_race_def);
}
