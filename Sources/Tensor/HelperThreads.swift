#if canImport(Glibc)
import Glibc
#endif

/// The engine's own helper threads for `Parallel`. Not libdispatch's pool: the daemon's HTTP
/// queues draw threads from that pool, and a layer's worth of engine work parked on its threads
/// made API requests wait behind training. Helpers sleep on a condition variable between calls
/// (no busy-waiting, unlike OpenBLAS's pool).
///
/// One caller at a time: a second thread that calls while the helpers are busy (another training
/// worker, or a parallel loop nested in a parallel loop) gets `false` and runs its work itself.
final class HelperThreads: @unchecked Sendable {
    static let shared = HelperThreads()

    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var finished = pthread_cond_t()
    private var started = 0
    private var busy = false
    private var generation = 0
    private var active = 0
    private var pending = 0
    private var job: ((Int) -> Void)?

    private init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&finished, nil)
    }

    /// Runs `body(0)` on the calling thread and `body(1)` … `body(workers - 1)` on helpers, and
    /// returns when all are done; false (nothing run) if the helpers are in use.
    func run(workers: Int, _ body: @escaping (Int) -> Void) -> Bool {
        pthread_mutex_lock(&mutex)
        if busy {
            pthread_mutex_unlock(&mutex)
            return false
        }
        busy = true
        while started < workers - 1 {
            started += 1
            spawn(index: started)
        }
        job = body
        active = workers
        pending = workers - 1
        generation += 1
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)

        body(0)

        pthread_mutex_lock(&mutex)
        while pending > 0 { pthread_cond_wait(&finished, &mutex) }
        job = nil
        busy = false
        pthread_mutex_unlock(&mutex)
        return true
    }

    private func spawn(index: Int) {
        let context = Unmanaged.passRetained(HelperContext(pool: self, index: index)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let context = Unmanaged<HelperContext>.fromOpaque(raw!).takeRetainedValue()
            context.pool.loop(index: context.index)
            return nil
        }, context)
        precondition(result == 0, "cannot start an engine helper thread (error \(result))")
        pthread_detach(thread)
    }

    private func loop(index: Int) {
        var seen = 0
        pthread_mutex_lock(&mutex)
        while true {
            while generation == seen { pthread_cond_wait(&wake, &mutex) }
            seen = generation
            guard index < active, let body = job else { continue }
            pthread_mutex_unlock(&mutex)
            body(index)
            pthread_mutex_lock(&mutex)
            pending -= 1
            if pending == 0 { pthread_cond_signal(&finished) }
        }
    }
}

private final class HelperContext {
    let pool: HelperThreads
    let index: Int
    init(pool: HelperThreads, index: Int) {
        self.pool = pool
        self.index = index
    }
}
