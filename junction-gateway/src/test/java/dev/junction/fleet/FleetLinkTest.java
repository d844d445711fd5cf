package dev.junction.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.testing.Services;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The one link to the other replicas, against a real Redis. */
class FleetLinkTest {

  /** Writes its own key and reads the other's: two members, one tick. */
  static final class Member implements Shared {
    final String mine;
    final String theirs;
    final AtomicReference<String> read = new AtomicReference<>();
    final AtomicInteger unreachable = new AtomicInteger();
    volatile boolean broken;

    Member(String mine, String theirs) {
      this.mine = mine;
      this.theirs = theirs;
    }

    @Override
    public CompletionStage<?> exchange(RedisAsyncCommands<String, String> redis) {
      if (broken) {
        throw new IllegalStateException("this member is broken");
      }
      redis.psetex(mine, 60_000, "from " + mine);
      return redis.get(theirs).thenAccept(read::set);
    }

    @Override
    public void unreachable() {
      unreachable.incrementAndGet();
    }
  }

  @Test
  void everyMemberSendsAndTakesInItsAnswersOnTheSameTick() {
    String run = FleetLink.STATS + "test:" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";
    Member a = new Member(run + "a", run + "b");
    Member b = new Member(run + "b", run + "a");
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      link.share(a);
      link.share(b);
      link.tick();
      link.tick();
      assertThat(a.read.get()).isEqualTo("from " + run + "b");
      assertThat(b.read.get()).isEqualTo("from " + run + "a");
      assertThat(a.unreachable.get() + b.unreachable.get()).isZero();
    }
  }

  @Test
  void aMemberThatFailsFallsBackAloneWhileTheOthersCarryOn() {
    String run = FleetLink.STATS + "test:" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";
    Member sound = new Member(run + "a", run + "a");
    Member broken = new Member(run + "b", run + "b");
    broken.broken = true;
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      link.share(broken);
      link.share(sound);
      link.tick();
      link.tick();
      assertThat(broken.unreachable.get()).isEqualTo(2);
      assertThat(sound.unreachable.get()).isZero();
      assertThat(sound.read.get()).isEqualTo("from " + run + "a");
    }
  }
}
