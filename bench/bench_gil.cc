// GIL: the cost of taking and passing the global lock.
//   attach_detach_gil_off      PyEval_SaveThread + PyEval_RestoreThread with
//                              the GIL off (pymodrt only: CPython 3.11 always
//                              has one)
//   acquire_release_gil_on     the same pair with the GIL on, uncontended
//   handoff_gil                2 threads pass the GIL back and forth in strict
//                              turns; one iteration = one hand-off
//   handoff_floor_pthread      the same turns through a pthread mutex and
//                              condition variable: the floor (no runtime)
// Registered last: on pymodrt the GIL-on benchmarks switch the GIL on (by
// importing bm_gil, which does not declare Py_MOD_GIL_NOT_USED), and it
// stays on for the rest of the process.  Target (DESIGN.md 4): a hand-off
// within 2x of the floor.
#include "bench.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <atomic>


namespace bench {

static void
gil_on(const benchmark::State &)
{
    Attached a;
    PyObject *m = PyImport_ImportModule("bm_gil");

    if (m == nullptr)
        PyErr_Print();
    Py_XDECREF(m);
}

static void
detach_attach(benchmark::State &state, Attached &a)
{
    attached_loop(state, [&] {
        a.detach();
        a.attach();
    });
}

#ifndef BENCH_CPYTHON
static void
BM_attach_detach_gil_off(benchmark::State &state)
{
    Attached a;

    if (pymodrt_gil_enabled())
        return unavailable(state, "the GIL is already on in this process "
                                  "(it runs before the GIL-on benchmarks in the default order)");
    detach_attach(state, a);
}
#endif

static void
BM_acquire_release_gil_on(benchmark::State &state)
{
    Attached a;

#ifndef BENCH_CPYTHON
    if (!pymodrt_gil_enabled())
        return fail(state, "importing bm_gil did not switch the GIL on");
#endif
    detach_attach(state, a);
}

// Hand-off latency.  Two threads take strict turns; the one whose turn it
// is holds the lock until the other has announced that it is blocking on
// it (plus ~1 us for it to get queued), stamps the time and releases.  The
// receiver reads the clock as soon as it runs: "handoff_ns" is the mean
// time from release to the waiter running (averaged over both threads),
// which is what the target compares; the Time column is wall time per
// hand-off, waits included.
//
// A thread that gets the GIL out of turn (possible when the holder
// released before it was queued, and usual on CPython 3.11, whose GIL does
// not hand off on release) detaches and yields the CPU before trying again.
static int64_t
now_ns()
{
    return monotonic_ns();
}

static void
spin_ns(int64_t ns)
{
    int64_t end = now_ns() + ns;
    while (now_ns() < end) {
    }
}

struct Turns {
    std::atomic<int> turn{0};           // whose turn: thread index 0 or 1
    std::atomic<int> arrived[2];        // thread i is about to block on the lock
    std::atomic<int64_t> released{0};   // when the last holder released, 0: never
    void reset() { turn = 0; arrived[0] = arrived[1] = 0; released = 0; }
};
static Turns gil_turns;

template <class Acquire, class Release>
static void
take_turns(benchmark::State &state, Turns &t, Acquire &&acquire, Release &&release)
{
    const int me = state.thread_index(), other = 1 - me;
    const int64_t n = (int64_t)state.max_iterations;
    int64_t i = 0, received = 0;
    double lat = 0;

    for (auto _ : state) {
        t.arrived[me].store(1);
        acquire(me);
        int64_t got = now_ns(), rel = t.released.load();
        if (rel != 0) {
            lat += (double)(got - rel);
            received++;
        }
        t.turn.store(other);
        if (!(me == 1 && i == n - 1)) {         // the very last turn has no successor
            while (t.arrived[other].load() == 0)
                sched_yield();                  // on a busy machine it needs our CPU
            t.arrived[other].store(0);
            spin_ns(1000);                      // let it get queued
        }
        t.released.store(now_ns());
        release(me);
        i++;
    }
    state.counters["handoff_ns"] = benchmark::Counter(
        received ? lat / (double)received : 0.0, benchmark::Counter::kAvgThreads);
}

static void
BM_handoff_gil(benchmark::State &state)
{
    Attached a;
#ifndef BENCH_CPYTHON
    pymodrt_gil_stats before, after;
#endif

    if (state.thread_index() == 0) {
        gil_turns.reset();
#ifndef BENCH_CPYTHON
        pymodrt_gil_get_stats(&before);
#endif
    }
    a.detach();
    take_turns(state, gil_turns,
        [&](int me) {
            a.attach();
            while (gil_turns.turn.load() != me) {
                a.detach();
                sched_yield();
                a.attach();
            }
        },
        [&](int) { a.detach(); });
    a.attach();
#ifndef BENCH_CPYTHON
    if (state.thread_index() == 0) {
        pymodrt_gil_get_stats(&after);
        state.counters["handoff_fraction"] =
            (double)(after.handoffs - before.handoffs) / (2.0 * (double)state.iterations());
    }
#endif
}

static pthread_mutex_t floor_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t floor_cv = PTHREAD_COND_INITIALIZER;
static Turns floor_turns;               // 'turn' changes under floor_mu

static void
BM_handoff_floor(benchmark::State &state)
{
    if (state.thread_index() == 0)
        floor_turns.reset();
    take_turns(state, floor_turns,
        [&](int me) {
            pthread_mutex_lock(&floor_mu);
            while (floor_turns.turn.load() != me)
                pthread_cond_wait(&floor_cv, &floor_mu);
        },
        [&](int) {
            pthread_cond_signal(&floor_cv);
            pthread_mutex_unlock(&floor_mu);
        });
}

void
register_gil()
{
#ifndef BENCH_CPYTHON
    benchmark::RegisterBenchmark("gil/attach_detach_gil_off", BM_attach_detach_gil_off)
        ->UseRealTime();
#endif
    benchmark::RegisterBenchmark("gil/handoff_floor_pthread", BM_handoff_floor)
        ->Threads(2)->UseRealTime();
    benchmark::RegisterBenchmark("gil/acquire_release_gil_on", BM_acquire_release_gil_on)
        ->Setup(gil_on)->UseRealTime();
    benchmark::RegisterBenchmark("gil/handoff_gil", BM_handoff_gil)
        ->Setup(gil_on)->Threads(2)->UseRealTime();
}

}  // namespace bench
