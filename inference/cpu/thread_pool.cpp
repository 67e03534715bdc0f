#include "cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace lamp::cpu {
namespace {

// How long a thread busy-waits for the next job (or for the end of a job) before it sleeps. A
// decode step calls run() every few tens of microseconds, so sleeping at once would pay a futex
// wake-up per matrix; spinning forever would burn a core while the app is idle.
constexpr auto kSpin = std::chrono::microseconds(300);

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// After this long a waiting thread yields its core between checks instead of only pausing: on a
// machine with more runnable threads than cores, the thread it waits for may be queued behind it,
// and pure spinning would keep it off the core. (On a shared 2-core machine at load 12, 2-thread
// generation ran 25-55% faster with the yield, and its threads fell asleep 10-30 times less often.)
constexpr auto kSpinBeforeYield = std::chrono::microseconds(20);

// Spins until pred() holds or kSpin has passed; returns pred().
template <typename Pred>
bool spinUntil(Pred pred) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 1;; ++i) {
        if (pred())
            return true;
        cpuRelax();
        if ((i & 63) == 0) {
            const auto waited = std::chrono::steady_clock::now() - start;
            if (waited > kSpin)
                return pred();
            if (waited > kSpinBeforeYield)
                std::this_thread::yield();
        }
    }
}

} // namespace

// Job hand-off. `state` packs the job's generation (high 32 bits), a "closed" flag and the number
// of workers that joined it (low 31 bits). A worker joins the current job only while it is open, by
// compare-and-swap; the caller closes the job once every chunk has been taken and then waits only
// for the workers that joined. So a worker that is late (asleep, or preempted by another process)
// never holds the caller up: it finds the job closed and goes back to waiting.
struct ThreadPool::Impl {
    static constexpr uint64_t kClosed = uint64_t{1} << 31;
    static constexpr uint64_t kJoinedMask = kClosed - 1;

    int size = 1;
    std::vector<std::thread> workers;

    // The current job: written by the caller before it publishes the new generation, read by
    // workers only after they joined.
    const Task* task = nullptr;
    int64_t n = 0;
    int64_t grain = 1;
    // The job's chunks, split into one contiguous range per thread: thread t takes chunks from the
    // front of range t, then takes from the back of the other ranges. So each thread reads one long
    // run of adjacent chunks (a matrix-vector product streams its rows: hardware prefetchers ramp
    // up once per run, not once per chunk), and a thread that starts late is still covered.
    struct alignas(64) Range {
        std::atomic<uint64_t> frontBack{0};  // front chunk (high 32 bits), one past the back (low)
    };
    std::unique_ptr<Range[]> ranges;

    std::atomic<uint64_t> state{0};
    std::atomic<bool> stop{false};

    std::mutex mutex;
    std::condition_variable wakeWorkers;
    std::condition_variable wakeCaller;
    std::atomic<int> sleepingWorkers{0};
    std::atomic<bool> callerSleeping{false};

    std::mutex errorMutex;
    std::exception_ptr error;

    static uint32_t generationOf(uint64_t s) { return static_cast<uint32_t>(s >> 32); }

    // Takes chunks until none is left. Exceptions are recorded; the remaining chunks still run
    // (the caller rethrows the first exception).
    void work(int threadIndex) {
        for (int i = 0; i < size; ++i) {
            const int range = (threadIndex + i) % size;
            const bool own = i == 0;
            for (int64_t chunk; (chunk = take(range, own)) >= 0;) {
                const int64_t begin = chunk * grain;
                const int64_t end = std::min(n, begin + grain);
                try {
                    (*task)(begin, end, threadIndex);
                } catch (...) {
                    std::lock_guard lock(errorMutex);
                    if (!error)
                        error = std::current_exception();
                }
            }
        }
    }

    // The next chunk of `range`: its front one for the range's own thread, else its back one; -1
    // when the range is empty.
    int64_t take(int range, bool front) {
        std::atomic<uint64_t>& fb = ranges[range].frontBack;
        uint64_t v = fb.load(std::memory_order_relaxed);
        for (;;) {
            const uint64_t f = v >> 32, b = v & 0xffffffffu;
            if (f >= b)
                return -1;
            const uint64_t next = front ? v + (uint64_t{1} << 32) : v - 1;
            if (fb.compare_exchange_weak(v, next, std::memory_order_relaxed))
                return static_cast<int64_t>(front ? f : b - 1);
        }
    }

    // Joins job `generation` if it is still open.
    bool join(uint32_t generation) {
        uint64_t s = state.load(std::memory_order_acquire);
        while (generationOf(s) == generation && (s & kClosed) == 0)
            if (state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel))
                return true;
        return false;
    }

    void leave() {
        const uint64_t before = state.fetch_sub(1, std::memory_order_seq_cst);
        if ((before & kJoinedMask) == 1 && (before & kClosed) != 0 &&
            callerSleeping.load(std::memory_order_seq_cst)) {
            std::lock_guard lock(mutex);
            wakeCaller.notify_one();
        }
    }

    void workerLoop(int threadIndex) {
        uint32_t seen = 0;
        const auto newJob = [&] {
            return stop.load(std::memory_order_seq_cst) ||
                   generationOf(state.load(std::memory_order_seq_cst)) != seen;
        };
        for (;;) {
            if (!spinUntil(newJob)) {
                std::unique_lock lock(mutex);
                sleepingWorkers.fetch_add(1, std::memory_order_seq_cst);
                wakeWorkers.wait(lock, newJob);
                sleepingWorkers.fetch_sub(1, std::memory_order_relaxed);
            }
            if (stop.load(std::memory_order_acquire))
                return;
            seen = generationOf(state.load(std::memory_order_acquire));
            if (join(seen)) {
                work(threadIndex);
                leave();
            }
        }
    }
};

ThreadPool::ThreadPool(int threads) : impl_(new Impl) {
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    impl_->size = threads;
    impl_->ranges = std::make_unique<Impl::Range[]>(static_cast<size_t>(threads));
    impl_->workers.reserve(static_cast<size_t>(threads - 1));
    for (int i = 1; i < threads; ++i)
        impl_->workers.emplace_back([this, i] { impl_->workerLoop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stop.store(true, std::memory_order_seq_cst);
    }
    impl_->wakeWorkers.notify_all();
    for (auto& t : impl_->workers)
        t.join();
    delete impl_;
}

int ThreadPool::size() const { return impl_->size; }

void ThreadPool::run(int64_t n, const Task& fn) {
    // Several chunks per thread, so a thread that starts late (woken from sleep, or preempted on a
    // busy machine) is covered by the others.
    const int64_t chunks = static_cast<int64_t>(impl_->size) * 4;
    run(n, std::max<int64_t>(1, (n + chunks - 1) / chunks), fn);
}

void ThreadPool::run(int64_t n, int64_t grain, const Task& fn) {
    if (n <= 0)
        return;
    // Chunk numbers fit in 32 bits (Range packs two of them).
    grain = std::max({int64_t{1}, grain, (n >> 31) + 1});
    Impl& s = *impl_;
    if (s.size == 1 || n <= grain) {
        for (int64_t begin = 0; begin < n; begin += grain)
            fn(begin, std::min(n, begin + grain), 0);
        return;
    }

    s.task = &fn;
    s.n = n;
    s.grain = grain;
    s.error = nullptr;
    const int64_t chunks = (n + grain - 1) / grain;
    for (int t = 0; t < s.size; ++t) {
        const auto front = static_cast<uint64_t>(chunks * t / s.size);
        const auto back = static_cast<uint64_t>(chunks * (t + 1) / s.size);
        s.ranges[t].frontBack.store(front << 32 | back, std::memory_order_relaxed);
    }
    // Publish: a new generation, open, nobody joined yet (the previous job is fully left).
    const uint32_t generation = Impl::generationOf(s.state.load(std::memory_order_relaxed)) + 1;
    s.state.store(static_cast<uint64_t>(generation) << 32, std::memory_order_seq_cst);
    if (s.sleepingWorkers.load(std::memory_order_seq_cst) > 0) {
        { std::lock_guard lock(s.mutex); }
        s.wakeWorkers.notify_all();
    }

    s.work(0);

    // Every chunk is taken: close the job to latecomers, then wait for those still working.
    const uint64_t before = s.state.fetch_or(Impl::kClosed, std::memory_order_seq_cst);
    if ((before & Impl::kJoinedMask) != 0) {
        const auto done = [&] {
            return (s.state.load(std::memory_order_seq_cst) & Impl::kJoinedMask) == 0;
        };
        if (!spinUntil(done)) {
            std::unique_lock lock(s.mutex);
            s.callerSleeping.store(true, std::memory_order_seq_cst);
            s.wakeCaller.wait(lock, done);
            s.callerSleeping.store(false, std::memory_order_relaxed);
        }
    }
    s.task = nullptr;
    if (s.error) {
        std::exception_ptr e = s.error;
        s.error = nullptr;
        std::rethrow_exception(e);
    }
}

void ThreadPool::onEveryThread(const Task& fn) {
    // One chunk per thread: a thread that has run its chunk waits until every chunk has run, so it
    // cannot take a second one, and each of the size() chunks lands on a different thread.
    const int n = size();
    std::atomic<int> done{0};
    run(n, 1, [&](int64_t, int64_t, int thread) {
        fn(0, 1, thread);
        done.fetch_add(1, std::memory_order_acq_rel);
        while (done.load(std::memory_order_acquire) < n)
            std::this_thread::yield();
    });
}

} // namespace lamp::cpu
