package dev.cairn.internal.errors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The errors package sits just above the public API, so that every layer may build its errors
 * there: it depends on nothing of Cairn but {@code dev.cairn}, and on no vendor library.
 */
class ErrorsPackageDependenciesTest {

  @Test
  void theErrorsPackage_dependsOnlyOnThePublicApiAndTheJdk() {
    JavaClasses errors =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn.internal.errors");
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.internal.errors")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.cairn", "dev.cairn.internal.errors", "java..")
        .check(errors);
  }
}
