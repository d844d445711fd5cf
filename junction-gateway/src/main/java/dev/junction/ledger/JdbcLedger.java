package dev.junction.ledger;

import com.zaxxer.hikari.HikariDataSource;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger on a JDBC database, written by one thread in batches, with a spill journal on local
 * disk for the records the database cannot take.
 *
 * <p>Two threads take records from the queue, both from its head: the writer, which commits batches
 * to the database (or, while it refuses writes, forces them into the spill journal and probes it
 * again after a bounded backoff, and replays the journal once it accepts them), and the spiller,
 * which moves the whole queue to the journal whenever it holds as many records as there are free
 * slots, so that a writer held up by a dead or slow database does not make the gateway refuse
 * requests.
 *
 * <p>Positions make {@link #flush()} exact without sleeping: records are counted as they leave the
 * queue, each thread notes the position of the oldest record it holds, and every position below the
 * lowest of those (or below the count taken, when neither holds one) is settled: committed or
 * spilled. Since the queue is FIFO, once that low-water mark reaches the count appended at the start
 * of a flush, every record appended before it is settled.
 */
final class JdbcLedger implements Ledger {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcLedger.class);
  private static final long MIN_BACKOFF_MS = 100;
  /**
   * A database that refused writes is tried again at most this long after the last try, so its return
   * is noticed within about a second (plus the connection pool's own reconnect delay).
   */
  private static final long MAX_BACKOFF_MS = 1_000;
  /** At shutdown, how long the writer may go on committing to a working database before the rest is spilled. */
  private static final long CLOSE_COMMIT_MS = 2_000;
  /** Past that, how long a write in progress gets to fail once its connection is aborted. */
  private static final long CLOSE_ABORT_MS = 5_000;
  private static final long FIRST_RECORD_WAIT_MS = 50;
  /** How often the spiller holding records looks again; an append into a crowded queue wakes it at once. */
  private static final long SPILLER_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /**
   * How often an idle spiller looks at the queue unasked. What gives it work wakes it (an append into
   * a crowded queue, the close); looking every 10 ms regardless was 100 wake-ups a second of an idle
   * gateway.
   */
  private static final long SPILLER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long SPILL_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final int WRITER = 0;
  private static final int SPILLER = 1;

  private final HikariDataSource dataSource;
  private final RecordTable table;
  private final SpillJournal spill;
  private final LedgerConfig options;
  /** At most half the slots, so that the writer's batch alone never takes every slot from the spiller. */
  private final int batchLimit;
  /** Whether the writer's batch in hand was sent to the database before (the writer's thread only). */
  private boolean batchTried;
  private final LinkedBlockingQueue<LedgerRecord> queue = new LinkedBlockingQueue<>();
  private final Semaphore slots;
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  private final Thread writer;
  private final Thread spiller;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Guarded by lock.
  private long taken;
  private final long[] holdingFrom = {-1, -1};
  private long settled;
  private long written;
  private long commits;
  private long commitNanos;

  private volatile boolean healthy = true;
  /** Why the last write to the spill journal failed, or null when it works. */
  private volatile @Nullable String spillProblem;
  private volatile boolean flushWanted;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos;
  private volatile boolean spillerStop;

  // The writer's own.
  private long backoffMs = MIN_BACKOFF_MS;
  private long probeAtNanos;
  private long outageStartNanos;

  private JdbcLedger(HikariDataSource dataSource, SpillJournal spill, LedgerConfig options, boolean postgres) {
    this.dataSource = dataSource;
    this.table = new RecordTable(Jdbi.create(dataSource), postgres);
    this.spill = spill;
    this.options = options;
    this.batchLimit = Math.max(1, Math.min(options.batchSize(), options.capacity() / 2));
    this.slots = new Semaphore(options.capacity());
    this.writer = Thread.ofPlatform().name("junction-ledger-writer").daemon().start(this::writeLoop);
    this.spiller = Thread.ofPlatform().name("junction-ledger-spiller").daemon().start(this::spillLoop);
  }

  static Ledger open(DatabaseConfig database, LedgerConfig options) {
    HikariDataSource dataSource = Database.open(database);
    try {
      SpillJournal spill = SpillJournal.open(
          options.spillDir().orElseGet(() -> SpillJournal.defaultDirectory(database.url())), options.flushIntervalMs());
      return new JdbcLedger(dataSource, spill, options, !Database.isSqlite(database.url()));
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  @Override
  public boolean admit() {
    return !closing && slots.tryAcquire();
  }

  @Override
  public void append(LedgerRecord record) {
    appended.incrementAndGet();
    queue.add(record);
    if (crowded()) {
      LockSupport.unpark(spiller);
      LockSupport.unpark(writer);
    } else if (queue.size() == batchLimit) {
      LockSupport.unpark(writer); // a full batch need not wait out the flush interval
    }
  }

  /**
   * The queue holds as many records as there is room left: the writer is not keeping up (or slots
   * are short anyway), and the next burst like it would fill memory. Cheap enough for every append.
   */
  private boolean crowded() {
    return slots.availablePermits() <= queue.size();
  }

  @Override
  public void flush() {
    long target = appended.get();
    flushWanted = true;
    LockSupport.unpark(writer);
    lock.lock();
    try {
      while (lowWater() < target && writer.isAlive()) {
        progress.await(100, TimeUnit.MILLISECONDS);
      }
      // What was spilled before this flush is replayed before it returns, unless the database refuses
      // it again meanwhile: then it stays in the spill, which is all a flush can promise.
      long newest = spill.newest();
      long refusals = failedBatches.get();
      while (newest > 0 && failedBatches.get() == refusals && !closing && writer.isAlive()
          && spill.holdsThrough(newest)) {
        progress.await(100, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** Guarded by lock. */
  private long lowWater() {
    long low = taken;
    for (long from : holdingFrom) {
      if (from >= 0) {
        low = Math.min(low, from);
      }
    }
    return low;
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
  public List<Timeline.Point> timeline(Timeline.Query query) {
    return table.timeline(query);
  }

  @Override
  public List<LedgerRecord> search(Timeline.Filter filter, int limit) {
    return table.search(filter, limit, Timeline.Filter.DEPTH);
  }

  @Override
  public UsageReport usage(UsageReport.Query query) {
    return table.usage(query);
  }

  @Override
  public long spentNanos(Payer payer, Instant since) {
    return table.spentNanos(payer, since);
  }

  @Override
  public Optional<DataSource> database() {
    return Optional.of(dataSource);
  }

  @Override
  public Stats stats() {
    lock.lock();
    try {
      return new Stats(appended.get() - settled, written, failedBatches.get(), slots.availablePermits(),
          spill.spilledRecords(), spill.backlogBytes(), commits, commitNanos);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean healthy() {
    return healthy;
  }

  @Override
  public boolean recording() {
    return healthy || spillProblem == null;
  }

  @Override
  public String refusal() {
    if (closing) {
      return "The gateway is shutting down; retry shortly.";
    }
    String spillReason = spillProblem;
    if (!healthy && spillReason != null) {
      return "The usage ledger cannot record requests: its database is unavailable and its spill directory "
          + "cannot be written (" + spillReason + "); retry shortly.";
    }
    if (!healthy) {
      return "The usage ledger cannot record requests fast enough: its database is unavailable and writing "
          + "records to its spill directory lags behind; retry shortly.";
    }
    if (spillReason != null) {
      return "The usage ledger cannot record requests fast enough: its database lags behind and its spill "
          + "directory cannot be written (" + spillReason + "); retry shortly.";
    }
    return "The gateway is saturated; retry shortly.";
  }

  /**
   * Commits what it can within {@link #CLOSE_COMMIT_MS}, spills the rest, and returns once every
   * record is in the database or forced to disk in the spill journal.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_COMMIT_MS);
    closing = true;
    flushWanted = true;
    LockSupport.unpark(writer);
    if (!healthy) {
      // The writer can only be probing the database: cut that short, everything goes to the spill.
      dataSource.close();
    }
    join(writer, CLOSE_COMMIT_MS + 500);
    if (writer.isAlive()) {
      LOG.warn("ledger: a database write outlasted the shutdown bound; aborting it, its records go to {}",
          spill.directory());
      // Aborts the connections in use, so the write fails now and the writer spills its batch.
      dataSource.close();
      join(writer, CLOSE_ABORT_MS);
    }
    spillerStop = true;
    LockSupport.unpark(spiller);
    join(spiller, CLOSE_ABORT_MS);
    List<LedgerRecord> late = new ArrayList<>();
    take(late, Integer.MAX_VALUE, SPILLER);
    if (!late.isEmpty() && !spillRecords(late, SPILLER)) {
      LOG.error("ledger: {} records appended during shutdown could not be spilled", late.size());
    }
    long lost = appended.get() - settledCount();
    if (lost > 0) {
      LOG.error("ledger: {} records could be written neither to the database nor to {} before shutdown",
          lost, spill.directory());
    }
    spill.close();
    dataSource.close();
  }

  private long settledCount() {
    lock.lock();
    try {
      return settled;
    } finally {
      lock.unlock();
    }
  }

  private static void join(Thread thread, long ms) {
    try {
      thread.join(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the writer

  private void writeLoop() {
    List<LedgerRecord> batch = new ArrayList<>(batchLimit);
    SpillJournal.Reader replay = null;
    while (!(closing && batch.isEmpty() && queue.isEmpty())) {
      try {
        if (mayCommit()) {
          boolean replaying = !closing && (replay != null || spill.hasBacklog());
          if (batch.isEmpty()) {
            // Spilled records wait to be replayed: take what is queued now rather than linger.
            fill(batch, replaying ? 0 : FIRST_RECORD_WAIT_MS, !replaying);
          }
          if (!batch.isEmpty()) {
            if (!commit(batch)) {
              replay = null;
              spillOrPause(batch);
            }
          } else if (replaying) {
            replay = replayStep(replay);
          }
        } else {
          if (batch.isEmpty()) {
            fill(batch, closing ? 0 : FIRST_RECORD_WAIT_MS, !closing);
          }
          if (!closing && System.nanoTime() - probeAtNanos >= 0) {
            replay = probe(batch);
            if (healthy) {
              continue;
            }
          }
          if (!batch.isEmpty()) {
            spillOrPause(batch);
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean mayCommit() {
    return healthy && (!closing || System.nanoTime() - closeDeadlineNanos < 0);
  }

  /**
   * Tries the database again with real work, so that a database that answers but refuses writes is
   * not taken for a working one: the batch in hand, else a batch of spilled records, else (nothing to
   * write) whether a connection can be had at all.
   */
  private SpillJournal.@Nullable Reader probe(List<LedgerRecord> batch) {
    if (!batch.isEmpty()) {
      commit(batch);
      return null;
    }
    if (spill.hasBacklog()) {
      return replayStep(null);
    }
    if (table.reachable()) {
      succeeded();
    } else {
      probeAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
    return null;
  }

  /** Commits the batch; false (the batch kept) when the database refused it. */
  private boolean commit(List<LedgerRecord> batch) {
    // A failed batch is kept whole and tried again: its commit may have happened before the failure.
    boolean first = !batchTried;
    batchTried = true;
    if (write(batch, first) < 0) {
      return false;
    }
    batchTried = false;
    settle(WRITER, batch, true);
    return true;
  }

  /**
   * How many of the records were new, or -1 when the database refused them.
   *
   * @param first no record of these was sent to the database before (see {@link RecordTable#insert})
   */
  private int write(List<LedgerRecord> records, boolean first) {
    try {
      long start = System.nanoTime();
      int inserted = table.insert(records, first);
      long took = System.nanoTime() - start;
      lock.lock();
      try {
        commits++;
        commitNanos += took;
      } finally {
        lock.unlock();
      }
      succeeded();
      return inserted;
    } catch (RuntimeException e) {
      failed(e, records.size());
      return -1;
    }
  }

  private void succeeded() {
    backoffMs = MIN_BACKOFF_MS;
    if (!healthy) {
      healthy = true;
      LOG.info("ledger: the database takes writes again after {} ms; spilled records are being replayed",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStartNanos));
    }
  }

  private void failed(RuntimeException e, int records) {
    boolean wasHealthy = healthy;
    healthy = false; // before the count: whoever sees a failed batch sees the ledger unhealthy
    failedBatches.incrementAndGet();
    probeAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    if (wasHealthy) {
      outageStartNanos = System.nanoTime();
      LOG.warn("ledger: the database refused {} records ({}); records go to {} until it takes writes again",
          records, cause(e), spill.directory());
    } else {
      LOG.debug("ledger: the database still refuses writes: {}", cause(e));
    }
  }

  /** The innermost cause, which says what happened; the outer ones quote the whole statement. */
  private static String cause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /**
   * Replays one batch of the oldest spilled segment, and deletes the segment once all of it is
   * committed. Returns the reader to go on with, or null when the segment is done or the database
   * refused the batch (the segment is then read again from its start: what was committed of it is
   * not inserted twice).
   */
  private SpillJournal.@Nullable Reader replayStep(SpillJournal.@Nullable Reader replay) {
    if (replay == null) {
      SpillJournal.Segment segment = spill.oldest();
      if (segment == null) {
        return null;
      }
      try {
        replay = SpillJournal.read(segment);
      } catch (IOException e) {
        LOG.error("ledger: cannot read the spilled segment {} ({}); it stays on disk and is not replayed",
            segment, SpillJournal.reason(e));
        spill.setAside(segment);
        return null;
      }
    }
    List<LedgerRecord> records = replay.next(batchLimit);
    if (!records.isEmpty()) {
      int inserted = write(records, false);
      if (inserted < 0) {
        return null;
      }
      lock.lock();
      try {
        written += inserted;
      } finally {
        lock.unlock();
      }
      if (inserted < records.size()) {
        LOG.info("ledger: {} of {} replayed records from {} were already in the database",
            records.size() - inserted, records.size(), replay.segment);
      }
    }
    if (!replay.done()) {
      return replay;
    }
    spill.replayed(replay.segment);
    LOG.info("ledger: replayed {}", replay.segment);
    lock.lock();
    try {
      progress.signalAll();
    } finally {
      lock.unlock();
    }
    return null;
  }

  /**
   * Takes a batch from the queue: waits up to {@code waitMs} for a first record, then, when told to
   * linger, up to the flush interval for more, unless the batch is full or someone is waiting on a
   * flush.
   *
   * <p>While lingering the writer sleeps until the interval ends, rather than waiting on the queue: a
   * waiting consumer is woken by every append, which under load cost the event loops a futex wake-up
   * per request and the writer a context switch per record. It is woken early only by what ends the
   * lingering: a full batch's worth queued, a crowded queue, a flush or the close. (It used to nap
   * 2 ms at a time and look: 500 wake-ups a second, each dear on a virtual machine.)
   */
  private void fill(List<LedgerRecord> batch, long waitMs, boolean linger) throws InterruptedException {
    holdFrom(WRITER);
    LedgerRecord first = waitMs > 0 ? queue.poll(waitMs, TimeUnit.MILLISECONDS) : queue.poll();
    lock.lock();
    try {
      if (first == null) {
        holdingFrom[WRITER] = -1;
        return;
      }
      batch.add(first);
      taken++;
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.flushIntervalMs());
    while (true) {
      take(batch, batchLimit - batch.size(), WRITER);
      long left = deadline - System.nanoTime();
      if (!linger || batch.size() >= batchLimit || flushWanted || closing || left <= 0 || crowded()) {
        break;
      }
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    flushWanted = false;
  }

  /**
   * Notes, before a blocking poll, where the record it may return stands: taken by then, it is not
   * yet counted, and a flush must not count the records the spiller takes after it as settling it.
   */
  private void holdFrom(int who) {
    lock.lock();
    try {
      if (holdingFrom[who] < 0) {
        holdingFrom[who] = taken;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves up to {@code max} queued records into {@code into}, counting their positions. */
  private void take(List<LedgerRecord> into, int max, int who) {
    lock.lock();
    try {
      if (holdingFrom[who] < 0) {
        holdingFrom[who] = taken;
      }
      taken += queue.drainTo(into, max);
      if (into.isEmpty()) {
        holdingFrom[who] = -1;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The records are committed or spilled: their slots are free, and a flush may see them settled. */
  private void settle(int who, List<LedgerRecord> records, boolean committed) {
    int count = records.size();
    // Frees the slots before waking flushers, so a flush sees the room it made.
    slots.release(count);
    lock.lock();
    try {
      settled += count;
      if (committed) {
        written += count;
      }
      holdingFrom[who] = -1;
      progress.signalAll();
    } finally {
      lock.unlock();
    }
    records.clear();
  }

  private void spillOrPause(List<LedgerRecord> batch) {
    if (spillRecords(batch, WRITER)) {
      batchTried = false;
    } else {
      LockSupport.parkNanos(SPILL_RETRY_NANOS);
    }
  }

  /** Forces the records into the spill journal and settles them; false (the records kept) when it fails. */
  private boolean spillRecords(List<LedgerRecord> records, int who) {
    try {
      spill.append(records);
    } catch (IOException e) {
      String reason = SpillJournal.reason(e);
      if (spillProblem == null) {
        LOG.error("ledger: cannot write to the spill directory {} ({}); records wait in memory, and requests "
            + "are refused once it is full", spill.directory(), reason, e);
      }
      spillProblem = reason;
      return false;
    }
    if (spillProblem != null) {
      spillProblem = null;
      LOG.info("ledger: the spill directory {} takes records again", spill.directory());
    }
    settle(who, records, false);
    return true;
  }

  // ---- the spiller

  /** When the spill fails but the database works, what the spiller holds goes there rather than wait for the disk. */
  private boolean commitHeld(List<LedgerRecord> held) {
    try {
      // Never sent before, but a failed try keeps them for the next: each is looked for first.
      table.insert(held, false);
    } catch (RuntimeException e) {
      return false;
    }
    settle(SPILLER, held, true);
    return true;
  }

  private void spillLoop() {
    List<LedgerRecord> held = new ArrayList<>();
    long retryAt = System.nanoTime();
    while (true) {
      boolean stop = spillerStop;
      if (held.isEmpty() && !queue.isEmpty() && (stop || crowded())) {
        take(held, Integer.MAX_VALUE, SPILLER);
      }
      if (!held.isEmpty() && System.nanoTime() - retryAt >= 0 && !spillRecords(held, SPILLER)
          && !(healthy && commitHeld(held))) {
        retryAt = System.nanoTime() + SPILL_RETRY_NANOS;
        if (stop) {
          // close() counts them as lost; holding on would only delay shutdown.
          return;
        }
      }
      if (stop && held.isEmpty() && queue.isEmpty()) {
        return;
      }
      LockSupport.parkNanos(this, held.isEmpty() ? SPILLER_IDLE_NANOS : SPILLER_NAP_NANOS);
    }
  }
}
