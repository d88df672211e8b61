// load: cold import of a module file the process has never seen, and the
// floor beside it, a bare dlopen+dlsym of the same kind of file.
//
// Both draw files from one pool (bm_cold_0000.so ... built from
// modules/bm_cold.c, each with its own hook name), one file per iteration,
// so that no iteration meets a file already loaded.  The iteration count is
// fixed (PYMODRT_BENCH_COLD_ITERS); a benchmark that finds the pool used up
// fails with "cold pool exhausted" (run fewer repetitions per process).
// The floor runs first so that, if anything, the import pays for the larger
// set of loaded objects.
#include "bench.h"

#include <dlfcn.h>

#include <cstdio>
#include <string>
#include <vector>

namespace bench {

static int cold_next;           // next unused pool file; main thread only

static bool
cold_take(benchmark::State &state, int need, int *first)
{
    if (cold_next + need > g.cold_count) {
        fail(state, "cold pool exhausted: run fewer repetitions per process");
        return false;
    }
    *first = cold_next;
    cold_next += need;
    return true;
}

static void
BM_dlopen_floor(benchmark::State &state)
{
    int n = (int)state.max_iterations, first;
    std::vector<std::string> paths, syms;
    char buf[64];

    if (!cold_take(state, n, &first))
        return;
    for (int k = 0; k < n; k++) {       // names made before the clock starts
        snprintf(buf, sizeof buf, "bm_cold_%04d", first + k);
        paths.push_back(g.cold_dir + "/" + buf + ".so");
        syms.push_back(std::string("PyInit_") + buf);
    }
    size_t i = 0;
    for (auto _ : state) {
        void *h = dlopen(paths[i].c_str(), RTLD_NOW | RTLD_LOCAL);
        if (h == nullptr) {
            fail(state, dlerror());
            break;
        }
        benchmark::DoNotOptimize(dlsym(h, syms[i].c_str()));
        i++;
        // never closed: the next iteration must not find a recycled mapping
    }
}

static void
BM_cold_import(benchmark::State &state)
{
    int n = (int)state.max_iterations, first;
    std::vector<std::string> names;
    char buf[64];

    if (!cold_take(state, n, &first))
        return;
    for (int k = 0; k < n; k++) {
        snprintf(buf, sizeof buf, "bm_cold_%04d", first + k);
        names.push_back(buf);
    }
    Attached a;
    size_t i = 0;
    for (auto _ : state) {
        PyObject *m = PyImport_ImportModule(names[i].c_str());
        if (m == nullptr) {
            fail(state, names[i].c_str());
            break;
        }
        Py_DECREF(m);
        i++;
    }
}

void
register_load()
{
    benchmark::RegisterBenchmark("load/dlopen_dlsym_floor", BM_dlopen_floor)
        ->Iterations(g.cold_iters)->UseRealTime();
    benchmark::RegisterBenchmark("load/cold_import", BM_cold_import)
        ->Iterations(g.cold_iters)->UseRealTime();
}

}  // namespace bench
