package dev.junction.dashboard;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads the dashboard's reads run on: two at most, gone when idle, each at the lowest CPU
 * priority the system gives (nice 19 on Linux), so that on a busy machine the event loops serving
 * requests are run first and a dashboard left open costs the requests' latency as little as its CPU
 * allows. Elsewhere, or if the system refuses, they run at the default priority.
 */
final class Reads {

  private static final Logger LOG = LoggerFactory.getLogger(Reads.class);
  private static final int PRIO_PROCESS = 0;
  private static final int LOWEST = 19;

  private Reads() {}

  static Executor executor() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        task -> Thread.ofPlatform().daemon().name("junction-dashboard-read").unstarted(() -> {
          lowerPriority();
          task.run();
        }));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Linux keeps a nice value per thread: setpriority(PRIO_PROCESS, its id) sets the calling thread's. */
  private static void lowerPriority() {
    MethodHandle gettid = Libc.GETTID;
    MethodHandle setpriority = Libc.SETPRIORITY;
    if (gettid == null || setpriority == null) {
      return;
    }
    try {
      int tid = (int) gettid.invokeExact();
      int result = (int) setpriority.invokeExact(PRIO_PROCESS, tid, LOWEST);
      if (result != 0) {
        LOG.debug("The dashboard's reads run at the default CPU priority: setpriority refused");
      }
    } catch (Throwable e) {
      LOG.debug("The dashboard's reads run at the default CPU priority", e);
    }
  }

  /**
   * The two C functions, linked once: a thread is made again after each idle half minute, and linking
   * them anew each time generated classes for the compiler to work through while requests were being
   * served.
   */
  private static final class Libc {
    static final @Nullable MethodHandle GETTID;
    static final @Nullable MethodHandle SETPRIORITY;

    static {
      MethodHandle gettid = null;
      MethodHandle setpriority = null;
      if (System.getProperty("os.name", "").startsWith("Linux")) {
        try {
          Linker linker = Linker.nativeLinker();
          var libc = linker.defaultLookup();
          gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
          setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        } catch (RuntimeException e) {
          LOG.debug("The dashboard's reads run at the default CPU priority", e);
          gettid = null;
          setpriority = null;
        }
      }
      GETTID = gettid;
      SETPRIORITY = setpriority;
    }
  }
}
