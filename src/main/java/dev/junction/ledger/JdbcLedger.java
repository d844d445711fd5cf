package dev.junction.ledger;

import com.zaxxer.hikari.HikariDataSource;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger on a JDBC database, written by one thread in batches.
 *
 * <p>Ordering makes {@link #flush()} exact without sleeping: {@link #append} counts a record before
 * queueing it, the writer commits records in queue order, so once the committed count reaches the
 * count seen at the start of a flush, every record appended before it is in the database.
 */
final class JdbcLedger implements Ledger {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcLedger.class);
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final long CLOSE_WAIT_MS = 10_000;
  private static final long LINGER_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final HikariDataSource dataSource;
  private final RecordTable table;
  private final LedgerConfig options;
  private final LinkedBlockingQueue<LedgerRecord> queue = new LinkedBlockingQueue<>();
  private final Semaphore slots;
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  private final Thread writer;
  private long committed; // guarded by lock
  private volatile boolean healthy = true;
  private volatile boolean flushWanted;
  private volatile boolean closing;

  private JdbcLedger(HikariDataSource dataSource, LedgerConfig options) {
    this.dataSource = dataSource;
    this.table = new RecordTable(Jdbi.create(dataSource));
    this.options = options;
    this.slots = new Semaphore(options.capacity());
    this.writer = Thread.ofPlatform().name("junction-ledger-writer").daemon().start(this::writeLoop);
  }

  static Ledger open(DatabaseConfig database, LedgerConfig options) {
    return new JdbcLedger(Database.open(database), options);
  }

  @Override
  public boolean admit() {
    return !closing && slots.tryAcquire();
  }

  @Override
  public void append(LedgerRecord record) {
    appended.incrementAndGet();
    queue.add(record);
  }

  @Override
  public void flush() {
    long target = appended.get();
    flushWanted = true;
    lock.lock();
    try {
      while (committed < target && writer.isAlive()) {
        progress.await(100, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<LedgerRecord> find(String requestId) {
    return table.find(requestId);
  }

  @Override
  public List<LedgerRecord> recent(int limit) {
    return table.recent(limit);
  }

  @Override
  public Stats stats() {
    long written;
    lock.lock();
    try {
      written = committed;
    } finally {
      lock.unlock();
    }
    return new Stats(appended.get() - written, written, failedBatches.get(), slots.availablePermits());
  }

  @Override
  public boolean healthy() {
    return healthy;
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    flushWanted = true;
    try {
      writer.join(CLOSE_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.error("ledger: {} records could not be written before shutdown", queue.size());
      writer.interrupt();
    }
    dataSource.close();
  }

  private void writeLoop() {
    List<LedgerRecord> batch = new ArrayList<>(options.batchSize());
    long backoff = 100;
    while (!(closing && queue.isEmpty() && batch.isEmpty())) {
      try {
        if (batch.isEmpty() && !fill(batch)) {
          continue;
        }
        table.insert(batch);
        healthy = true;
        committed(batch.size());
        batch.clear();
        backoff = 100;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The batch is kept and its slots stay taken: records survive an outage, and when it lasts
        // admit() starts refusing requests instead of memory growing without bound.
        healthy = false;
        failedBatches.incrementAndGet();
        LOG.warn("ledger: writing {} records failed, retrying in {} ms: {}", batch.size(), backoff, e.toString());
        if (!sleep(backoff)) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * Takes a batch from the queue: waits for a first record, then lingers up to the flush interval
   * for more, unless the batch is full or someone is waiting on a flush. False when nothing came.
   *
   * <p>While lingering the writer sleeps in short naps and drains what arrived, rather than waiting
   * on the queue: a waiting consumer is woken by every append, which under load cost the event
   * loops a futex wake-up per request and the writer a context switch per record.
   */
  private boolean fill(List<LedgerRecord> batch) throws InterruptedException {
    LedgerRecord first = queue.poll(50, TimeUnit.MILLISECONDS);
    if (first == null) {
      return false;
    }
    batch.add(first);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.flushIntervalMs());
    while (true) {
      queue.drainTo(batch, options.batchSize() - batch.size());
      long left = deadline - System.nanoTime();
      if (batch.size() >= options.batchSize() || flushWanted || closing || left <= 0) {
        break;
      }
      LockSupport.parkNanos(Math.min(left, LINGER_NAP_NANOS));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    flushWanted = false;
    return true;
  }

  /** Frees the slots before waking flushers, so a flush sees the room it made. */
  private void committed(int count) {
    slots.release(count);
    lock.lock();
    try {
      committed += count;
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static boolean sleep(long ms) {
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
