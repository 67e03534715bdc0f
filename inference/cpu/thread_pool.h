// A persistent pool of worker threads for the CPU backend. Workers are created once and reused for
// every operation (never a thread per token); the calling thread takes part in the work.
#pragma once

#include <cstdint>
#include <type_traits>

namespace lamp::cpu {

class ThreadPool {
public:
    // `threads` counts the caller too; 0 means every hardware thread.
    explicit ThreadPool(int threads = 0);
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    ~ThreadPool();

    int size() const;

    // Splits [0, n) into contiguous chunks and calls fn(begin, end, threadIndex) for each, on the
    // workers and the caller; returns when all are done. threadIndex is in [0, size()); one thread
    // may run several chunks (one after another), two threads never share a threadIndex, so
    // per-thread scratch indexed by threadIndex is safe. The chunks (about four per thread) are
    // split into one contiguous range per thread: a thread runs its own range front to back, so it
    // streams one long run of memory, then takes chunks from the back of the others' ranges, so a
    // late or preempted thread is covered by the others. An exception
    // thrown by fn is rethrown here (the first one; the other chunks still run). Not reentrant: fn
    // must not call run(), and one pool serves one calling thread at a time.
    //
    // The task is taken by reference (Task below), never copied: a std::function would allocate
    // for every lambda with more than two captures, i.e. for every matrix product of every token.
    class Task;
    void run(int64_t n, const Task& fn);
    // The same with chunks of exactly `grain` indices (the last may be shorter).
    void run(int64_t n, int64_t grain, const Task& fn);
    // Calls fn(0, 1, threadIndex) exactly once on every thread of the pool (the caller included):
    // for per-thread setup such as growing thread-local scratch before the work that needs it.
    void onEveryThread(const Task& fn);

private:
    struct Impl;
    Impl* impl_;
};

// A non-owning reference to a callable fn(int64_t begin, int64_t end, int threadIndex), valid while
// the callable lives (for run(): the call's full expression, so a lambda written in the call is
// fine).
class ThreadPool::Task {
public:
    template <typename F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, Task> &&
                 std::is_invocable_v<const F&, int64_t, int64_t, int>)
    Task(const F& fn)  // NOLINT(google-explicit-constructor): lambdas convert implicitly
        : object_(&fn), call_([](const void* object, int64_t begin, int64_t end, int thread) {
              (*static_cast<const F*>(object))(begin, end, thread);
          }) {}

    void operator()(int64_t begin, int64_t end, int threadIndex) const {
        call_(object_, begin, end, threadIndex);
    }

private:
    const void* object_;
    void (*call_)(const void*, int64_t, int64_t, int);
};

} // namespace lamp::cpu
