package dev.junction.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Usage;
import java.math.BigDecimal;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PricingTest {

  @Test
  void pricesWrittenAsDecimalsAreHeldExactly() {
    Pricing p = Pricing.usdPerMillion(0.15, 0.6, 0.075);
    assertThat(p.inputMicros()).isEqualTo(150_000);
    assertThat(p.outputMicros()).isEqualTo(600_000);
    assertThat(p.cachedInputMicros()).isEqualTo(75_000);
    assertThat(p.input()).isEqualTo(0.15);
  }

  @Test
  void aResponseCostsItsUncachedCachedAndOutputTokensEachAtTheirOwnPrice() {
    Pricing p = Pricing.usdPerMillion(3, 15, 0.3);
    // 800 uncached at 3, 200 cached at 0.3, 100 out at 15 USD per million.
    assertThat(p.costNanos(new Usage(1_000, 100, 200))).isEqualTo(800 * 3_000 + 200 * 300 + 100 * 15_000);
  }

  @Test
  void aSingleEmbeddingTokenAtCentsPerMillionStillCostsSomething() {
    // 0.02 USD per million tokens is 20 nano-USD a token: in micro-USD it would round to nothing.
    assertThat(Pricing.usdPerMillion(0.02, 0, 0.02).costNanos(new Usage(1, 0, 0))).isEqualTo(20);
    // 0.0001 USD per million: a tenth of a nano-USD a token, rounded half up per response.
    assertThat(Pricing.usdPerMillion(0.0001, 0, 0).costNanos(new Usage(4, 0, 0))).isEqualTo(0);
    assertThat(Pricing.usdPerMillion(0.0001, 0, 0).costNanos(new Usage(5, 0, 0))).isEqualTo(1);
  }

  @Test
  void aMillionCostsSummedAreExactWhereDoublesDrift() {
    Pricing p = Pricing.usdPerMillion(0.1, 0.3, 0.1);
    long nanos = LongStream.range(0, 1_000_000).map(i -> p.costNanos(new Usage(7, 3, 0))).sum();
    double usd = 0;
    for (int i = 0; i < 1_000_000; i++) usd += (7 * 0.1 + 3 * 0.3) / 1e6;
    assertThat(Pricing.usd(nanos)).isEqualByComparingTo(new BigDecimal("1.6"));
    assertThat(usd).as("the same sum in doubles").isNotEqualTo(1.6);
  }
}
