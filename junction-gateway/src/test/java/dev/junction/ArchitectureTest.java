package dev.junction;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaPackage;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.junction.api.ClientFormat;
import dev.junction.server.Gateway;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * The package map in the README holds: each package has one job and the arrows point one way.
 * Checks the gateway module's own classes. That they cannot reach the simulator, the benchmarks or
 * the command line is the build's doing: its main code has none of them on its class path.
 */
class ArchitectureTest {

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() throws URISyntaxException {
    // Only this module's main classes: the simulator, on the test class path, is not the gateway's.
    Path gatewayClasses = Path.of(Gateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    classes = new ClassFileImporter().importPath(gatewayClasses);
  }

  @Test
  void theClassesCheckedAreTheGatewaysAndNoOtherModules() {
    // A new gateway package needs no change here; a simulator, benchmark or CLI class must fail it.
    assertThat(classes.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
        .contains("api", "server", "ledger")
        .doesNotContain("simulator", "bench", "cli", "testing");
  }

  @Test
  void packagesDependOnEachOtherWithoutCycles() {
    slices().matching("dev.junction.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theWireFormatDependsOnNoOtherPackage() {
    noClasses().that().resideInAPackage("dev.junction.api..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.junction.server..", "dev.junction.routing..", "dev.junction.catalog..", "dev.junction.provider..",
            "dev.junction.ledger..", "dev.junction.account..", "dev.junction.config..", "dev.junction.cli..",
            "dev.junction.simulator..", "dev.junction.translate..", "dev.junction.limits..")
        .check(classes);
  }

  @Test
  void translationKnowsOnlyTheWireFormats() {
    // Codecs and the neutral model: a new family is a codec here, whatever serves or routes it.
    noClasses().that().resideInAPackage("dev.junction.translate..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.junction.server..", "dev.junction.routing..", "dev.junction.catalog..", "dev.junction.provider..",
            "dev.junction.ledger..", "dev.junction.account..", "dev.junction.config..", "dev.junction.fleet..",
            "dev.junction.observe..")
        .check(classes);
  }

  @Test
  void onlyTheProviderAdapterChoosesHowAnAnswerIsTranslated() {
    // The relay reads and writes answers through the provider's hook, never through a codec itself.
    noClasses().that().resideInAPackage("dev.junction.server..")
        .should().dependOnClassesThat().haveNameMatching("dev\\.junction\\.translate\\.(Codec|Codecs|Chat)(\\$.*)?")
        .check(classes);
  }

  @Test
  void limitsKnowNothingOfTheRequestPathNorOfVertx() {
    // The limiter is given a caller and a demand, and answers with a plain CompletionStage: the
    // request path adapts it to its event loop, and the limiter stays testable on its own.
    noClasses().that().resideInAPackage("dev.junction.limits..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.junction.server..", "dev.junction.routing..", "dev.junction.provider..", "dev.junction.ledger..",
            "dev.junction.config..", "dev.junction.observe..", "io.vertx..")
        .check(classes);
  }

  @Test
  void theLedgerKnowsNothingOfTheRequestPath() {
    noClasses().that().resideInAPackage("dev.junction.ledger..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.junction.server..", "dev.junction.routing..", "dev.junction.provider..", "dev.junction.cli..")
        .check(classes);
  }

  @Test
  void accountsKnowNeitherHttpNorTheRequestPath() {
    // Who a caller is and what a key may do are decided the same whichever edge asks.
    noClasses().that().resideInAPackage("dev.junction.account..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "dev.junction.server..", "dev.junction.admin..",
            "dev.junction.routing..", "dev.junction.provider..", "dev.junction.fleet..")
        .check(classes);
  }

  @Test
  void onlyTheServerMountsTheAdminApi() {
    noClasses().that().resideOutsideOfPackages("dev.junction.server..", "dev.junction.admin..")
        .should().dependOnClassesThat().resideInAPackage("dev.junction.admin..")
        .check(classes);
  }

  @Test
  void answersAreWrittenOnTheirConnectionsOwnEventLoop() {
    // The servers run in Vert.x's strict thread mode, where what a connection writes goes to its
    // channel directly: from another thread it races the loop. Vertx.runOnContext, called from a
    // thread of the database's or the key store's, runs on whichever loop that thread is tied to; the
    // request's own Context, taken while on its loop, is the way back.
    noClasses().should().callMethod(Vertx.class, "runOnContext", Handler.class).check(classes);
  }

  @Test
  void theDashboardStaysOffTheRequestPath() {
    // It reads the ledger and the statistics routing keeps, and reaches the rest through HTTP only.
    noClasses().that().resideInAPackage("dev.junction.dashboard..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.junction.server..", "dev.junction.admin..",
            "dev.junction.provider..", "dev.junction.translate..", "dev.junction.limits..", "dev.junction.fleet..",
            "dev.junction.cli..")
        .check(classes);
    noClasses().that().resideOutsideOfPackages("dev.junction.server..", "dev.junction.dashboard..")
        .should().dependOnClassesThat().resideInAPackage("dev.junction.dashboard..")
        .check(classes);
  }

  @Test
  void onlyObserveKnowsOpenTelemetry() {
    // The request path sees the small Tracing interface: with tracing off, no SDK class is loaded for it.
    noClasses().that().resideOutsideOfPackage("dev.junction.observe..")
        .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..")
        .check(classes);
  }

  @Test
  void onlyTheCommandLineStartsThings() {
    noClasses().that().resideOutsideOfPackage("dev.junction.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.junction.cli..")
        .check(classes);
  }

  @Test
  void noClientFormatIsKnownBelowTheEdge() {
    noClasses().that().resideInAnyPackage("dev.junction.routing..", "dev.junction.catalog..",
            "dev.junction.provider..", "dev.junction.ledger..", "dev.junction.account..", "dev.junction.fleet..",
            "dev.junction.limits..")
        .should().dependOnClassesThat().areAssignableTo(ClientFormat.class)
        .check(classes);
  }

  @Test
  void onlyTheClientSinkWritesAProxiedRequestsResponse() {
    noClasses().that().haveNameMatching("dev\\.junction\\.server\\.(ProxyPipeline|Exchange|Relay|Attempt)(\\$.*)?")
        .should().accessClassesThat().areAssignableTo(HttpServerResponse.class)
        .check(classes);
  }

  @Test
  void theGatewayReachesNeitherTheSimulatorNorTheBenchmarks() {
    // Its compile class path holds neither, so this guards against a dependency's scope being widened.
    noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.junction.simulator..", "dev.junction.bench..")
        .check(classes);
  }

  @Test
  void everyPackageSaysNullIsExplicit() {
    // NullAway checks all of dev.junction; @NullMarked tells readers and other tools the same (docs/architecture.md).
    assertThat(classes.stream().map(JavaClass::getPackage).distinct()
        .filter(p -> !p.isAnnotatedWith(NullMarked.class)).map(JavaPackage::getName))
        .as("packages without @NullMarked in a package-info.java").isEmpty();
  }
}
