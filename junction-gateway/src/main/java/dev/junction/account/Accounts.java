package dev.junction.account;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The virtual keys a gateway knows, as the request path sees them: the {@link KeyStore} behind a
 * cache, so that a request presenting a key it saw recently costs a hash and a map lookup, not a
 * database round trip.
 *
 * <p>A cached answer never outlives a change made through the admin API: the replica that makes it
 * drops the key from its own cache and, through {@link #broadcastWith the fleet}, from every other's
 * before it answers. Entries also expire after a few seconds whatever happens, the backstop for a
 * message lost while Redis was away; and an entry carries the instant its key expires (or its
 * previous secret's grace ends), checked on every hit.
 *
 * <p>A lookup that fails because the database is down falls back on the last answer known for that
 * secret, so that keys in use keep working through a database outage.
 */
public final class Accounts implements AutoCloseable {

  /** What {@link #changed} and {@link #forget} take to mean every key (a team's limits changed). */
  public static final String ALL = "*";
  /** How long a cached answer may be used without asking the database again. */
  public static final Duration CACHE_LIFE = Duration.ofSeconds(5);
  private static final int MAX_ENTRIES = 100_000;
  /** Database lookups waiting at once, at most; more are refused with a 503 until some finish. */
  static final int MAX_LOOKUPS = 256;

  /**
   * One secret's answer: the key's principal, or {@code principal == null} for no such working key,
   * and the answer the authenticator gives while {@code notAfterMillis} has not passed, made once.
   */
  record Entry(@Nullable Principal principal, long notAfterMillis, @Nullable CompletableFuture<Principal> answer) {
    static final Entry UNKNOWN = new Entry(null, Long.MAX_VALUE, null);

    Entry(Principal principal, Instant notAfter) {
      this(principal, notAfter.equals(Instant.MAX) ? Long.MAX_VALUE : notAfter.toEpochMilli(),
          CompletableFuture.completedFuture(principal));
    }
  }

  private final @Nullable KeyStore store;
  private final AsyncCache<String, Entry> cache;
  private final Cache<String, Entry> lastKnown;
  /** Bumped by every change, so that a lookup begun before it does not cache what it read. */
  private final AtomicLong generation = new AtomicLong();
  private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore lookupsInFlight = new Semaphore(MAX_LOOKUPS);
  private volatile Function<String, CompletionStage<?>> broadcast = id -> CompletableFuture.completedFuture(null);

  private Accounts(@Nullable KeyStore store, Duration life) {
    this.store = store;
    this.cache = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(life).executor(Runnable::run)
        .buildAsync();
    this.lastKnown = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).executor(Runnable::run).build();
  }

  /** Keys kept in the store, cached for {@link #CACHE_LIFE}. */
  public static Accounts on(KeyStore store) {
    return on(store, CACHE_LIFE);
  }

  public static Accounts on(KeyStore store, Duration cacheLife) {
    return new Accounts(store, cacheLife);
  }

  /** No virtual keys at all: a gateway without a database of its own (benchmarks). */
  public static Accounts none() {
    return new Accounts(null, CACHE_LIFE);
  }

  /** The store, when there is one. */
  public Optional<KeyStore> store() {
    return Optional.ofNullable(store);
  }

  /**
   * Tells every replica that a key changed (or {@link #ALL}); call once the change is committed.
   * Completes once every replica that could be reached dropped it from its cache.
   */
  public CompletionStage<?> changed(String keyId) {
    forget(keyId);
    return broadcast.apply(keyId);
  }

  /** Drops a key's cached answers (or every answer, for {@link #ALL}) on this replica only. */
  public void forget(String keyId) {
    generation.incrementAndGet();
    if (ALL.equals(keyId)) {
      cache.synchronous().invalidateAll();
      lastKnown.invalidateAll();
      return;
    }
    cache.synchronous().asMap().values().removeIf(e -> e.principal() != null && keyId.equals(e.principal().keyId()));
    lastKnown.asMap().values().removeIf(e -> e.principal() != null && keyId.equals(e.principal().keyId()));
  }

  /** How changes reach the other replicas (through Redis); without it, only this one forgets. */
  public void broadcastWith(Function<String, CompletionStage<?>> broadcaster) {
    this.broadcast = broadcaster;
  }

  /**
   * Who a well-formed secret belongs to: a principal, or null when it is no working key.
   *
   * @return completed at once when cached; else once the database answered, off the caller's thread
   */
  CompletableFuture<Entry> lookup(String secret) {
    if (store == null) {
      return CompletableFuture.completedFuture(Entry.UNKNOWN);
    }
    String hash = KeySecret.hash(secret);
    return cache.get(hash, (h, executor) -> load(h));
  }

  private CompletableFuture<Entry> load(String hash) {
    // A flood of well-formed guesses is a lookup each: past this many at once, refused rather than queued.
    if (!lookupsInFlight.tryAcquire()) {
      return CompletableFuture.failedFuture(new IllegalStateException("too many key lookups at once"));
    }
    long seen = generation.get();
    KeyStore store = Objects.requireNonNull(this.store, "lookup answers at once without a store");
    CompletableFuture<Entry> loaded = CompletableFuture.supplyAsync(() -> {
      try {
        Entry entry = store.grant(hash, Instant.now()).map(g -> new Entry(g.principal(), g.notAfter()))
            .orElse(Entry.UNKNOWN);
        if (entry.principal() != null) {
          lastKnown.put(hash, entry);
        }
        return entry;
      } catch (RuntimeException e) {
        Entry known = lastKnown.getIfPresent(hash);
        if (known != null) {
          return known;
        }
        throw e;
      } finally {
        lookupsInFlight.release();
      }
    }, lookups);
    // A change committed while the database was being read: what was read may predate it.
    loaded.whenComplete((entry, failure) -> {
      if (failure != null || generation.get() != seen) {
        cache.asMap().remove(hash, loaded);
      }
    });
    return loaded;
  }

  @Override
  public void close() {
    lookups.shutdownNow();
  }
}
