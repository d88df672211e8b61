/* watchdog.c: deadlock detection, the progress bar, and ThreadSanitizer
 * report capture.
 *
 * The watchdog thread never touches the runtime.  Every 100 ms it reads each
 * worker's heartbeat (the start time of its current operation, the
 * operation and the module) and the main thread's.  One that has been in the
 * same operation for longer than --stall-seconds is a deadlock: the watchdog
 * prints every thread's operation, then asks each thread in turn (SIGUSR2)
 * to write its own backtrace to stderr, and exits with status 1.
 *
 * In the thread-sanitizer build, __tsan_on_report records each report's
 * description, the stacks of its memory accesses and the first location;
 * st_dog_tsan_collect() later maps those addresses to module files (dladdr)
 * and records a "data-race" violation naming the module. */
#include "stress.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static pthread_t dog;
static _Atomic int dog_stop;          /* atomic */
static _Atomic int dump_done;         /* atomic: the signalled thread finished */
static int progress_shown;            /* watchdog thread, then main after join */

static void
on_dump(int sig)
{
    void *frames[64];
    int n = backtrace(frames, 64);

    (void)sig;
    backtrace_symbols_fd(frames, n, 2);
    atomic_store(&dump_done, 1);
}

static void
dump_thread(pthread_t t, const char *who)
{
    char line[160];
    int n = snprintf(line, sizeof line, "--- stack of %s:\n", who);

    if (write(2, line, (size_t)n) < 0)
        return;
    atomic_store(&dump_done, 0);
    if (pthread_kill(t, SIGUSR2) != 0)
        return;
    for (int i = 0; i < 200 && !atomic_load(&dump_done); i++)
        usleep(5000);
}

static void
stall(const char *who, int idx, int op, int mi, double secs)
{
    char name[48];

    st_dog_progress_clear();
    fprintf(stderr, "\npymodrt-stress: DEADLOCK: %s has been in '%s' of module '%s' for %.1f s "
                    "(limit %.1f s; seed %llu, campaign '%s')\n", who,
            idx < 0 ? (const char *)atomic_load(&st_run.main_doing) : st_op_names[op],
            mi >= 0 ? st_run.mods[mi].name : "-", secs, st_run.stall_seconds,
            (unsigned long long)st_run.seed,
            atomic_load(&st_run.cur_shown) ? atomic_load(&st_run.cur_shown)->name : "-");
    fprintf(stderr, "threads:\n");
    for (int i = 0; i < st_run.nworkers; i++) {
        struct st_worker *w = &st_run.workers[i];
        uint64_t t = atomic_load(&w->op_start_ns);
        int m = atomic_load(&w->cur_mod);
        fprintf(stderr, "  thread %d (interpreter %lld): %s %s%s%s\n", i, (long long)w->ip->id,
                t ? "in" : "idle", t ? st_op_names[atomic_load(&w->cur_op)] : "",
                t ? " of " : "", t ? (m >= 0 ? st_run.mods[m].name : "-") : "");
    }
    fprintf(stderr, "  main: %s\n", atomic_load(&st_run.main_doing) ? atomic_load(&st_run.main_doing)
                                                                    : "waiting for the round");
    fflush(stderr);
    for (int i = 0; i < st_run.nworkers; i++) {
        if (!atomic_load(&st_run.workers[i].started))
            continue;
        snprintf(name, sizeof name, "thread %d", i);
        dump_thread(st_run.workers[i].thread, name);
    }
    dump_thread(st_run.main_thread, "main");
    fprintf(stderr, "pymodrt-stress: violation 'deadlock' (seed %llu); exiting with status 1\n",
            (unsigned long long)st_run.seed);
    _exit(1);
}

static void
progress(void)
{
    uint64_t ops = atomic_load(&st_run.ops_total);
    double el = st_now() - st_run.t_start, frac;
    static double last_t;
    static uint64_t last_ops;
    char bar[31];

    for (int i = 0; i < st_run.nworkers; i++)
        ops += atomic_load_explicit(&st_run.workers[i].ops_done, memory_order_relaxed);
    frac = st_run.t_total > 0 ? el / st_run.t_total : 0;
    if (frac > 1)
        frac = 1;
    for (int i = 0; i < 30; i++)
        bar[i] = i < (int)(frac * 30) ? '#' : '.';
    bar[30] = '\0';
    double rate = el - last_t > 0 ? (double)(ops - last_ops) / (el - last_t) : 0;
    if (ops < last_ops)
        rate = 0;
    last_t = el;
    last_ops = ops;
    fprintf(stderr, "\r[%s] %3d%% %-40.40s %9.0f ops/s ", bar, (int)(frac * 100),
            atomic_load(&st_run.cur_shown) ? atomic_load(&st_run.cur_shown)->name : "", rate);
    progress_shown = 1;
}

void
st_dog_progress_clear(void)
{
    if (progress_shown) {
        fprintf(stderr, "\r%100s\r", "");
        progress_shown = 0;
    }
}

static void *
dog_main(void *arg)
{
    int tick = 0;

    (void)arg;
    while (!atomic_load(&dog_stop)) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        uint64_t now, limit = (uint64_t)(st_run.stall_seconds * 1e9);
        nanosleep(&ts, NULL);
        now = st_now_ns();
        pthread_mutex_lock(&st_run.workers_mu);
        for (int i = 0; i < st_run.nworkers && st_run.workers != NULL; i++) {
            struct st_worker *w = &st_run.workers[i];
            uint64_t t = atomic_load(&w->op_start_ns);
            if (t != 0 && now > t && now - t > limit) {
                char who[48];
                snprintf(who, sizeof who, "thread %d (interpreter %lld)", i, (long long)w->ip->id);
                stall(who, i, atomic_load(&w->cur_op), atomic_load(&w->cur_mod), (double)(now - t) / 1e9);
            }
        }
        uint64_t mt = atomic_load(&st_run.main_op_start_ns);
        if (mt != 0 && now > mt && now - mt > limit * 3)
            stall("the main thread", -1, 0, -1, (double)(now - mt) / 1e9);
        if (st_run.progress && ++tick % 2 == 0)
            progress();
        pthread_mutex_unlock(&st_run.workers_mu);
    }
    return NULL;
}

void
st_dog_start(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_dump;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    /* backtrace() loads libgcc lazily: do it now, not in a signal handler. */
    void *frames[2];
    backtrace(frames, 2);
    atomic_store(&dog_stop, 0);
    pthread_create(&dog, NULL, dog_main, NULL);
}

void
st_dog_stop(void)
{
    atomic_store(&dog_stop, 1);
    pthread_join(dog, NULL);
    st_dog_progress_clear();
}

/* ---------------------------------------------------------------- ThreadSanitizer */

#if defined(__SANITIZE_THREAD__)
#define ST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ST_TSAN 1
#endif
#endif

#ifdef ST_TSAN
#define TSAN_FRAMES 24
#define TSAN_MAX 32
struct tsan_rec {
    char desc[48];
    void *pcs[2][TSAN_FRAMES];
    void *loc;
};
static struct tsan_rec tsan_recs[TSAN_MAX];   /* slot i: written by the reporting thread
                                               * that reserved it, read after tsan_ready[i] */
static _Atomic int tsan_ready[TSAN_MAX];      /* atomic: slot i is complete */
static _Atomic int tsan_n;                    /* atomic: slots reserved */
static int tsan_collected;                    /* main thread only */

int __tsan_get_report_data(void *report, const char **description, int *count,
                           int *stack_count, int *mop_count, int *loc_count,
                           int *mutex_count, int *thread_count, int *unique_tid_count,
                           void **sleep_trace, unsigned long trace_size);
int __tsan_get_report_mop(void *report, unsigned long idx, int *tid, void **addr, int *size,
                          int *write, int *atomic, void **trace, unsigned long trace_size);
int __tsan_get_report_loc(void *report, unsigned long idx, const char **location_type,
                          void **addr, unsigned long *start, unsigned long *size, int *tid,
                          int *fd, int *suppressable, void **trace, unsigned long trace_size);
__attribute__((visibility("default"))) void __tsan_on_report(void *report);

/* Called by ThreadSanitizer for every report it prints. */
void
__tsan_on_report(void *report)
{
    const char *desc = NULL;
    int count, stacks, mops = 0, locs = 0, mutexes, threads, tids;
    void *sleep[1];
    int i = atomic_fetch_add(&tsan_n, 1);

    if (i >= TSAN_MAX)
        return;
    struct tsan_rec *r = &tsan_recs[i];
    memset(r, 0, sizeof *r);
    if (!__tsan_get_report_data(report, &desc, &count, &stacks, &mops, &locs, &mutexes, &threads,
                                &tids, sleep, 1)) {
        atomic_store_explicit(&tsan_ready[i], 1, memory_order_release);
        return;
    }
    snprintf(r->desc, sizeof r->desc, "%s", desc ? desc : "report");
    for (int m = 0; m < mops && m < 2; m++) {
        int tid, size, write, atomic;
        void *addr;
        __tsan_get_report_mop(report, (unsigned long)m, &tid, &addr, &size, &write, &atomic,
                              r->pcs[m], TSAN_FRAMES);
    }
    if (locs > 0) {
        const char *type;
        unsigned long start, size;
        int tid, fd, supp;
        void *addr, *trace[1];
        if (__tsan_get_report_loc(report, 0, &type, &addr, &start, &size, &tid, &fd, &supp, trace, 1))
            r->loc = type != NULL && strcmp(type, "global") == 0 ? addr : NULL;
    }
    atomic_store_explicit(&tsan_ready[i], 1, memory_order_release);
}

/* The module whose file contains 'pc', or -1. */
static int
module_of(void *pc, const char **sym)
{
    Dl_info info;

    if (pc == NULL || !dladdr(pc, &info) || info.dli_fname == NULL)
        return -1;
    const char *base = strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    for (int i = 0; i < st_run.nmods; i++) {
        size_t n = strlen(st_run.mods[i].name);
        if (strncmp(base, st_run.mods[i].name, n) == 0 && base[n] == '.') {
            if (sym != NULL)
                *sym = info.dli_sname;
            return i;
        }
    }
    return -1;
}

int
st_dog_tsan_reports(void)
{
    return atomic_load(&tsan_n);
}

void
st_dog_tsan_collect(void)
{
    int n = atomic_load(&tsan_n);

    for (; tsan_collected < n && tsan_collected < TSAN_MAX; tsan_collected++) {
        struct tsan_rec *r = &tsan_recs[tsan_collected];
        if (!atomic_load_explicit(&tsan_ready[tsan_collected], memory_order_acquire))
            break;   /* still being written: next time */
        const char *fn = NULL, *var = NULL, *first = NULL;
        int mi = -1;
        for (int m = 0; m < 2 && mi < 0; m++)
            for (int k = 0; k < TSAN_FRAMES && r->pcs[m][k] != NULL && mi < 0; k++)
                mi = module_of(r->pcs[m][k], &fn);
        if (r->loc != NULL)
            module_of(r->loc, &var);
        if (mi < 0 && r->pcs[0][0] != NULL) {
            Dl_info info;
            if (dladdr(r->pcs[0][0], &info))
                first = info.dli_sname;
        }
        if (mi >= 0)
            st_chk_violation("data-race", mi, -1, 0,
                             "ThreadSanitizer: %s in module %s%s%s%s%s%s", r->desc,
                             st_run.mods[mi].name, fn ? ", function " : "", fn ? fn : "",
                             var ? ", on global '" : "", var ? var : "", var ? "'" : "");
        else
            st_chk_violation("data-race", -1, -1, 0,
                             "ThreadSanitizer: %s in the runtime or the tool (first frame %s)",
                             r->desc, first ? first : "?");
    }
    if (n > TSAN_MAX && tsan_collected == TSAN_MAX) {
        st_chk_violation("data-race", -1, -1, 0, "%d more ThreadSanitizer reports", n - TSAN_MAX);
        tsan_collected++;
    }
}
#else
int
st_dog_tsan_reports(void)
{
    return 0;
}

void
st_dog_tsan_collect(void)
{
}
#endif
