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

// Hand-off latency: the time from one thread releasing the lock to the
// thread waiting for it running ("handoff_ns", averaged over both threads).
//
// GIL: two threads take strict turns.  The waiting thread watches for its
// turn without holding anything, then announces itself and blocks in
// attach (queued behind the holder).  The holder passes the turn and keeps
// the GIL until the waiter has announced itself, plus ~5 us for it to get
// queued, then stamps the time and detaches: with a FIFO hand-off GIL
// (pymodrt) the GIL goes straight to the queued waiter.  "handoff_fraction"
// (pymodrt) is the share of turns that were such direct hand-offs, and
// "gil_overlaps" counts acquisitions that found the other thread still
// inside (a broken GIL; must be 0).  CPython 3.11's GIL does not hand off
// on release (a waiter forces a switch only after its 5 ms interval): a
// thread that gets the GIL out of turn there detaches, yields and retries.
// Every wait yields the CPU: on a loaded 2-core machine a bare spin keeps
// the other thread off the CPU for a whole time slice.
//
// Floor: the classic ping-pong through one pthread mutex and condition
// variable: the waiter sleeps in pthread_cond_wait until the turn is its.
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

static struct {
    std::atomic<int> turn{0};           // whose turn: thread index 0 or 1
    std::atomic<int> arrived[2];        // thread i is about to block in attach
    std::atomic<int64_t> released{0};   // when the last holder released, 0: never
    std::atomic<int> holder{-1};        // who is inside by our bookkeeping
    std::atomic<long> overlaps{0};
} gt;

static void
BM_handoff_gil(benchmark::State &state)
{
    const int me = state.thread_index(), other = 1 - me;
    const int64_t n = (int64_t)state.max_iterations;
    int64_t i = 0, received = 0;
    double lat = 0;
    Attached a;
#ifndef BENCH_CPYTHON
    pymodrt_gil_stats before, after;
#endif

    if (me == 0) {
        gt.turn = 0;
        gt.arrived[0] = gt.arrived[1] = 0;
        gt.released = 0;
        gt.holder = -1;
        gt.overlaps = 0;
#ifndef BENCH_CPYTHON
        pymodrt_gil_get_stats(&before);
#endif
    }
    a.detach();
    for (auto _ : state) {
        for (;;) {
            while (gt.turn.load() != me)
                sched_yield();
            gt.arrived[me].store(1);
            a.attach();
            int nobody = -1;
            if (!gt.holder.compare_exchange_strong(nobody, me))
                gt.overlaps++;
            if (gt.turn.load() == me)
                break;
            gt.holder.store(-1);        // out of turn: let the holder finish
            a.detach();
        }
        int64_t got = now_ns(), rel = gt.released.load();
        if (rel != 0) {
            lat += (double)(got - rel);
            received++;
        }
        gt.turn.store(other);
        if (!(me == 1 && i == n - 1)) {         // the very last turn has no successor
            while (gt.arrived[other].load() == 0)
                sched_yield();
            gt.arrived[other].store(0);
            spin_ns(5000);                      // let it get queued
        }
        gt.holder.store(-1);
        gt.released.store(now_ns());
        a.detach();
        i++;
    }
    a.attach();
    state.counters["handoff_ns"] = benchmark::Counter(
        received ? lat / (double)received : 0.0, benchmark::Counter::kAvgThreads);
    if (me == 0) {
        state.counters["gil_overlaps"] = (double)gt.overlaps.load();
#ifndef BENCH_CPYTHON
        pymodrt_gil_get_stats(&after);
        state.counters["handoff_fraction"] =
            (double)(after.handoffs - before.handoffs) / (2.0 * (double)state.iterations());
#endif
    }
}

static pthread_mutex_t floor_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t floor_cv = PTHREAD_COND_INITIALIZER;
static int floor_turn;                  // guarded by floor_mu
static int64_t floor_released;          // guarded by floor_mu; 0: never

static void
BM_handoff_floor(benchmark::State &state)
{
    const int me = state.thread_index(), other = 1 - me;
    int64_t received = 0;
    double lat = 0;

    if (me == 0) {
        pthread_mutex_lock(&floor_mu);
        floor_turn = 0;
        floor_released = 0;
        pthread_mutex_unlock(&floor_mu);
    }
    for (auto _ : state) {
        pthread_mutex_lock(&floor_mu);
        while (floor_turn != me)
            pthread_cond_wait(&floor_cv, &floor_mu);
        if (floor_released != 0) {
            lat += (double)(now_ns() - floor_released);
            received++;
        }
        floor_turn = other;
        floor_released = now_ns();
        pthread_cond_signal(&floor_cv);
        pthread_mutex_unlock(&floor_mu);
    }
    state.counters["handoff_ns"] = benchmark::Counter(
        received ? lat / (double)received : 0.0, benchmark::Counter::kAvgThreads);
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
