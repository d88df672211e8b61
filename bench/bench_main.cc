// pymodrt-bench: the benchmark suite for load, exec and state access
// (Google Benchmark).  main() starts the runtime the way an embedding
// application does, puts the benchmark modules on sys.path, imports the
// modules that the families share, registers the families in a fixed order
// and runs them.  Every flag of Google Benchmark works (--benchmark_filter,
// --benchmark_format=json, --benchmark_out=..., --benchmark_min_time=...).
//
// Environment: PYMODRT_BENCH_MODULES and PYMODRT_BENCH_COLD override the
// directories of the benchmark modules and of the cold-load pool (defaults:
// the build tree's); PYMODRT_BENCH_COLD_ITERS sets the iterations of each
// cold-load benchmark (default 200; each iteration uses up one pool file).
#include "bench.h"

#include <sched.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace bench {

Globals g;
std::atomic<int> failures;

void
fail(benchmark::State &state, const char *what)
{
    std::string msg = what;
    if (PyErr_Occurred()) {
        PyObject *type, *exc, *tb;
        PyErr_Fetch(&type, &exc, &tb);      // CPython 3.11 has no GetRaisedException
        PyErr_NormalizeException(&type, &exc, &tb);
        PyObject *s = exc != nullptr ? PyObject_Str(exc) : nullptr;
        if (s != nullptr)
            msg += std::string(": ") + PyUnicode_AsUTF8(s);
        else
            PyErr_Clear();
        Py_XDECREF(s);
        Py_XDECREF(type);
        Py_XDECREF(exc);
        Py_XDECREF(tb);
    }
    failures++;
    state.SkipWithError(msg.c_str());
}

void
unavailable(benchmark::State &state, const char *why)
{
    state.SkipWithError((std::string("unavailable: ") + why).c_str());
}

GroupClock group_clock;

int64_t
monotonic_ns()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Thread 0, before the start barrier (no other thread touches the clock
// until it has passed that barrier).
void
group_clock_reset(benchmark::State &state)
{
    if (state.thread_index() == 0) {
        group_clock.start = 0;
        group_clock.end = 0;
        group_clock.done = 0;
    }
}

void
group_clock_start()
{
    int64_t now = monotonic_ns(), cur = group_clock.start.load();
    while ((cur == 0 || now < cur) && !group_clock.start.compare_exchange_weak(cur, now)) {
    }
}

// After the timed loop: thread 0 waits for the others and reports.
void
group_clock_finish(benchmark::State &state)
{
    int64_t now = monotonic_ns(), cur = group_clock.end.load();
    while (now > cur && !group_clock.end.compare_exchange_weak(cur, now)) {
    }
    group_clock.done++;
    if (state.thread_index() != 0 || state.error_occurred())
        return;
    while (group_clock.done.load() < state.threads())
        sched_yield();
    double ops = (double)state.iterations() * state.threads();
    if (ops > 0 && group_clock.start.load() != 0)
        state.counters["wall_ns"] =
            (double)(group_clock.end.load() - group_clock.start.load()) / ops;
}

benchmark::internal::Benchmark *
threaded(benchmark::internal::Benchmark *b)
{
    return b->ThreadRange(1, g.max_threads)->UseRealTime();
}

}  // namespace bench

using namespace bench;

static const char *
env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v != nullptr && *v != '\0' ? v : dflt;
}

static int
sys_path_prepend(const std::string &dir)
{
    PyObject *path = PySys_GetObject("path");   // borrowed
    PyObject *s;
    int rc;

    if (path == nullptr || !PyList_Check(path)) {
        fprintf(stderr, "pymodrt-bench: sys.path is not a list\n");
        return -1;
    }
    s = PyUnicode_FromString(dir.c_str());
    if (s == nullptr)
        return -1;
    rc = PyList_Insert(path, 0, s);
    Py_DECREF(s);
    return rc;
}

static PyObject *
import_or_die(const char *name)
{
    PyObject *m = PyImport_ImportModule(name);

    if (m == nullptr) {
        fprintf(stderr, "pymodrt-bench: cannot import %s:\n", name);
        PyErr_Print();
        exit(2);
    }
    return m;
}

static std::string
runtime_description()
{
#ifdef BENCH_CPYTHON
    return std::string("CPython ") + Py_GetVersion();
#else
    char buf[256];
    snprintf(buf, sizeof buf, "pymodrt %s (C API %d.%d), allocator %s, GIL mode %d",
             PYMODRT_VERSION, PY_MAJOR_VERSION, PY_MINOR_VERSION,
             pymodrt_mem_uses_jemalloc() ? "jemalloc" : "system", pymodrt_gil_mode());
    return buf;
#endif
}

int
main(int argc, char **argv)
{
    PyConfig config;
    PyStatus status;
    char buf[64];

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;

    g.modules_dir = env_or("PYMODRT_BENCH_MODULES", BENCH_MODULES_DIR);
    g.cold_dir = env_or("PYMODRT_BENCH_COLD", BENCH_COLD_DIR);
    g.cold_count = BENCH_COLD_COUNT;
    g.cold_iters = atoi(env_or("PYMODRT_BENCH_COLD_ITERS", "200"));
    if (g.cold_iters < 1)
        g.cold_iters = 1;
    unsigned ncpu = std::thread::hardware_concurrency();
    g.max_threads = ncpu < 1 ? 2 : (int)(2 * ncpu);
    if (g.max_threads > kRegModules)
        g.max_threads = kRegModules;

    PyConfig_InitPythonConfig(&config);
    status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        Py_ExitStatusException(status);
    // Search order: the cold pool, then the benchmark modules.
    if (sys_path_prepend(g.modules_dir) < 0 || sys_path_prepend(g.cold_dir) < 0) {
        PyErr_Print();
        return 2;
    }

    g.multi = import_or_die("bm_multi");
    g.single = import_or_die("bm_single");
#if BENCH_HAVE_315
    g.exported = import_or_die("bm_export");
#else
    g.exported = nullptr;
#endif
    Py_DECREF(import_or_die("bm_mp"));
    for (int i = 0; i < kRegModules; i++) {
        snprintf(buf, sizeof buf, "bm_reg_%d", i);
        Py_DECREF(import_or_die(buf));
    }

    benchmark::AddCustomContext("runtime", runtime_description());
    benchmark::AddCustomContext("cold_pool", std::to_string(g.cold_count) + " files, " +
                                std::to_string(g.cold_iters) + " per cold benchmark");

    register_load();
    register_exec();
    register_registry();
    register_state();
    register_calls();
    register_interp();
    register_gil();

    PyThreadState *main_ts = PyEval_SaveThread();
    benchmark::RunSpecifiedBenchmarks();
    PyEval_RestoreThread(main_ts);
    benchmark::Shutdown();

    Py_DECREF(g.multi);
    Py_DECREF(g.single);
    Py_XDECREF(g.exported);
    int rc = Py_FinalizeEx() < 0 ? 1 : 0;
    if (failures.load() > 0) {
        fprintf(stderr, "pymodrt-bench: %d benchmark(s) failed\n", failures.load());
        rc = 1;
    }
    return rc;
}
