// exec: module initialization without dlopen.
//   reimport_multiphase   del sys.modules["bm_mp"]; import bm_mp
//                         (a loaded multi-phase module: create + exec)
//   reimport_singlephase  del sys.modules["bm_single"]; import bm_single
//                         (single-phase, m_size == -1: the m_copy path)
//   PyModule_Exec         PyModule_Exec on the 3.15 slots module bm_export
//                         (pymodrt only: CPython before 3.15 has no such call)
// The removal from sys.modules is part of the timed operation, so is
// freeing the previous instance where the runtime does it then.
#include "bench.h"

namespace bench {

static void
reimport(benchmark::State &state, const char *name)
{
    Attached a;
    PyObject *modules = PyImport_GetModuleDict();   // borrowed

    attached_loop(state, [&] {
        if (PyDict_DelItemString(modules, name) < 0)
            PyErr_Clear();
        PyObject *m = PyImport_ImportModule(name);
        if (m == nullptr)
            return fail(state, name);
        Py_DECREF(m);
    });
}

static void
BM_reimport_multiphase(benchmark::State &state)
{
    reimport(state, "bm_mp");
}

static void
BM_reimport_singlephase(benchmark::State &state)
{
    reimport(state, "bm_single");
}

#if BENCH_HAVE_315
static void
BM_module_exec(benchmark::State &state)
{
    Attached a;

    attached_loop(state, [&] {
        if (PyModule_Exec(g.exported) < 0)
            fail(state, "PyModule_Exec(bm_export)");
    });
}
#endif

void
register_exec()
{
    benchmark::RegisterBenchmark("exec/reimport_multiphase", BM_reimport_multiphase)
        ->UseRealTime();
    benchmark::RegisterBenchmark("exec/reimport_singlephase", BM_reimport_singlephase)
        ->UseRealTime();
#if BENCH_HAVE_315
    benchmark::RegisterBenchmark("exec/PyModule_Exec", BM_module_exec)->UseRealTime();
#endif
}

}  // namespace bench
