package dev.junction;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.junction.api.ClientFormat;
import dev.junction.server.Gateway;
import io.vertx.core.http.HttpServerResponse;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map in the README holds: each package has one job and the arrows point one way.
 * Checks the gateway module's own classes; that the simulator, the benchmarks and the command line
 * stay out of reach of them is the build's job: this module depends on none of them.
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
  void theClassesCheckedAreTheWholeGatewayAndNothingElse() {
    assertThat(classes.containPackage("dev.junction.server")).isTrue();
    assertThat(classes.containPackage("dev.junction.api")).isTrue();
    assertThat(classes.stream().map(c -> c.getPackageName()))
        .allMatch(name -> name.startsWith("dev.junction."))
        .noneMatch(name -> name.startsWith("dev.junction.simulator") || name.startsWith("dev.junction.bench")
            || name.startsWith("dev.junction.cli") || name.startsWith("dev.junction.testing"));
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
            "dev.junction.simulator..")
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
  void onlyTheCommandLineStartsThings() {
    noClasses().that().resideOutsideOfPackage("dev.junction.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.junction.cli..")
        .check(classes);
  }

  @Test
  void noClientFormatIsKnownBelowTheEdge() {
    noClasses().that().resideInAnyPackage("dev.junction.routing..", "dev.junction.catalog..",
            "dev.junction.provider..", "dev.junction.ledger..", "dev.junction.account..", "dev.junction.fleet..")
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
}
