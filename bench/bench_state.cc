// state access: from code to its module's state, on 1..N threads.
//   PyModule_GetState             on bm_multi
//   GetModuleByDef_defining       PyType_GetModuleByDef(Base, bm_multi's def)
//   GetModuleByDef_depth8         the same from Sub8, eight levels below Base
//   GetModuleByToken              PyType_GetModuleByToken(bm_export.Thing, token)
//                                 (3.15: pymodrt only)
//   PyState_FindModule            bm_single's def (single-phase)
//   METH_METHOD_state             Base().get_flag(): a METH_METHOD call that
//                                 reads state through its defining class
// Targets (DESIGN.md 4): GetState <= 2 ns, GetModuleByDef <= 3 ns at any
// depth, PyState_FindModule <= 3 ns.
#include "bench.h"

namespace bench {

static PyObject *
attr(const char *name)
{
    return PyObject_GetAttrString(g.multi, name);
}

static void
BM_get_state(benchmark::State &state)
{
    Attached a;
    PyObject *mod = g.multi;

    batched(state, a, [&] { benchmark::DoNotOptimize(PyModule_GetState(mod)); });
}

static void
by_def(benchmark::State &state, const char *type_name)
{
    Attached a;
    PyObject *type = attr(type_name);
    PyModuleDef *def = PyModule_GetDef(g.multi);

    if (type == nullptr || def == nullptr)
        return fail(state, type_name);
    if (PyType_GetModuleByDef((PyTypeObject *)type, def) != g.multi) {
        Py_DECREF(type);
        return fail(state, "PyType_GetModuleByDef did not find bm_multi");
    }
    batched(state, a, [&] {
        benchmark::DoNotOptimize(PyType_GetModuleByDef((PyTypeObject *)type, def));
    });
    Py_DECREF(type);
}

static void BM_by_def_defining(benchmark::State &s) { by_def(s, "Base"); }
static void BM_by_def_depth8(benchmark::State &s) { by_def(s, "Sub8"); }

#if BENCH_HAVE_315
static void
BM_by_token(benchmark::State &state)
{
    Attached a;
    void *token = nullptr;
    PyObject *type = PyObject_GetAttrString(g.exported, "Thing");

    if (type == nullptr || PyModule_GetToken(g.exported, &token) < 0)
        return fail(state, "bm_export.Thing / token");
    if (PyType_GetModuleByToken((PyTypeObject *)type, token) != g.exported) {
        Py_DECREF(type);
        return fail(state, "PyType_GetModuleByToken did not find bm_export");
    }
    // GetModuleByToken returns a new reference (3.15), unlike ByDef.
    Py_DECREF(g.exported);
    batched(state, a, [&] {
        PyObject *m = PyType_GetModuleByToken((PyTypeObject *)type, token);
        benchmark::DoNotOptimize(m);
        Py_XDECREF(m);
    });
    Py_DECREF(type);
}
#endif

static void
BM_find_module(benchmark::State &state)
{
    Attached a;
    PyModuleDef *def = PyModule_GetDef(g.single);

    if (def == nullptr || PyState_FindModule(def) == nullptr)
        return fail(state, "PyState_FindModule(bm_single)");
    batched(state, a, [&] { benchmark::DoNotOptimize(PyState_FindModule(def)); });
}

static void
BM_meth_method(benchmark::State &state)
{
    Attached a;
    PyObject *base = attr("Base");
    PyObject *inst = base ? PyObject_CallNoArgs(base) : nullptr;
    PyObject *meth = inst ? PyObject_GetAttrString(inst, "get_flag") : nullptr;

    if (meth == nullptr) {
        Py_XDECREF(inst);
        Py_XDECREF(base);
        return fail(state, "Base().get_flag");
    }
    batched(state, a, [&] {
        PyObject *r = PyObject_Vectorcall(meth, nullptr, 0, nullptr);
        benchmark::DoNotOptimize(r);
        Py_XDECREF(r);
    });
    Py_DECREF(meth);
    Py_DECREF(inst);
    Py_DECREF(base);
}

void
register_state()
{
    threaded(benchmark::RegisterBenchmark("state/PyModule_GetState", BM_get_state));
    threaded(benchmark::RegisterBenchmark("state/GetModuleByDef_defining", BM_by_def_defining));
    threaded(benchmark::RegisterBenchmark("state/GetModuleByDef_depth8", BM_by_def_depth8));
#if BENCH_HAVE_315
    threaded(benchmark::RegisterBenchmark("state/GetModuleByToken", BM_by_token));
#endif
    threaded(benchmark::RegisterBenchmark("state/PyState_FindModule", BM_find_module));
    threaded(benchmark::RegisterBenchmark("state/METH_METHOD_state", BM_meth_method));
}

}  // namespace bench
