// registry: finding a module that is already loaded, on 1..N threads.
//   import_hit_same    PyImport_ImportModule("bm_mp") on every thread
//   import_hit_diff    thread i imports its own bm_reg_<i>
//   GetModule_same     PyImport_GetModule("bm_mp") on every thread
//   GetModule_diff     thread i looks up its own bm_reg_<i>
//   gil_free_import_under_load
//                      thread 0 re-imports the GIL-free bm_mp (removes it from
//                      sys.modules, imports it: create + exec), while every
//                      other thread imports its own bm_reg_<i> in batches;
//                      reports thread 0's import time (import_ns) and, on
//                      pymodrt, the GIL's stop-the-world events of the run
//                      (stw, must stay 0) apart from the orphan collector's
//                      (collector_stops: freeing the removed instances).
// Each thread makes its own name object before the clock starts.  Targets
// (DESIGN.md 4): a hit <= 25 ns, a lookup <= 20 ns, and 2 threads on the same
// module >= 1.8x the 1-thread throughput.
#include "bench.h"

#include <cstdio>

namespace bench {

static const char *
name_for(benchmark::State &state, bool same, char *buf, size_t size)
{
    if (same)
        return "bm_mp";
    snprintf(buf, size, "bm_reg_%d", state.thread_index() % kRegModules);
    return buf;
}

static void
import_hit(benchmark::State &state, bool same)
{
    char buf[32];
    const char *name = name_for(state, same, buf, sizeof buf);
    Attached a;
    PyObject *first = PyImport_ImportModule(name);

    if (first == nullptr)
        return fail(state, name);
    Py_DECREF(first);
    batched(state, a, [&] {
        PyObject *m = PyImport_ImportModule(name);
        benchmark::DoNotOptimize(m);
        Py_XDECREF(m);
    });
}

static void
get_module(benchmark::State &state, bool same)
{
    char buf[32];
    Attached a;
    PyObject *name = PyUnicode_FromString(name_for(state, same, buf, sizeof buf));
    PyObject *first = PyImport_GetModule(name);

    if (first == nullptr) {
        Py_DECREF(name);
        return fail(state, "PyImport_GetModule found nothing");
    }
    Py_DECREF(first);
    batched(state, a, [&] {
        PyObject *m = PyImport_GetModule(name);
        benchmark::DoNotOptimize(m);
        Py_XDECREF(m);
    });
    Py_DECREF(name);
}

static void
BM_gil_free_import_under_load(benchmark::State &state)
{
    char buf[32];
    Attached a;
    bool reimporter = state.thread_index() == 0;
    const char *name = reimporter ? "bm_mp" : name_for(state, false, buf, sizeof buf);
    PyObject *modules = PyImport_GetModuleDict();   // borrowed
#ifndef BENCH_CPYTHON
    pymodrt_gil_stats before, after;
    pymodrt_gil_get_stats(&before);
#endif
    int64_t t0 = 0, spent = 0;

    a.detach();
    for (auto _ : state) {
        a.attach();
        if (reimporter) {
            t0 = monotonic_ns();
            if (PyDict_DelItemString(modules, name) < 0)
                PyErr_Clear();
        }
        int n = reimporter ? 1 : kBatch;
        for (int i = 0; i < n; i++) {
            PyObject *m = PyImport_ImportModule(name);
            if (m == nullptr) {
                fail(state, name);
                break;
            }
            Py_DECREF(m);
        }
        if (reimporter)
            spent += monotonic_ns() - t0;
        a.detach();
    }
    a.attach();
    if (!reimporter || state.iterations() == 0)
        return;
    state.counters["import_ns"] = (double)spent / (double)state.iterations();
#ifndef BENCH_CPYTHON
    pymodrt_gil_get_stats(&after);
    state.counters["stw"] = (double)(after.stop_the_world - before.stop_the_world);
    state.counters["collector_stops"] = (double)(after.collector_stops - before.collector_stops);
#endif
}

static void BM_import_hit_same(benchmark::State &s) { import_hit(s, true); }
static void BM_import_hit_diff(benchmark::State &s) { import_hit(s, false); }
static void BM_get_module_same(benchmark::State &s) { get_module(s, true); }
static void BM_get_module_diff(benchmark::State &s) { get_module(s, false); }

void
register_registry()
{
    threaded(benchmark::RegisterBenchmark("registry/import_hit_same", BM_import_hit_same));
    threaded(benchmark::RegisterBenchmark("registry/import_hit_diff", BM_import_hit_diff));
    threaded(benchmark::RegisterBenchmark("registry/GetModule_same", BM_get_module_same));
    threaded(benchmark::RegisterBenchmark("registry/GetModule_diff", BM_get_module_diff));
    threaded(benchmark::RegisterBenchmark("registry/gil_free_import_under_load",
                                          BM_gil_free_import_under_load));
}

}  // namespace bench
