package dev.cairn.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of {@code docs/ARCHITECTURE.md}, checked on the runtime's main classes: no
 * cycle between packages, the public API free of internals, and each lower layer free of the ones
 * above it.
 */
class PackageDependenciesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn");
  }

  /** Each package its own slice, the root package ({@code dev.cairn}, the public API) included. */
  private static final SliceAssignment BY_PACKAGE =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          String name = javaClass.getPackageName();
          return name.startsWith("dev.cairn") ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
          return "the packages of dev.cairn";
        }
      };

  @Test
  void noPackageCycles() {
    slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(classes);
  }

  @Test
  void thePublicApi_importsNoInternalPackage() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cairn.internal..", "dev.cairn.cli..")
        .check(classes);
  }

  @Test
  void onlyTheCli_usesTheCli() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cairn.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.cairn.cli..")
        .check(classes);
  }

  @Test
  void theStoreAndTheTableLayer_knowNothingOfTheEngineOrAbove() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.cairn.internal.store..",
            "dev.cairn.internal.delta..",
            "dev.cairn.internal.input..",
            "dev.cairn.internal.interrupt..",
            "dev.cairn.internal.quality..",
            "dev.cairn.internal.metrics..",
            "dev.cairn.internal.fs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.cairn.internal.engine..", "dev.cairn.internal.runbook..", "dev.cairn.internal")
        .check(classes);
  }
}
