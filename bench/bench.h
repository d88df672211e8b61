// bench.h: what every pymodrt-bench family shares.
//
// The same driver sources build two programs:
//   pymodrt-bench          against pymodrt's include/ and libpymodrt;
//   pymodrt-bench-cpython  against the machine's CPython (BENCH_CPYTHON is
//                          defined; python3-config --embed), the twin for
//                          bench/compare.
// Benchmarks whose API the runtime lacks (the 3.15 export-hook protocol on
// CPython 3.11, attach/detach with the GIL off) are not registered there;
// the comparison reports those rows as "n/a".
//
// Threads.  Every thread that touches objects is attached to a thread
// state.  Google Benchmark starts and stops the timed loop of all threads
// at a barrier, so no thread may hold CPython's GIL across the barrier (the
// others would wait for it forever): threaded families attach for a batch
// of operations and detach between batches ("batched"), which is also what
// lets CPython's threads take turns.  Single-threaded families stay
// attached for the whole loop ("attached_loop").
#ifndef PYMODRT_BENCH_H
#define PYMODRT_BENCH_H

#include <Python.h>
#ifndef BENCH_CPYTHON
#include <pymodrt.h>
#endif
#include <benchmark/benchmark.h>

#include <atomic>
#include <string>

#if PY_VERSION_HEX >= 0x030F0000
#define BENCH_HAVE_315 1        // PyModExport, PySlot, PyModule_Exec, tokens
#else
#define BENCH_HAVE_315 0
#endif

namespace bench {

// Objects imported once by main() before any benchmark runs; they stay
// alive (and referenced) until the end.  Immutable after main's setup.
struct Globals {
    PyObject *multi;            // bm_multi: multi-phase, state, Base, Sub1..Sub8
    PyObject *single;           // bm_single: single-phase, m_size == -1
    PyObject *exported;         // bm_export (3.15 export hook) or nullptr
    std::string modules_dir;    // bench modules (bm_multi.so, ...)
    std::string cold_dir;       // the cold-load pool (bm_cold_NNNN.so)
    int cold_count;             // files in the pool
    int cold_iters;             // iterations of each cold-load benchmark
    int max_threads;            // top of the thread ranges
};
extern Globals g;
extern std::atomic<int> failures;   // benchmarks that failed so far

// Number of distinct loaded modules for "different names" (bm_reg_0..7).
constexpr int kRegModules = 8;
// Operations per attachment in threaded families.
constexpr int kBatch = 1024;

// The calling thread attached to the main interpreter for its lifetime
// (PyGILState_Ensure/Release), detachable in between.
class Attached {
public:
    Attached() : gil_(PyGILState_Ensure()), ts_(nullptr) {}
    ~Attached() { PyGILState_Release(gil_); }
    Attached(const Attached &) = delete;
    Attached &operator=(const Attached &) = delete;
    void detach() { ts_ = PyEval_SaveThread(); }
    void attach() { PyEval_RestoreThread(ts_); }

private:
    PyGILState_STATE gil_;
    PyThreadState *ts_;
};

// Wall time of a whole threaded run, first thread's start to last thread's
// end.  Google Benchmark starts each thread's clock when that thread leaves
// the start barrier, so a thread that the OS schedules late (more threads
// than free CPUs) also starts its clock late and the reported real time
// flatters throughput.  batched() therefore also reports "wall_ns": the
// group's wall time per operation, which bench/compare uses when present.
struct GroupClock {
    std::atomic<int64_t> start{0};      // earliest start (ns), 0: none yet
    std::atomic<int64_t> end{0};        // latest end (ns)
    std::atomic<int> done{0};           // threads past their loop
};
extern GroupClock group_clock;
int64_t monotonic_ns();
void group_clock_reset(benchmark::State &state);
void group_clock_start();
void group_clock_finish(benchmark::State &state);

// Threaded families: 'op' kBatch times per attachment.  Call attached;
// returns attached.
template <class F>
inline void
batched(benchmark::State &state, Attached &a, F &&op)
{
    bool first = true;

    group_clock_reset(state);
    a.detach();
    while (state.KeepRunningBatch(kBatch)) {
        if (first) {
            group_clock_start();
            first = false;
        }
        a.attach();
        for (int i = 0; i < kBatch; i++)
            op();
        a.detach();
    }
    group_clock_finish(state);
    a.attach();
}

// Single-threaded families: attached throughout.
template <class F>
inline void
attached_loop(benchmark::State &state, F &&op)
{
    for (auto _ : state)
        op();
}

// Marks the benchmark failed, with the pending exception if any; counted,
// and pymodrt-bench exits 1 after the run when any benchmark failed.
void fail(benchmark::State &state, const char *what);
// Marks the benchmark skipped because this runtime lacks what it measures
// (not a failure; the message starts with "unavailable: ").
void unavailable(benchmark::State &state, const char *why);
// The thread range of threaded families: 1, 2, 4, ... up to max_threads.
benchmark::internal::Benchmark *threaded(benchmark::internal::Benchmark *b);

// One registration function per family, called by main() in this order
// (the GIL family last: it switches pymodrt's GIL on for good).
void register_load();
void register_exec();
void register_registry();
void register_state();
void register_calls();
void register_interp();
void register_gil();

}  // namespace bench

#endif  // PYMODRT_BENCH_H
