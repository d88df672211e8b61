/* shardmod: what the sharded reference counts of tests/test_shard.c act
 * on: a GIL-free multi-phase module whose state and dict hold a heap type
 * made with PyType_FromModuleAndSpec, plus functions.  shardmod_counter()
 * counts, process-wide, the module instances executed and freed. */
#include <Python.h>

typedef struct {
    PyObject *thing;            /* the heap type Thing */
} shard_state;

static int execs, frees;        /* atomic: every instance, every interpreter */

static PyObject *
shard_execs(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    return PyLong_FromLong(__atomic_load_n(&execs, __ATOMIC_RELAXED));
}

/* The counters for a test that holds no reference into any instance (a
 * function bound to an instance would keep it alive): 0 execs, 1 frees. */
__attribute__((visibility("default"))) long
shardmod_counter(int which)
{
    return __atomic_load_n(which ? &frees : &execs, __ATOMIC_RELAXED);
}

/* A new Thing, made from the state's reference to the type. */
static PyObject *
shard_new_thing(PyObject *self, PyObject *unused)
{
    shard_state *st = PyModule_GetState(self);
    (void)unused;
    return PyObject_CallNoArgs(st->thing);
}

static PyType_Slot thing_slots[] = {{0, NULL}};
static PyType_Spec thing_spec = {
    .name = "shardmod.Thing", .basicsize = sizeof(PyObject),
    .flags = Py_TPFLAGS_DEFAULT, .slots = thing_slots};

static int
shard_exec(PyObject *m)
{
    shard_state *st = PyModule_GetState(m);

    st->thing = PyType_FromModuleAndSpec(m, &thing_spec, NULL);
    if (st->thing == NULL || PyModule_AddObjectRef(m, "Thing", st->thing) < 0)
        return -1;
    __atomic_add_fetch(&execs, 1, __ATOMIC_RELAXED);
    return 0;
}

static int
shard_traverse(PyObject *m, visitproc visit, void *arg)
{
    shard_state *st = PyModule_GetState(m);

    Py_VISIT(st->thing);
    return 0;
}

static int
shard_clear(PyObject *m)
{
    shard_state *st = PyModule_GetState(m);

    Py_CLEAR(st->thing);
    return 0;
}

static void
shard_free(void *m)
{
    shard_clear(m);
    __atomic_add_fetch(&frees, 1, __ATOMIC_RELAXED);
}

static PyMethodDef shard_methods[] = {
    {"execs", shard_execs, METH_NOARGS, NULL},
    {"new_thing", shard_new_thing, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot shard_slots[] = {
    {Py_mod_exec, shard_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef shard_def = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "shardmod", .m_size = sizeof(shard_state),
    .m_methods = shard_methods, .m_slots = shard_slots, .m_traverse = shard_traverse,
    .m_clear = shard_clear, .m_free = shard_free};

PyMODINIT_FUNC
PyInit_shardmod(void)
{
    return PyModuleDef_Init(&shard_def);
}
