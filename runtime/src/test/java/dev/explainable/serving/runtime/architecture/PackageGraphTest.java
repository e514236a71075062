package dev.explainable.serving.runtime.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.ArrayList;
import java.util.List;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The runtime's package graph, one way:
 *
 * <pre>
 * launch (the main: batch or the server) -> batch (one shard of a batch job: the Vertex wire of api, service, storage)
 * api, health -> service -> config, visualization, model -> explain -> work
 *                                     \-> result, tensor, metadata
 *                     \-> storage (the model fetcher and the batch files: cloud storage clients, java.*, work)
 * </pre>
 *
 * The attribution methods know nothing of TensorFlow, HTTP or the container; only the model layer touches
 * TensorFlow, only the API edge speaks HTTP. The API edge is split by protocol, one way too:
 *
 * <pre>
 * aiplatform, vertex, description -> call (CallRunner, request reading, overrides) -> http (guards) -> errors
 *                                      \-> audit (one line per call) -> auth (the caller check) ---/
 *             \-> forwarding (another version's answers) ------------------------------/
 * </pre>
 * The service layer sees the model by names, shapes and dtypes ({@code model.ModelSignature}), never by its
 * TensorFlow handles.
 */
@AnalyzeClasses(packages = "dev.explainable.serving.runtime", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageGraphTest {

    private static final String RUNTIME = "dev.explainable.serving.runtime";
    private static final String API = RUNTIME + ".api";

    @ArchTest
    static final ArchRule packagesFormNoCycle =
            slices().matching(RUNTIME + ".(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule layersDependOneWay = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("launch")
            .definedBy(RUNTIME + ".launch..")
            .layer("batch")
            .definedBy(RUNTIME + ".batch..")
            .layer("api")
            .definedBy(RUNTIME + ".api..")
            .layer("health")
            .definedBy(RUNTIME + ".health..")
            .layer("service")
            .definedBy(RUNTIME + ".service..")
            .layer("config")
            .definedBy(RUNTIME + ".config..")
            .layer("visualization")
            .definedBy(RUNTIME + ".visualization..")
            .layer("model")
            .definedBy(RUNTIME + ".model..")
            .layer("explain")
            .definedBy(RUNTIME + ".explain..")
            .layer("examples")
            .definedBy(RUNTIME + ".examples..")
            .layer("result")
            .definedBy(RUNTIME + ".result..")
            .layer("tensor")
            .definedBy(RUNTIME + ".tensor..")
            .layer("metadata")
            .definedBy(RUNTIME + ".metadata..")
            .layer("storage")
            .definedBy(RUNTIME + ".storage..")
            .layer("work")
            .definedBy(RUNTIME + ".work..")
            .whereLayer("launch")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("batch")
            .mayOnlyBeAccessedByLayers("launch")
            .whereLayer("api")
            .mayOnlyBeAccessedByLayers("batch")
            .whereLayer("health")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("service")
            .mayOnlyBeAccessedByLayers("api", "health", "batch")
            .whereLayer("config")
            .mayOnlyBeAccessedByLayers("api", "service", "batch")
            .whereLayer("visualization")
            .mayOnlyBeAccessedByLayers("service")
            .whereLayer("model")
            .mayOnlyBeAccessedByLayers("service")
            .whereLayer("explain")
            .mayOnlyBeAccessedByLayers("service", "config", "visualization", "model")
            .whereLayer("examples")
            .mayOnlyBeAccessedByLayers("api", "service", "config")
            .whereLayer("result")
            .mayOnlyBeAccessedByLayers("api", "service", "visualization")
            .whereLayer("tensor")
            .mayOnlyBeAccessedByLayers("api", "service", "visualization", "model")
            .whereLayer("metadata")
            .mayOnlyBeAccessedByLayers("api", "service", "visualization", "model")
            .whereLayer("storage")
            .mayOnlyBeAccessedByLayers("service", "config", "batch");

    @ArchTest
    static final ArchRule apiPackagesFormNoCycle =
            slices().matching(API + ".(*)..").should().beFreeOfCycles();

    /** Every class of the API edge is in the package of its protocol or its part (none in {@code api} itself). */
    @ArchTest
    static final ArchRule apiIsSplitByProtocol = noClasses().should().resideInAPackage(API);

    /**
     * The contracts' resources sit on the shared call, the forwarding and the HTTP guards; the guards and the
     * failure table know no contract's resource, the call runner no forwarding, AI Platform nothing of Vertex.
     */
    @ArchTest
    static final ArchRule apiPackagesDependOneWay = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("audit")
            .definedBy(API + ".audit..")
            .layer("auth")
            .definedBy(API + ".auth..")
            .layer("aiplatform")
            .definedBy(API + ".aiplatform..")
            .layer("vertex")
            .definedBy(API + ".vertex..")
            .layer("description")
            .definedBy(API + ".description..")
            .layer("forwarding")
            .definedBy(API + ".forwarding..")
            .layer("call")
            .definedBy(API + ".call..")
            .layer("http")
            .definedBy(API + ".http..")
            .layer("errors")
            .definedBy(API + ".errors..")
            .whereLayer("audit")
            .mayOnlyBeAccessedByLayers("call")
            .whereLayer("auth")
            .mayOnlyBeAccessedByLayers("audit")
            .whereLayer("aiplatform")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("vertex")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("description")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("forwarding")
            .mayOnlyBeAccessedByLayers("vertex")
            .whereLayer("call")
            .mayOnlyBeAccessedByLayers("aiplatform", "vertex")
            .whereLayer("http")
            .mayOnlyBeAccessedByLayers("auth", "vertex", "forwarding", "call")
            .whereLayer("errors")
            .mayOnlyBeAccessedByLayers("auth", "aiplatform", "vertex", "description", "forwarding", "call", "http");

    @ArchTest
    static final ArchRule theFetcherKnowsOnlyStoresAndWork = classes()
            .that()
            .resideInAPackage(RUNTIME + ".storage..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "java..",
                    "javax.crypto..",
                    RUNTIME + ".storage..",
                    RUNTIME + ".work..",
                    "org.jboss.logging..",
                    "com.google.cloud..",
                    "com.google.auth..",
                    "com.google.api.gax..",
                    "software.amazon.awssdk..",
                    "org.apache.commons.compress..");

    /** Example-based explanations' search knows nothing of the model, the HTTP edge or the container. */
    @ArchTest
    static final ArchRule theExampleSearchKnowsOnlyLuceneJacksonAndWork = classes()
            .that()
            .resideInAPackage(RUNTIME + ".examples..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "java..",
                    RUNTIME + ".examples..",
                    RUNTIME + ".work..",
                    "org.apache.lucene..",
                    "com.fasterxml.jackson..");

    @ArchTest
    static final ArchRule onlyTheModelLayerTouchesTensorFlow = noClasses()
            .that()
            .resideOutsideOfPackage(RUNTIME + ".model..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.tensorflow..");

    /** Records whose components hold TensorFlow values: {@code model.ExplainedInput}, {@code model.ExplainedOutput}. */
    private static final DescribedPredicate<JavaClass> RECORDS_OF_TENSORFLOW_HANDLES =
            new DescribedPredicate<>("are records holding TensorFlow handles") {
                @Override
                public boolean test(JavaClass c) {
                    return c.isRecord()
                            && c.getFields().stream()
                                    .anyMatch(f -> !f.getModifiers().contains(JavaModifier.STATIC)
                                            && f.getType().getAllInvolvedRawTypes().stream()
                                                    .anyMatch(PackageGraphTest::isTensorFlow));
                }
            };

    /**
     * The service layer never names {@code org.tensorflow} (the rule above), nor does it reach TensorFlow's handles
     * through {@code model}: it holds no record of them, and calls, references or reads no member whose signature
     * (generic arguments included) names a TensorFlow type or such a record, such as {@code ServingModel.run},
     * {@code ServingModel.graphTensor} or {@code ServingModel.explainedOutputs}. It sees the model through
     * {@code ModelSignature}, {@code InputInfo} and {@code OutputInfo}.
     */
    @ArchTest
    static final ArchRule theServiceLayerHoldsNoTensorFlowHandles = noClasses()
            .that()
            .resideInAPackage(RUNTIME + ".service..")
            .should()
            .dependOnClassesThat(RECORDS_OF_TENSORFLOW_HANDLES);

    @ArchTest
    static final ArchRule theServiceLayerTouchesNoMemberOfTensorFlowHandles = classes()
            .that()
            .resideInAPackage(RUNTIME + ".service..")
            .should(new ArchCondition<>("touch no member whose signature names TensorFlow handles") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    for (JavaAccess<?> access : c.getAccessesFromSelf()) {
                        access.getTarget()
                                .resolveMember()
                                .filter(PackageGraphTest::namesHandles)
                                .ifPresent(m ->
                                        events.add(SimpleConditionEvent.violated(access, access.getDescription())));
                    }
                }
            });

    private static boolean namesHandles(JavaMember m) {
        List<JavaType> types = new ArrayList<>();
        if (m instanceof JavaField f) {
            types.add(f.getType());
        } else if (m instanceof JavaCodeUnit u) {
            types.add(u.getReturnType());
            types.addAll(u.getParameterTypes());
        }
        return types.stream()
                .flatMap(t -> t.getAllInvolvedRawTypes().stream())
                .anyMatch(r -> isTensorFlow(r) || RECORDS_OF_TENSORFLOW_HANDLES.test(r));
    }

    private static boolean isTensorFlow(JavaClass c) {
        return c.getPackageName().startsWith("org.tensorflow");
    }

    @ArchTest
    static final ArchRule onlyTheApiEdgeSpeaksHttp = noClasses()
            .that()
            .resideOutsideOfPackage(RUNTIME + ".api..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("jakarta.ws.rs..", "io.vertx..", "org.jboss.resteasy..", "io.smallrye.mutiny..");

    @ArchTest
    static final ArchRule methodsArePlainJava = classes()
            .that()
            .resideInAPackage(RUNTIME + ".explain..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", RUNTIME + ".explain..", RUNTIME + ".work..");
}
