package dev.junction.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the database could not take, kept on local disk until it can: numbered append-only
 * segments of one JSON line per record ({@link SpillFormat}).
 *
 * <p>A record counts as kept once written to the file: from then on a crash of the process cannot
 * lose it, only one of the machine. Writes are forced to the device by a thread of their own, at
 * most one force interval (the ledger's flush interval) after they were made, and when a segment is
 * sealed (on {@link #close()} too): a force costs milliseconds, tens of them on a busy disk, and one
 * per write made spilling slower than the traffic it had to absorb.
 *
 * <p>A process appends only to segments it created, so a crash can tear no more than the last line of
 * one. A segment is sealed once it reaches {@link #SEGMENT_BYTES} (or when the writer wants to replay
 * it) and deleted only after every record in it is committed; replaying one again after a crash is
 * harmless because the ledger inserts with {@code ON CONFLICT DO NOTHING}. A lock file keeps a second
 * process (or a second ledger in this one) out of the directory: two of them would replay and delete
 * each other's segments.
 */
final class SpillJournal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SpillJournal.class);
  /** Small enough that a replayed segment is read into memory whole, large enough that few files pile up. */
  static final long SEGMENT_BYTES = 4L << 20;
  private static final Pattern SEGMENT_NAME = Pattern.compile("spill-(\\d{20})\\.jsonl");
  private static final String LOCK_FILE = "spill.lock";
  /** About 300 KiB of lines: a segment overshoots its size by at most this much. */
  private static final int CHUNK_RECORDS = 500;

  /** One file of the spill. */
  static final class Segment {
    final long number;
    final Path path;
    private long bytes;
    private @Nullable FileChannel channel; // open while it is the segment being appended to

    private Segment(long number, Path path, long bytes) {
      this.number = number;
      this.path = path;
      this.bytes = bytes;
    }

    /** The channel of the segment being appended to; a sealed one has none. */
    private FileChannel channel() {
      return Objects.requireNonNull(channel, "only the segment being written is open");
    }

    @Override
    public String toString() {
      return path.toString();
    }
  }

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ArrayDeque<Segment> sealed = new ArrayDeque<>(); // oldest first
  private final long forceIntervalNanos;
  private @Nullable Segment active;
  private long nextNumber;
  private boolean closed;
  private boolean unforced;
  private final Thread syncer;
  // Read without the lock by metrics and stats.
  private volatile long backlogBytes;
  private volatile long spilledRecords;

  private SpillJournal(Path dir, FileChannel lockChannel, FileLock lock, List<Segment> existing, long forceIntervalMs) {
    this.dir = dir;
    this.forceIntervalNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(1, forceIntervalMs));
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.sealed.addAll(existing);
    this.nextNumber = existing.isEmpty() ? 1 : existing.getLast().number + 1;
    this.backlogBytes = existing.stream().mapToLong(s -> s.bytes).sum();
    this.syncer = Thread.ofPlatform().name("junction-ledger-spill-sync").daemon().unstarted(this::syncLoop);
  }

  /** Where records spill when {@code ledger.spill_dir} is not set: beside a SQLite file, else in the working directory. */
  static Path defaultDirectory(String databaseUrl) {
    return Database.sqliteFile(databaseUrl)
        .map(file -> file.resolveSibling(file.getFileName() + "-spill"))
        .orElse(Path.of("junction-spill"));
  }

  /**
   * Takes the directory (creating it) and finds the segments an earlier process left.
   *
   * @param forceIntervalMs the longest a write waits to be forced to the device
   */
  static SpillJournal open(Path dir, long forceIntervalMs) {
    Path absolute = dir.toAbsolutePath();
    FileChannel lockChannel = null;
    try {
      Files.createDirectories(absolute);
      lockChannel = FileChannel.open(absolute.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException("the ledger's spill directory " + absolute
            + " is in use by another ledger; give each gateway its own ledger.spill_dir");
      }
      List<Segment> existing = existing(absolute);
      if (!existing.isEmpty()) {
        LOG.info("ledger: {} spilled segment(s) in {} to replay", existing.size(), absolute);
      }
      SpillJournal journal = new SpillJournal(absolute, lockChannel, lock, existing, forceIntervalMs);
      journal.syncer.start();
      return journal;
    } catch (IOException | RuntimeException e) {
      closeQuietly(lockChannel);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot open the ledger's spill directory " + absolute + ": " + reason(io), io);
      }
      throw (RuntimeException) e;
    }
  }

  private static List<Segment> existing(Path dir) throws IOException {
    List<Segment> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Matcher name = SEGMENT_NAME.matcher(file.getFileName().toString());
        if (!name.matches()) {
          continue;
        }
        long size = Files.size(file);
        if (size == 0) {
          Files.delete(file); // created by a process that died before its first write
          continue;
        }
        segments.add(new Segment(Long.parseLong(name.group(1)), file, size));
      }
    }
    segments.sort((a, b) -> Long.compare(a.number, b.number));
    return segments;
  }

  Path directory() {
    return dir;
  }

  /**
   * Appends the records, to be forced to the device within one interval. They are written in chunks,
   * sealing a segment as it reaches {@link #SEGMENT_BYTES}, so that a large spill (a whole queue)
   * still makes segments small enough to replay from memory. On failure
   * the chunk being written is cut off again (or, if that fails too, left as the torn end of a sealed
   * segment); chunks written before it stay, and are harmlessly written again by the retry.
   */
  synchronized void append(List<LedgerRecord> records) throws IOException {
    if (closed) {
      throw new IOException("the spill journal is closed");
    }
    for (int from = 0; from < records.size(); from += CHUNK_RECORDS) {
      List<LedgerRecord> chunk = records.subList(from, Math.min(records.size(), from + CHUNK_RECORDS));
      write(SpillFormat.encode(chunk), chunk.size());
    }
  }

  private void write(byte[] lines, int count) throws IOException {
    if (active == null) {
      active = create();
    }
    Segment segment = active;
    try {
      ByteBuffer buffer = ByteBuffer.wrap(lines);
      while (buffer.hasRemaining()) {
        segment.channel().write(buffer);
      }
      unforced = true;
    } catch (IOException e) {
      abandon(segment);
      throw e;
    }
    segment.bytes += lines.length;
    backlogBytes += lines.length;
    spilledRecords += count;
    if (segment.bytes >= SEGMENT_BYTES) {
      seal(segment);
    }
  }

  /**
   * Forces the segment being written once an interval, outside the lock: appends go on meanwhile.
   * A failure is reported once and not retried: after a failed force the kernel may have dropped the
   * pages, and a second force would succeed without them.
   */
  private void syncLoop() {
    while (true) {
      LockSupport.parkNanos(forceIntervalNanos);
      FileChannel channel;
      synchronized (this) {
        if (closed) {
          return;
        }
        if (!unforced || active == null) {
          continue;
        }
        unforced = false;
        channel = active.channel();
      }
      try {
        channel.force(false);
      } catch (ClosedChannelException e) {
        // Sealed meanwhile; sealing forces.
      } catch (IOException e) {
        LOG.error("ledger: forcing the spill to the device failed ({}); a crash of the machine may lose the "
            + "records spilled just before", reason(e));
      }
    }
  }

  private Segment create() throws IOException {
    long number = nextNumber++;
    Path path = dir.resolve("spill-%020d.jsonl".formatted(number));
    Segment segment = new Segment(number, path, 0);
    segment.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    // The new name must survive a crash too, or the records forced into the file would be unreachable.
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      closeQuietly(segment.channel);
      Files.deleteIfExists(path);
      throw e;
    }
    return segment;
  }

  /** After a failed write: later appends go to a new segment, so a torn line can only be a segment's last. */
  private void abandon(Segment segment) {
    active = null;
    try {
      segment.channel().truncate(segment.bytes);
      segment.channel().force(false);
    } catch (IOException e) {
      LOG.warn("ledger: cannot cut a failed write off {}: its last line will be skipped when replayed", segment.path);
    }
    closeQuietly(segment.channel);
    segment.channel = null;
    if (segment.bytes == 0) {
      try {
        Files.deleteIfExists(segment.path);
      } catch (IOException e) {
        LOG.debug("ledger: cannot delete the empty segment {}", segment.path, e);
      }
    } else {
      sealed.addLast(segment);
    }
  }

  private void seal(Segment segment) {
    active = null;
    unforced = false;
    try {
      segment.channel().force(false);
    } catch (IOException e) {
      LOG.error("ledger: forcing {} to the device failed ({}); a crash of the machine may lose its last records",
          segment.path, reason(e));
    }
    closeQuietly(segment.channel);
    segment.channel = null;
    sealed.addLast(segment);
  }

  /** The oldest segment waiting to be replayed, sealing the one being written when nothing older waits; null when none. */
  synchronized @Nullable Segment oldest() {
    if (sealed.isEmpty() && active != null) {
      seal(active);
    }
    return sealed.peekFirst();
  }

  /** Whether any record is waiting to be replayed. */
  synchronized boolean hasBacklog() {
    return active != null || !sealed.isEmpty();
  }

  /** The number of the newest segment holding records, or 0 when none does. */
  synchronized long newest() {
    if (active != null) {
      return active.number;
    }
    return sealed.isEmpty() ? 0 : sealed.getLast().number;
  }

  /** Whether a segment numbered {@code number} or lower still waits to be replayed. */
  synchronized boolean holdsThrough(long number) {
    Segment first = sealed.isEmpty() ? active : sealed.peekFirst();
    return first != null && first.number <= number;
  }

  /** Every record of the segment is committed: it goes. */
  synchronized void replayed(Segment segment) {
    forget(segment);
    try {
      Files.deleteIfExists(segment.path);
    } catch (IOException e) {
      // Replaying it again at the next start inserts nothing twice.
      LOG.error("ledger: cannot delete the replayed segment {} ({}); it will be replayed again, harmlessly",
          segment.path, reason(e));
    }
  }

  /** A segment that cannot be read is kept on disk for a person to look at, and no longer replayed. */
  synchronized void setAside(Segment segment) {
    forget(segment);
  }

  private void forget(Segment segment) {
    if (sealed.remove(segment)) {
      backlogBytes -= segment.bytes;
    }
  }

  long backlogBytes() {
    return backlogBytes;
  }

  /** Records written to the spill by this process. */
  long spilledRecords() {
    return spilledRecords;
  }

  /** Reads a sealed segment for replay. */
  static Reader read(Segment segment) throws IOException {
    return new Reader(segment, Files.readAllBytes(segment.path));
  }

  /** Releases the directory; segments stay for the next start to replay. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (active != null) {
      seal(active);
    }
    LockSupport.unpark(syncer);
    try {
      lock.release();
    } catch (IOException e) {
      LOG.debug("ledger: releasing the spill lock failed", e);
    }
    closeQuietly(lockChannel);
  }

  /** What went wrong with the disk, in words fit for a client's error message: no path, no stack. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() != null && !(e instanceof FileSystemException) ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("ledger: closing a spill file failed", e);
    }
  }

  /**
   * The records of one segment, a batch at a time. An undecodable last line without its newline is
   * the trace of a crash mid-write and is skipped with a warning; an undecodable line elsewhere means
   * the file was damaged, and is skipped with an error naming it.
   */
  static final class Reader {
    final Segment segment;
    private final byte[] bytes;
    private int position;
    private int line;

    private Reader(Segment segment, byte[] bytes) {
      this.segment = segment;
      this.bytes = bytes;
    }

    boolean done() {
      return position >= bytes.length;
    }

    List<LedgerRecord> next(int max) {
      List<LedgerRecord> records = new ArrayList<>(Math.min(max, 1024));
      while (records.size() < max && position < bytes.length) {
        int end = position;
        while (end < bytes.length && bytes[end] != '\n') {
          end++;
        }
        boolean torn = end == bytes.length;
        int start = position;
        position = torn ? end : end + 1;
        line++;
        if (end == start) {
          continue;
        }
        try {
          records.add(SpillFormat.decode(bytes, start, end - start));
        } catch (IllegalArgumentException e) {
          String shown = new String(bytes, start, Math.min(end - start, 120), StandardCharsets.UTF_8);
          if (torn) {
            LOG.warn("ledger: {} ends with a torn line {} (a crash mid-write); skipped: {}", segment.path, line, shown);
          } else {
            LOG.error("ledger: {} line {} is damaged ({}); skipped: {}", segment.path, line, e.getMessage(), shown);
          }
        }
      }
      return records;
    }
  }
}
