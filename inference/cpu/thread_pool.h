// A persistent pool of worker threads for the CPU backend. Workers are created once and reused for
// every operation (never a thread per token); the calling thread takes part in the work.
#pragma once

#include <cstdint>
#include <functional>

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
    // per-thread scratch indexed by threadIndex is safe. Chunks are handed out dynamically (about
    // four per thread), so a late or preempted thread is covered by the others. An exception
    // thrown by fn is rethrown here (the first one; the other chunks still run). Not reentrant: fn
    // must not call run(), and one pool serves one calling thread at a time.
    using Task = std::function<void(int64_t begin, int64_t end, int threadIndex)>;
    void run(int64_t n, const Task& fn);
    // The same with chunks of exactly `grain` indices (the last may be shorter).
    void run(int64_t n, int64_t grain, const Task& fn);

private:
    struct Impl;
    Impl* impl_;
};

} // namespace lamp::cpu
