package dev.cairn.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import dev.cairn.CairnException;
import java.util.Set;
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
            "dev.cairn.internal.chunking..",
            "dev.cairn.internal.metrics..",
            "dev.cairn.internal.fs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.cairn.internal.engine..",
            "dev.cairn.internal.runbook..",
            "dev.cairn.internal.report..",
            "dev.cairn.internal")
        .check(classes);
  }

  @Test
  void theReport_isReadByTheRuntimeAndTheCliAlone() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.cairn.internal.engine..",
            "dev.cairn.internal.runbook..",
            "dev.cairn.internal.config..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.cairn.internal.report..")
        .check(classes);
  }

  /**
   * Constructors of Cairn errors called outside {@code dev.cairn.internal.errors}, on purpose: each
   * builds a type that package may not return, from its own class or package. Caller's class name,
   * then the error class it constructs.
   */
  private static final Set<String> ERRORS_BUILT_ELSEWHERE =
      Set.of(
          // Carries the store's CheckResults, which internal.errors may not know: built by its own
          // factory DataQualityException.checksFailed.
          "dev.cairn.internal.engine.DataQualityException"
              + " -> dev.cairn.internal.engine.DataQualityException",
          // The store's own types: StoreErrors builds their messages, the store the exceptions.
          "dev.cairn.internal.store.IllegalTransitionException"
              + " -> dev.cairn.internal.store.IllegalTransitionException",
          "dev.cairn.internal.store.FencedWrites -> dev.cairn.internal.store.StoreUnavailableException",
          "dev.cairn.internal.store.DynamoDbCheckpointStore"
              + " -> dev.cairn.internal.store.StoreUnavailableException",
          "dev.cairn.internal.store.TableReads -> dev.cairn.internal.store.StoreUnavailableException",
          "dev.cairn.internal.store.DynamoDbTableAdmin"
              + " -> dev.cairn.internal.store.StoreUnavailableException");

  /**
   * Every user-facing error is built in {@code dev.cairn.internal.errors} (see its package-info):
   * no other main class calls a constructor of {@link CairnException} or a subclass, but the public
   * API's own (a subclass's {@code super(...)}, {@code Parameters.require}) and {@link
   * #ERRORS_BUILT_ELSEWHERE}. A subclass's constructor calling its superclass's ({@code
   * super(...)}) builds nothing. Checked by hand to fail on a {@code new BadInputException(...)}
   * added to the engine.
   */
  @Test
  void cairnErrors_areBuiltOnlyInTheErrorsPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.cairn.internal.errors", "dev.cairn")
        .should()
        .callConstructorWhere(
            describe(
                "a constructor of a CairnException, outside the deliberate exceptions",
                (JavaConstructorCall call) ->
                    call.getTargetOwner().isAssignableTo(CairnException.class)
                        && !isSuperCall(call)
                        && !ERRORS_BUILT_ELSEWHERE.contains(
                            call.getOriginOwner().getName()
                                + " -> "
                                + call.getTargetOwner().getName())))
        .check(classes);
  }

  /** A constructor's {@code super(...)}: the call of its class's superclass's constructor. */
  private static boolean isSuperCall(JavaConstructorCall call) {
    return call.getOrigin().isConstructor()
        && call.getOriginOwner()
            .getRawSuperclass()
            .map(superclass -> superclass.equals(call.getTargetOwner()))
            .orElse(false);
  }
}
