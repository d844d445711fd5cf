package dev.junction;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import dev.junction.api.ClientFormat;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.Test;

/** The package map in the README holds: each package has one job and the arrows point one way. */
class ArchitectureTest {

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.junction");
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
  void theSimulatorStandsAloneLikeARealProvider() {
    noClasses().that().resideInAPackage("dev.junction.simulator..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.junction.server..", "dev.junction.routing..", "dev.junction.catalog..", "dev.junction.provider..",
            "dev.junction.ledger..", "dev.junction.account..", "dev.junction.config..")
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
    noClasses().that().resideOutsideOfPackages("dev.junction.cli..", "dev.junction.bench..", "dev.junction.simulator..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.junction.simulator..", "dev.junction.bench..")
        .check(classes);
  }
}
