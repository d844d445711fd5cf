package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.testing.CuttableProxy;
import dev.junction.testing.StoppableRedis;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Services;
import io.lettuce.core.RedisURI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway counting limits in Redis, with Redis cut and restored under it: what
 * {@code redis.on_failure: closed} does meanwhile, and that counting resumes.
 */
class LimitsRedisOutageTest {

  static final RedisURI REDIS = RedisURI.create(Services.redisUrl());
  static final CuttableProxy PROXY = CuttableProxy.to(REDIS.getHost(), REDIS.getPort());
  static final String CHAT = "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
      + "\"max_tokens\":4}";

  static HttpResponse<String> chat(GatewayExtension junction, String secret) {
    return junction.post("/chat/completions", CHAT, Map.of("Authorization", "Bearer " + secret));
  }

  @AfterAll
  static void closeProxy() {
    PROXY.close();
  }

  @Test
  void whileRedisIsAwayLimitedKeysAreRefusedOthersServedAndReadyzSaysSoUntilItIsBack() {
    try (GatewayExtension junction = GatewayExtension.builder()
        .redis("redis://127.0.0.1:" + PROXY.port(), "closed")
        .build().start()) {
      String secret = junction.key("limited", null, new Limits(1_000, 0, 0, 0, BudgetPeriod.TOTAL), Limits.NONE);
      HttpResponse<String> counted = chat(junction, secret);
      assertThat(counted.statusCode()).as(counted.body()).isEqualTo(200);
      assertThat(counted.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1000");

      PROXY.cut();
      await().atMost(Duration.ofSeconds(30)).until(() -> chat(junction, secret).statusCode() == 503);
      HttpResponse<String> refused = chat(junction, secret);
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      assertThat(refused.body()).contains("cannot be checked");
      assertThat(junction.post("/chat/completions", CHAT).statusCode()).as("the master key").isEqualTo(200);
      assertThat(readyz(junction)).contains("\"status\":\"ready\"", "redis.on_failure: closed");
      assertThat(junction.scrape()).contains("junction_limits_store_up 0.0");

      PROXY.restore();
      await().atMost(Duration.ofSeconds(60)).until(() -> chat(junction, secret).statusCode() == 200);
      assertThat(readyz(junction)).doesNotContain("limits");
      assertThat(junction.scrape()).contains("junction_limits_store_up 1.0");
    }
  }

  /**
   * Redis itself stopped and started again (its counters are gone with it): with {@code open}, limited
   * keys are admitted uncounted meanwhile; once it is back, counting starts afresh and the limit holds.
   */
  @Test
  void redisReallyStoppedAdmitsUncountedWhenOpenAndTheLimitHoldsAgainOnceItIsBack() throws Exception {
    try (StoppableRedis redis = StoppableRedis.start();
        GatewayExtension junction = GatewayExtension.builder().redis(redis.url(), "open").build().start()) {
      String secret = junction.key("three-a-minute", null, new Limits(3, 0, 0, 0, BudgetPeriod.TOTAL), Limits.NONE);
      assertThat(chat(junction, secret).statusCode()).isEqualTo(200);

      redis.stop();
      await().atMost(Duration.ofSeconds(30)).until(() -> junction.scrape().contains("junction_limits_store_up 0.0"));
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> uncounted = chat(junction, secret);
        assertThat(uncounted.statusCode()).as("admitted while the counters cannot be read").isEqualTo(200);
      }
      assertThat(readyz(junction)).contains("redis.on_failure: open");

      redis.startAgain();
      await().atMost(Duration.ofSeconds(60)).until(() -> junction.scrape().contains("junction_limits_store_up 1.0"));
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        statuses.add(chat(junction, secret).statusCode());
      }
      // A fresh Redis has no count of the minute: three more fit, then the limit refuses.
      assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    }
  }

  private static String readyz(GatewayExtension junction) {
    HttpResponse<String> readyz = junction.get("/../readyz");
    assertThat(readyz.statusCode()).isEqualTo(200);
    return readyz.body();
  }
}
